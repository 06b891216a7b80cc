"""Every row of a warehouse, for comparing two warehouses table by table."""

from __future__ import annotations

from pathlib import Path

import duckdb

# run ids and clock times differ between any two runs; everything else must not
RUN_LOG_VARYING = ("run_id", "started_at", "finished_at")
SCHEMAS = ("staging", "quarantine", "audit", "marts")


def _tables(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> list[str]:
    rows = con.execute(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables "
        "WHERE table_catalog = current_database() AND list_contains(?, table_schema) "
        "AND table_type = 'BASE TABLE' ORDER BY 1",
        [list(schemas)],
    ).fetchall()
    return [table for (table,) in rows]


def _select(table: str, keep_run_ids: bool) -> str:
    varying = table == "audit.runs" and not keep_run_ids
    exclude = f" EXCLUDE ({', '.join(RUN_LOG_VARYING)})" if varying else ""
    return f"SELECT *{exclude} FROM {table} ORDER BY ALL"


def all_rows(warehouse: Path) -> dict[str, list[tuple]]:
    """{schema.table: rows ordered by all columns} for staging, quarantine, audit and marts;
    the run log without its run ids and clock times."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {t: con.execute(_select(t, False)).fetchall() for t in _tables(con, SCHEMAS)}


def export_tables(
    warehouse: Path, out: Path, schemas: tuple[str, ...] | None = None, keep_run_ids=True
) -> dict[str, Path]:
    """Every table (of `schemas`, default all) as CSV ordered by all columns, so two
    warehouses compare byte for byte: {schema.table: file}."""
    out.mkdir(parents=True)
    files = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if schemas is None:
            schemas = tuple(
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT table_schema FROM information_schema.tables"
                ).fetchall()
            )
        for table in _tables(con, schemas):
            path = out / f"{table}.csv"
            con.execute(f"COPY ({_select(table, keep_run_ids)}) TO '{path}' (HEADER)")
            files[table] = path
    return files
