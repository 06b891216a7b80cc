"""The GX suites: generated from the contract, PII-free frames, real GX runs and Data Docs."""

from __future__ import annotations

import json

import great_expectations
import pandas as pd
import pyarrow as pa
import pytest

from pipelines.contract.exports import CONTACTS, LANDED_FILES
from pipelines.validate import data_docs, gx, suites

RULES = {
    "value_missing",
    "value_invalid",
    "value_conflict",
    "code_unknown",
    "date_unparseable",
    "date_before_1990",
    "date_before_1900",
    "date_after_export",
    "date_order",
    "key_duplicate",
    "orphan",
    "area_mismatch",
}


@pytest.mark.parametrize("export", LANDED_FILES, ids=lambda e: e.name)
def test_suite_file_is_the_contract_and_loads_in_gx(export):
    stored = json.loads(suites.suite_path(export).read_text(encoding="utf-8"))
    assert stored == suites.expected_suite(export), "run python -m pipelines.validate.suites"
    suite = great_expectations.ExpectationSuite(**stored)
    assert len(suite.expectations) == len(stored["expectations"])
    assert {e["meta"]["rule"] for e in stored["expectations"]} <= RULES


@pytest.mark.parametrize("export", LANDED_FILES, ids=lambda e: e.name)
def test_check_frame_holds_no_personal_data(export):
    columns = suites.frame_columns(export)
    assert columns[0] == "line"
    for column in export.columns:
        if column.pii:
            assert column.name not in columns
    if "crn" in export.column_names:
        # only the shape mask of the crn reaches GX (see validate/sql/check_view.sql.j2)
        assert "crn" in columns


def contacts_frame(rows: list[dict]) -> pd.DataFrame:
    columns = suites.frame_columns(CONTACTS)
    table = pa.Table.from_pylist([{c: row.get(c) for c in columns} for row in rows])
    return table.to_pandas(types_mapper=pd.ArrowDtype)


GOOD = {
    "line": 2,
    "contact_id": 1,
    "contact_id__valid": True,
    "crn": "A000000",
    "event_number": 1,
    "event_number__valid": True,
    "contact_date__valid": True,
    "contact_date__not_early": True,
    "contact_date__not_future": True,
    "contact_type": "COAP",
    "attended": "Y",
    "ns_contact": None,
    "key__unique": True,
    "events__exists": True,
}


def test_gx_names_failing_rows_by_line_and_builds_data_docs(tmp_path):
    rows = [
        GOOD,
        GOOD | {"line": 3, "crn": "A00", "events__exists": None},
        GOOD | {"line": 4, "contact_date__valid": False, "contact_date__not_early": None},
        GOOD | {"line": 5, "contact_date__not_future": False, "contact_type": "CTEL"},
        GOOD | {"line": 6, "key__unique": False},
        GOOD | {"line": 7, "key__unique": False, "event_number": 0},
        GOOD | {"line": 8, "events__exists": False, "attended": None, "ns_contact": "y"},
    ]
    context = gx.open_context(tmp_path / "gx", fresh=True)
    findings = gx.validate_frame(context, CONTACTS, contacts_frame(rows), "DUR")
    assert sorted((f.line, f.rule, f.column) for f in findings) == [
        (3, "value_invalid", "crn"),
        (4, "date_unparseable", "contact_date"),
        (5, "code_unknown", "contact_type"),
        (5, "date_after_export", "contact_date"),
        (6, "key_duplicate", "contact_id"),
        (7, "key_duplicate", "contact_id"),
        (7, "value_invalid", "event_number"),
        (8, "code_unknown", "ns_contact"),
        (8, "orphan", "crn,event_number"),
    ]
    index = data_docs.build_data_docs(tmp_path / "gx")
    assert index.name == "index.html" and index.stat().st_size > 0
