"""case_readings.csv goes through the export's gate: each row defect has its documented
outcome, a night without the file is not a defect, and no crn passes ingest.

tests/corpus/readings/case_readings.csv overlays readings on the clean DUR export
(export date 2007-06-04): lines 2-4 and 11 are good, lines 5-10 one defect each.
"""

from __future__ import annotations

import datetime as dt
import logging

import duckdb

from pipelines.contract import identity
from pipelines.contract.handoff import read_result
from pipelines.warehouse import writer
from tests.ingest.test_area import (
    AREA,
    AS_OF,
    CRNS,
    SECRET,
    assert_reconciled,
    everything_written,
    ingest_landed,
    land,
    quarantine,
    query,
    run,
)

KEY_1 = identity.case_key("A000001", SECRET)
KEY_2 = identity.case_key("A000002", SECRET)
KEY_99 = identity.case_key("A000099", SECRET)
FILE = "case_readings.csv"
READING_DEFECTS = [
    (FILE, 5, "code_unknown", KEY_2, "question_id=<A0.0> is not a known code"),
    (FILE, 6, "code_unknown", KEY_2, "judgement=<AAAAA> is not a known code"),
    (FILE, 7, "value_invalid", None, "crn does not match [A-Z][0-9]{6}"),
    (FILE, 8, "date_after_export", KEY_2, "read_date='2007-06-05' is after the export date"),
    (
        FILE,
        9,
        "key_duplicate",
        KEY_2,
        "crn,event_number,question_id,reader is shared by another row",
    ),
    (
        FILE,
        10,
        "key_duplicate",
        KEY_2,
        "crn,event_number,question_id,reader is shared by another row",
    ),
]


def test_each_reading_defect_is_quarantined_with_its_rule(tmp_path):
    result, out = run(tmp_path, "readings")
    assert (result.status, result.message) == ("loaded", "")
    assert [q for q in quarantine(out) if q[0] == FILE] == READING_DEFECTS
    audit = next(f for f in result.files if f.file == FILE)
    assert (audit.rows_in, audit.rows_loaded, audit.rows_quarantined) == (10, 4, 6)
    assert_reconciled(result, out)
    # two readers of one question are two readings; a case the export lacks still loads
    assert sorted(query(f"SELECT * FROM '{out}/case_readings.parquet'")) == sorted(
        [
            (KEY_1, 1, "B1.1", "MET", "R01", dt.date(2007, 6, 1)),
            (KEY_1, 1, "B1.2", "NOT_MET", "R01", dt.date(2007, 6, 1)),
            (KEY_1, 1, "B1.1", "MET", "R02", dt.date(2007, 6, 1)),
            (KEY_99, 1, "B1.1", "MET", "R01", dt.date(2007, 6, 4)),
        ]
    )


def test_no_crn_of_a_reading_passes_ingest_or_the_writer(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    out = tmp_path / "work" / AREA  # the writer loads a folder named for its area
    ingest_landed(land(tmp_path, "readings"), AS_OF, AREA, out, SECRET)
    warehouse = tmp_path / "warehouse.duckdb"
    writer.load_night(warehouse, AS_OF, [(read_result(out), out)], "test/run", dt.datetime.now())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        loaded = con.execute("SELECT * FROM staging.case_readings").fetchall()
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE'"
        ).fetchall()
        stored = "\n".join(
            str(con.execute(f'SELECT * FROM "{schema}"."{name}"').fetchall())
            for schema, name in tables
        )
    assert {row[1] for row in loaded} == {AREA} and len(loaded) == 4
    for crn in (*CRNS, "A00002X"):
        assert crn not in everything_written(out)
        assert crn not in stored
        assert crn not in caplog.text


def test_a_night_without_readings_loads_none_and_is_not_a_defect(tmp_path):
    result, out = run(tmp_path)
    assert (result.status, result.message) == ("loaded", "")
    audit = next(f for f in result.files if f.file == FILE)
    assert (audit.rows_in, audit.rows_loaded, audit.rows_quarantined, audit.sha256) == (
        0,
        0,
        0,
        None,
    )
    assert query(f"SELECT count(*) FROM '{out}/case_readings.parquet'") == [(0,)]
