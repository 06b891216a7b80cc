"""The CSV reader: DuckDB's parallel reader and the line-by-line split agree, and a
misshapen line is named by its physical line."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.contract.exports import CONTACTS, PLAN_OBJECTIVES
from pipelines.ingest import files, typed

AS_OF = dt.date(2007, 6, 4)


def test_a_large_plain_file_read_in_parallel_keeps_physical_line_numbers(tmp_path):
    """DuckDB's parallel reader and the line-by-line split give the same lines and values,
    raw and typed (a plain file's typed row has no line column: its rowid is line - 2)."""
    rows = 600_000  # ~25 MB: many reader buffers, so both threads read parts of the file
    header = CONTACTS.column_names
    lines = [",".join(header)] + [
        f"{i},A{i % 999_999:06d},{1 + i % 3},2006-0{1 + i % 9}-1{i % 10},COAI,{'YN'[i % 2]},Y"
        for i in range(rows)
    ]
    path = tmp_path / "contacts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = path.read_bytes()
    selected = list(zip(header, range(len(header)), strict=True))
    # four threads whatever the machine: a typing that lost the reader's order would show
    with duckdb.connect(config={"threads": 4}) as plain, duckdb.connect() as split:
        for con in (plain, split):
            con.execute("SET VARIABLE as_of = ?", [AS_OF])
        assert files._read_plain(plain, path, data, CONTACTS, selected, len(header), False, True)
        by_line = pa.array(data.decode().split("\n"), pa.large_string())
        assert files._split_lines(split, by_line, CONTACTS, selected, len(header)) == []
        typed.create_typed(split, CONTACTS, "raw_contacts", padded=True, lines=True)
        got = plain.execute("SELECT * FROM raw_contacts ORDER BY line").fetchall()
        want = split.execute("SELECT * FROM raw_contacts ORDER BY line").fetchall()
        got_typed = plain.execute(
            "SELECT rowid + 2 AS line, * FROM typed_rows_contacts ORDER BY line"
        ).fetchall()
        want_typed = split.execute("SELECT * FROM typed_rows_contacts ORDER BY line").fetchall()
    assert len(got) == rows
    assert got == want
    assert got[-1][0] == rows + 1 and got[-1][1] == str(rows - 1)
    assert got_typed == want_typed
    assert got_typed[-1][:2] == (rows + 1, rows - 1)  # line, contact_id


@pytest.mark.parametrize(
    ("tail", "misshapen"),
    [
        ("7,A000007,1,2006-03-03,COAI,Y,Y,\n", (3, "has 8 fields, the header has 7")),
        ("7,A000007,1\n", (3, "has 3 fields, the header has 7")),
    ],
    ids=["trailing comma", "short line"],
)
def test_a_misshapen_line_leaves_the_parallel_reader_and_is_named(tmp_path, tail, misshapen):
    path = tmp_path / "contacts.csv"
    path.write_text(
        ",".join(CONTACTS.column_names) + "\n6,A000006,1,2006-03-03,COAI,Y,Y\n" + tail,
        encoding="utf-8",
    )
    with duckdb.connect() as con:
        parsed = files.parse(con, path, CONTACTS, {})
        assert con.execute("SELECT line FROM raw_contacts").fetchall() == [(2,)]
    assert parsed.misshapen == [misshapen]
    assert parsed.rows_in == 2


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=" \tA1-|", max_size=5), min_size=1, max_size=20))
def test_an_ascii_file_trims_only_edge_spaces_and_types_as_a_full_trim(values):
    """In an ASCII file typing trims only a value that starts or ends with a space; every
    typed value equals what trim() of every value gives."""
    raw = pa.table(
        {"line": list(range(2, len(values) + 2))}
        | {c: pa.array(values, pa.string()) for c in PLAN_OBJECTIVES.column_names}
    )
    typed_by, free_text = {}, []
    for ascii_only in (True, False):
        with duckdb.connect() as con:
            con.register("raw", raw)
            typed.create_typed(con, PLAN_OBJECTIVES, "raw", True, True, ascii_only)
            typed_by[ascii_only] = con.execute(
                "SELECT * FROM typed_rows_plan_objectives ORDER BY line"
            ).fetchall()
            free_text = con.execute(
                "SELECT intervention FROM typed_rows_plan_objectives ORDER BY line"
            ).fetchall()
    assert typed_by[True] == typed_by[False]
    assert free_text == [(v.strip(" ") or None,) for v in values]
