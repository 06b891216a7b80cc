"""An area's quarantine: one record per failed rule of a row kept out of staging.

Rules (the quarantine `rule` column; a row failing several rules has one
record per failed rule and column, and counts once), documented in
docs/exports.md: field_count, value_missing, value_invalid, value_conflict,
code_unknown, date_unparseable, date_before_1990 (date_before_1900 for
date_of_birth), date_after_export, date_order, key_duplicate, orphan,
area_mismatch. The detail names the column and the problem, and quotes a raw
value only of a column that may be shown (`quotable`): never PII, never the
crn, never a whole code list (its detail names only the unknown elements).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from pipelines.contract.exports import CRN, ExportFile
from pipelines.ingest.checks import parent_columns
from pipelines.sql_files import Statements
from pipelines.validate import contents, frame

SQL = Statements(Path(__file__).parent)


def create_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SQL.text("quarantine_table"))


def add_misshapen(
    con: duckdb.DuckDBPyConnection,
    export: ExportFile,
    misshapen: Sequence[tuple[int, int]],
    width: int,
) -> None:
    """field_count records: a misshapen record's values are never read."""
    if misshapen:
        con.executemany(
            SQL.text("field_count"),
            [
                (export.file_name, line, f"has {n} fields, the header has {width}")
                for line, n in misshapen
            ],
        )


def quotable(export: ExportFile) -> list[str]:
    """The columns whose raw value a detail may quote: non-PII, not the crn, not a code list."""
    return [
        c.name for c in export.columns if c.name != CRN.name and not c.pii and c.kind != "codes"
    ]


def add_findings(
    con: duckdb.DuckDBPyConnection, export: ExportFile, failing: Sequence[str]
) -> None:
    """Quarantine every line with findings in the failing components (validate/contents.py)."""
    has_crn = CRN.name in export.column_names
    parent = None
    if not has_crn and export.parent:
        parent = {"name": export.parent.export, "child": parent_columns(export)}
    con.execute(
        SQL.render(
            "insert_findings",
            name=export.name,
            file=export.file_name,
            quotable=quotable(export),
            code_lists=[
                {"name": c.name, "unknown": frame.unknown_column(c.name)}
                for c in export.columns
                if c.kind == "codes"
            ],
            has_crn=has_crn,
            parent=parent,
            failing_lines=contents.failing_lines_select(export, failing),
        )
    )


def lines_quarantined(con: duckdb.DuckDBPyConnection, export: ExportFile) -> int:
    ((count,),) = con.execute(SQL.text("quarantined_lines"), [export.file_name]).fetchall()
    return int(count)


def write(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    con.execute(SQL.render("write_quarantine", path=str(path)))
