"""Reads of the run log: which secret the warehouse's nights were keyed with, and which
nights it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from pipelines.sql_files import Statements
from pipelines.warehouse.connection import reading

SQL = Statements(Path(__file__).parent)


def last_key_fingerprint(warehouse_path: Path) -> str | None:
    """The case-key fingerprint of the latest run, or None (no warehouse, or no run log yet:
    a warehouse of another shape is the writer's to refuse, inside its transaction)."""
    if not Path(warehouse_path).is_file():
        return None
    with reading(warehouse_path) as con:
        try:
            rows = con.execute(SQL.text("audit/last_key_fingerprint")).fetchall()
        except duckdb.CatalogException:
            return None
    return rows[0][0] if rows else None


def nights(warehouse_path: Path) -> list[dict[str, Any]]:
    """Per night in the run log: its latest run's areas loaded, rejected and missing."""
    with reading(warehouse_path) as con:
        cursor = con.execute(SQL.text("audit/nights"))
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
