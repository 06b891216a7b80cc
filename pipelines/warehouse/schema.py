"""The warehouse's tables (pipelines/warehouse/sql/schema), created where missing."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.contract.exports import LANDED_FILES
from pipelines.sql_files import Statements

SQL = Statements(Path(__file__).parent)
SCHEMAS = ("staging", "quarantine", "audit", "marts", "ref", "config")
TABLES = (
    "quarantine_rows",
    "audit_runs",
    "audit_runs_key",
    "audit_latest_runs",
    "case_outcomes",
    "scorecard",
    "sample_cases",
    "sample_draws",
    "benchmark",
    "data_quality",
    "agreement",
)


def statements() -> list[str]:
    """Every CREATE of the warehouse (and column added since), in order."""
    return [
        *(SQL.render("schema/schemas", schema=s) for s in SCHEMAS),
        *(SQL.render("schema/staging_table", export=e) for e in LANDED_FILES),
        *(SQL.text(f"schema/{table}") for table in TABLES),
    ]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in statements():
        con.execute(statement)
