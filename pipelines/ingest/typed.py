"""Typing in DuckDB: one area's connection, each export's typed rows, and its case keys.

typed_rows_<export> holds every well-shaped record's values trimmed, parsed
once and typed, with the flags the suite checks (validate/frame.py);
typed_<export> adds each row's line and case_key. The crn is keyed once per
distinct crn of the area (contract/identity.py) and never leaves this
connection.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pipelines.contract import identity
from pipelines.contract.exports import CRN, LANDED_FILES, Column, ExportFile
from pipelines.sql_files import Statements
from pipelines.validate import contents, frame

SQL = Statements(Path(__file__).parent)
# per area: two areas ingesting side by side stay well inside the 4 GB budget
# (London's night peaks at 3.5 GB unbounded, 2.0 GB with this, 5% slower)
MEMORY_LIMIT = "1GB"
_threads: dict[str, Any] = {}  # set in ingest worker processes by share_cores


def share_cores(workers: int) -> None:
    """In each of `workers` ingest processes: DuckDB takes only this process's share of cores.

    Much of an area's ingest is single-threaded (hashing, GX), so processes side by
    side beat threads; without this, two processes' DuckDB threads contend.
    """
    _threads["threads"] = max(1, (os.cpu_count() or 1) // workers)


def connect(spill_dir: Path) -> duckdb.DuckDBPyConnection:
    """DuckDB for one area: past MEMORY_LIMIT it spills to spill_dir; no progress bars in logs."""
    config: dict[str, Any] = {"memory_limit": MEMORY_LIMIT, "temp_directory": str(spill_dir)}
    con = duckdb.connect(config=config | _threads)
    con.execute(SQL.text("settings"))
    contents.install_shape(con)
    return con


def set_variable(con: duckdb.DuckDBPyConnection, name: str, value: object) -> None:
    con.execute(SQL.render("set_variable", name=name), [value])


def _column_names(column: Column) -> dict[str, Any]:
    """What typed_rows.sql.j2 needs of a column: its kind and its flags' names."""
    name = column.name
    return {
        "name": name,
        "kind": column.kind,
        "codes": column.codes,
        "holds_value": frame.holds_value(column),
        "valid": frame.valid_column(name),
        "not_early": frame.not_early_column(name),
        "not_future": frame.not_future_column(name),
        "unknown": frame.unknown_column(name),
        "earliest": frame.earliest_date(column),
    }


def create_typed(
    con: duckdb.DuckDBPyConnection,
    export: ExportFile,
    source: str,
    padded: bool,
    lines: bool,
    ascii_only: bool = False,
) -> None:
    """typed_rows_<export> from `source` (a table, or a parenthesised SELECT) of raw text.

    `padded`: trim every value (files.padded says when a file can need it);
    `lines`: source has each record's `line` (else a row's line is its rowid + 2);
    `ascii_only`: the file is ASCII, so the only character to trim is the space
    (trim() also removes Unicode spaces).
    """
    con.execute(
        SQL.render(
            "typed_rows",
            name=export.name,
            columns=[_column_names(c) for c in export.columns],
            source=source,
            padded=padded,
            lines=lines,
            ascii_only=ascii_only,
        )
    )


def drop_typed(con: duckdb.DuckDBPyConnection, export: ExportFile) -> None:
    con.execute(SQL.render("drop_typed", name=export.name))


def count_typed(con: duckdb.DuckDBPyConnection, export: ExportFile) -> int:
    ((count,),) = con.execute(SQL.render("count_typed", name=export.name)).fetchall()
    return int(count)


def create_typed_view(con: duckdb.DuckDBPyConnection, export: ExportFile, plain: bool) -> None:
    """typed_<export>: each typed row with its line and, where the export has a crn, its
    case_key (NULL for a malformed crn)."""
    has_crn = CRN.name in export.column_names
    con.execute(SQL.render("typed_view", name=export.name, plain=plain, has_crn=has_crn))


def install_case_keys(con: duckdb.DuckDBPyConnection, secret: bytes) -> None:
    """case_key for every well-formed crn of the area, computed once per distinct crn."""
    with_crn = [e.name for e in LANDED_FILES if CRN.name in e.column_names]
    select = SQL.render("well_formed_crns", exports=with_crn)
    crns = [row[0] for row in con.execute(select, [CRN.pattern]).fetchall()]
    keys = pa.table(
        {
            "crn": pa.array(crns, pa.string()),
            "case_key": pa.array(identity.case_keys(crns, secret), pa.string()),
        }
    )
    con.register("case_keys_arrow", keys)
    try:
        con.execute(SQL.text("case_keys"))
    finally:
        con.unregister("case_keys_arrow")
