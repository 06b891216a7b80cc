"""One in-memory warehouse with reference data for the tests that score hand-built
nights, its staging and marts emptied before each test."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.warehouse import reference, schema


@pytest.fixture(scope="session")
def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    schema.ensure_schema(con)
    reference.install(con)
    return con


@pytest.fixture
def blank_warehouse(_warehouse: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    tables = _warehouse.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
        "WHERE schema_name IN ('staging', 'marts') AND NOT temporary"
    ).fetchall()
    for (table,) in tables:
        _warehouse.execute(f"DELETE FROM {table}")
    return _warehouse
