"""The DuckDB warehouse: its tables, and the one transaction that writes a night.

Only one process may write a DuckDB file, so every write goes through
`write_night`, which the DAG runs under a one-slot pool and which retries on
DuckDB's lock error when a backfill and the nightly run meet.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb

from pipelines.contract import EXPORT_FILES, ExportFile

log = logging.getLogger(__name__)
T = TypeVar("T")

PARTITION_COLUMNS = "as_of_date DATE NOT NULL, area_code VARCHAR NOT NULL"


def staging_columns(export: ExportFile) -> list[tuple[str, str]]:
    """(name, type) of a staging table after ingest: no PII, crn replaced by case_key."""
    columns = []
    for column in export.kept_columns:
        if column.name == "area_code":
            continue  # the partition column already holds it
        name = "case_key" if column.name == "crn" else column.name
        columns.append((name, column.sql_type))
    return columns


def _staging_ddl(export: ExportFile) -> str:
    body = ", ".join(f"{name} {sql_type}" for name, sql_type in staging_columns(export))
    return f"CREATE TABLE IF NOT EXISTS staging.{export.name} ({PARTITION_COLUMNS}, {body})"


WAREHOUSE_DDL = (
    "CREATE SCHEMA IF NOT EXISTS staging",
    "CREATE SCHEMA IF NOT EXISTS quarantine",
    "CREATE SCHEMA IF NOT EXISTS audit",
    "CREATE SCHEMA IF NOT EXISTS marts",
    *(_staging_ddl(export) for export in EXPORT_FILES),
    f"""CREATE TABLE IF NOT EXISTS quarantine.rows ({PARTITION_COLUMNS},
        file VARCHAR NOT NULL, line BIGINT, case_key VARCHAR, rule VARCHAR NOT NULL,
        detail VARCHAR)""",
    f"""CREATE TABLE IF NOT EXISTS audit.runs (run_id VARCHAR NOT NULL, {PARTITION_COLUMNS},
        status VARCHAR NOT NULL, started_at TIMESTAMP, finished_at TIMESTAMP,
        file VARCHAR, rows_in BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT,
        sha256 VARCHAR, message VARCHAR)""",
    f"""CREATE TABLE IF NOT EXISTS marts.case_outcomes ({PARTITION_COLUMNS},
        scope VARCHAR NOT NULL, case_key VARCHAR NOT NULL, event_number BIGINT NOT NULL,
        question_id VARCHAR NOT NULL, criterion_id VARCHAR NOT NULL, outcome VARCHAR NOT NULL,
        due_date DATE, evidence_date DATE, reason VARCHAR, rulebook_version VARCHAR NOT NULL)""",
    f"""CREATE TABLE IF NOT EXISTS marts.scorecard ({PARTITION_COLUMNS},
        scope VARCHAR NOT NULL, criterion_id VARCHAR NOT NULL, question_id VARCHAR,
        met BIGINT NOT NULL, evaluated BIGINT NOT NULL, pct DOUBLE, ci_low DOUBLE,
        ci_high DOUBLE, band VARCHAR, rulebook_version VARCHAR NOT NULL)""",
    # the cases an inspection-style sample scores; stg_cases reads it when scope = 'sample'
    f"""CREATE TABLE IF NOT EXISTS marts.sample_cases ({PARTITION_COLUMNS},
        case_key VARCHAR NOT NULL, event_number BIGINT NOT NULL)""",
    # how each night's sample was drawn, so its report can say so; one row per as_of_date
    """CREATE TABLE IF NOT EXISTS marts.sample_draws (as_of_date DATE NOT NULL,
        window_start DATE NOT NULL, window_end DATE NOT NULL, size BIGINT NOT NULL,
        min_high_rosh BIGINT NOT NULL, seed BIGINT NOT NULL, drawn BIGINT NOT NULL,
        rulebook_version VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS marts.benchmark (as_of_date DATE NOT NULL,
        scope VARCHAR NOT NULL, criterion_id VARCHAR NOT NULL, question_id VARCHAR,
        area_code VARCHAR NOT NULL, region VARCHAR NOT NULL, pct DOUBLE, region_pct DOUBLE,
        national_pct DOUBLE, rank_in_region BIGINT, rank_national BIGINT,
        diff_region_pts DOUBLE, diff_national_pts DOUBLE, flag VARCHAR, composite_score DOUBLE,
        composite_rank BIGINT, rulebook_version VARCHAR NOT NULL)""",
    f"""CREATE TABLE IF NOT EXISTS marts.data_quality ({PARTITION_COLUMNS},
        scope VARCHAR NOT NULL, rows_quarantined BIGINT NOT NULL,
        cases_touched BIGINT NOT NULL, cases_scored BIGINT NOT NULL,
        scored_cases_touched BIGINT NOT NULL)""",
)


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    if not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in WAREHOUSE_DDL:
        con.execute(statement)


def is_lock_error(error: BaseException) -> bool:
    text = str(error)
    return isinstance(error, duckdb.IOException) and "lock" in text.lower()


def with_lock_retry(action: Callable[[], T], attempts: int = 60, wait_seconds: float = 2.0) -> T:
    """Run `action`, waiting while another process holds the warehouse's write lock."""
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except duckdb.IOException as error:
            if not is_lock_error(error) or attempt == attempts:
                raise
            log.info("warehouse is locked by another writer; retry %d/%d", attempt, attempts)
            time.sleep(wait_seconds)
    raise AssertionError("unreachable")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: a failure anywhere leaves the previous warehouse state intact."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
