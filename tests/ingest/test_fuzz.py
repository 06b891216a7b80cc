"""The readers under generated bad input: a file or manifest costs its area, never more.

Hypothesis mutates a clean export (bytes a CSV writer or a transfer gets wrong:
quotes, separators, line ends, NULs, a BOM, non-ASCII) and writes arbitrary
JSON as a manifest. Reading must end in a file-level rejection or in rows that
are all accounted for, and raise nothing else. Bounded here (about a minute);
`make fuzz` runs many more examples (CASEAUDIT_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.contract.exports import CONTACTS, PLAN_OBJECTIVES
from pipelines.ingest import files, landing, typed
from pipelines.ingest.landing import FileRejected

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "clean"
EXAMPLES = int(os.environ.get("CASEAUDIT_FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SPECIAL = [b",", b'"', b"\n", b"\r", b"\r\n", b"\x00", b"|", b" ", b"\xef\xbb\xbf", "é".encode()]
PIECES = st.one_of(
    st.sampled_from(SPECIAL), st.binary(max_size=6), st.text(max_size=6).map(str.encode)
)


@st.composite
def mutated(draw, clean: bytes) -> bytes:
    """The clean file with a few pieces inserted, bytes deleted, or a field made huge."""
    data = bytearray(clean)
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "huge", "cut"]))
        if kind == "insert":
            data[where:where] = draw(PIECES)
        elif kind == "delete":
            del data[where : where + draw(st.integers(1, 4))]
        elif kind == "huge":
            data[where:where] = b'"' * draw(st.integers(0, 1)) + b"x" * 140_000
        else:
            del data[where:]
    return bytes(data)


def read(data: bytes, export) -> None:
    """files.parse of the bytes as the export's file: a rejection, or every row counted."""
    with tempfile.TemporaryDirectory() as scratch, duckdb.connect() as con:
        path = Path(scratch) / export.file_name
        path.write_bytes(data)
        con.execute("SET VARIABLE as_of = DATE '2007-06-04'")
        try:
            parsed = files.parse(con, path, export, {})
        except FileRejected as rejection:
            assert export.file_name in str(rejection)
            return
        typed_rows = typed.count_typed(con, export)
        assert parsed.rows_in == typed_rows + len(parsed.misshapen)
        assert all(
            problem.startswith(("has ", "is inside lines ")) for _, problem in parsed.misshapen
        )


@FUZZ
@given(data=mutated((CORPUS / CONTACTS.file_name).read_bytes()))
def test_a_mutated_plain_file_is_read_or_rejected(data):
    read(data, CONTACTS)


@FUZZ
@given(data=mutated((CORPUS / PLAN_OBJECTIVES.file_name).read_bytes()))
def test_a_mutated_quoted_file_is_read_or_rejected(data):
    read(data, PLAN_OBJECTIVES)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


@FUZZ
@given(
    manifest=st.one_of(
        JSON,
        st.fixed_dictionaries(
            {"export_date": st.just("2007-06-04"), "area_code": st.just("DUR"), "files": JSON}
        ),
    )
)
def test_any_manifest_is_read_or_rejected(manifest):
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "_manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        try:
            entries = landing.read_manifest(Path(scratch), dt.date(2007, 6, 4), "DUR")
        except FileRejected as rejection:
            assert str(rejection).startswith("_manifest.json ")
            return
        assert entries and all(isinstance(e, dict) for e in entries.values())
