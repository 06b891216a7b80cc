"""Every row of a warehouse, for comparing two warehouses table by table."""

from __future__ import annotations

from pathlib import Path

import duckdb

# run ids and clock times differ between any two runs; everything else must not
RUN_LOG_VARYING = ("run_id", "started_at", "finished_at")


def all_rows(warehouse: Path) -> dict[str, list[tuple]]:
    """{schema.table: rows ordered by all columns} for staging, quarantine, audit and marts."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema IN ('staging', 'quarantine', 'audit', 'marts') ORDER BY 1"
        ).fetchall()
        rows = {}
        for (table,) in tables:
            exclude = f" EXCLUDE ({', '.join(RUN_LOG_VARYING)})" if table == "audit.runs" else ""
            rows[table] = con.execute(f"SELECT *{exclude} FROM {table} ORDER BY ALL").fetchall()
        return rows
