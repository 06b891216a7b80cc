"""An area's quarantine: one record per failed rule of a row kept out of staging.

Rules (the quarantine `rule` column; a row failing several rules has one
record per failed rule and column, and counts once), documented in
docs/exports.md: field_count, value_missing, value_invalid, value_conflict,
code_unknown, date_unparseable, date_before_1990 (date_before_1900 for
date_of_birth), date_after_export, date_order, key_duplicate, orphan,
area_mismatch. The detail names the column and the problem. Any value of a row
can be personal data once its fields have shifted (a comma in a surname moves
a PNC number into a code column), so a value is shown only where it is proven
safe: a code in its list, a whole number, a date in a file without personal
data columns; anything else of a shown column appears as its shape (`<AA00>`:
letters A/a, digits 0). Personal data, the crn and free text are never shown,
and a code list's detail names only the shapes of its unknown elements.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from pipelines.contract.exports import CRN, ExportFile
from pipelines.contract.reference import area_codes
from pipelines.ingest.checks import parent_columns
from pipelines.sql_files import Statements
from pipelines.validate import contents, frame

SQL = Statements(Path(__file__).parent)
AREA_CODE = "area_code"  # a text column whose values are the 42 area codes


def create_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SQL.text("quarantine_table"))


def add_misshapen(
    con: duckdb.DuckDBPyConnection, export: ExportFile, misshapen: Sequence[tuple[int, str]]
) -> None:
    """field_count records: a misshapen record's values are never read, only counted."""
    if misshapen:
        con.executemany(
            SQL.text("field_count"),
            [(export.file_name, line, problem) for line, problem in misshapen],
        )


def shown_columns(export: ExportFile) -> list[dict[str, Any]]:
    """The columns a detail may show, with how each is proven safe (insert_findings.sql.j2):
    `code` (in its list), `int` (a whole number), `date` (valid, in a file without personal
    data), `shape` (always its shape). The crn, personal data, free text and code lists
    (their unknown elements are shapes already) are never shown."""
    shown: list[dict[str, Any]] = []
    for c in export.columns:
        if c.name == CRN.name or c.pii or c.kind == "codes":
            continue
        if c.name == AREA_CODE:
            shown.append({"name": c.name, "kind": "code", "codes": area_codes()})
        elif c.codes is not None and c.kind != "int":
            shown.append({"name": c.name, "kind": "code", "codes": c.codes})
        elif c.kind == "int":
            shown.append({"name": c.name, "kind": "int"})
        elif c.kind == "date":
            shown.append({"name": c.name, "kind": "shape" if export.has_pii else "date"})
    return shown


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
            shown=shown_columns(export),
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
