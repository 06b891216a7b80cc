"""The check frame of every line: cross-row facts over the whole snapshot, and the flags.

checked_<export> adds to each typed row whether its key is unique, whether its
parent exists (contract Parent), the date orders of the contract, and for
events whether area_code is the folder's area; pipelines/validate then sees
only the frame's columns (validate/frame.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from pipelines.contract.exports import CRN, ExportFile
from pipelines.sql_files import Statements
from pipelines.validate import frame
from pipelines.validate.suites import frame_columns

SQL = Statements(Path(__file__).parent)


def join_column(column: str) -> str:
    """Keys and joins of typed_<export> use case_key, which is NULL for a malformed crn."""
    return "case_key" if column == CRN.name else column


def parent_columns(export: ExportFile) -> list[dict[str, str]]:
    """Each child column of the export's parent reference, by name and by join column."""
    if export.parent is None:
        return []
    return [
        {"name": c, "join": join_column(c), "parent": p, "parent_join": join_column(p)}
        for c, p in zip(export.parent.columns, export.parent.parent_columns, strict=True)
    ]


def create_checked(con: duckdb.DuckDBPyConnection, export: ExportFile) -> None:
    """checked_<export> over typed_<export> (see module doc)."""
    orders = [
        {"later": o.later, "earlier": o.earlier, "column": frame.order_column(o)}
        for o in frame.date_orders(export)
    ]
    flags = {o["column"] for o in orders}
    kept = ["line", "row_case_key"] + [c for c in frame_columns(export)[1:] if c not in flags]
    parent: dict[str, Any] | None = None
    if export.parent:
        parent = {
            "name": export.parent.export,
            "child": parent_columns(export),
            "exists": frame.exists_column(export),
        }
    con.execute(
        SQL.render(
            "checked_view",
            name=export.name,
            kept=kept,
            orders=orders,
            key=[{"name": k, "join": join_column(k)} for k in export.key],
            key_unique=frame.KEY_UNIQUE,
            parent=parent,
            has_crn=CRN.name in export.column_names,
            area_is_folder=frame.AREA_IS_FOLDER,
            supervision_start=frame.SUPERVISION_START,
            plan_event_sentence_date=frame.PLAN_EVENT_SENTENCE_DATE,
            sentence_date_not_early=frame.not_early_column("sentence_date"),
            sentence_date_not_future=frame.not_future_column("sentence_date"),
        )
    )
