"""The rule tests' connection: the shared blank warehouse (tests/warehouse/conftest.py)."""

from __future__ import annotations

import duckdb
import pytest


@pytest.fixture
def con(blank_warehouse: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    return blank_warehouse
