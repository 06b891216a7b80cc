"""The DuckDB warehouse file: connections, the wait for its one writer, and transactions.

DuckDB lets one process write a file at a time, and a reader cannot open it
while another process writes. Every opening goes through `connect`, which waits
(with tenacity) while another process holds the file and then fails with
WarehouseLocked, which names the file and what to do.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import tenacity

log = logging.getLogger(__name__)


def lock_wait_seconds() -> float:
    """How long to wait for another process's hold on the warehouse:
    CASEAUDIT_LOCK_WAIT_SECONDS (default 120)."""
    return float(os.environ.get("CASEAUDIT_LOCK_WAIT_SECONDS", "120"))


class WarehouseLocked(RuntimeError):
    """Another process kept the warehouse file for longer than the wait."""


class WarehouseMissing(FileNotFoundError):
    """A read of a warehouse file that does not exist."""


def is_lock_error(error: BaseException) -> bool:
    return isinstance(error, duckdb.IOException) and "lock" in str(error).lower()


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting (lock_wait_seconds) while another process holds it."""
    path, wait_seconds = Path(path), lock_wait_seconds()
    if read_only and not path.is_file():
        raise WarehouseMissing(
            f"no warehouse at {path}: run `caseaudit run` (or the nightly DAG) first, "
            "or pass --warehouse"
        )
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception(is_lock_error),
        stop=tenacity.stop_after_delay(wait_seconds),
        wait=tenacity.wait_exponential(multiplier=0.2, max=5),
        before_sleep=lambda state: log.info("warehouse %s is held by another process", path),
        reraise=True,
    )
    try:
        return retrying(duckdb.connect, str(path), read_only=read_only)
    except duckdb.IOException as error:
        if not is_lock_error(error):
            raise
        raise WarehouseLocked(
            f"the warehouse {path} stayed locked by another process for {wait_seconds:.0f} s "
            "(a night or backfill is writing it): wait for it to finish, then run again"
        ) from None


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


@contextmanager
def writing(path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """The one way to write the warehouse: a connection and one transaction around it."""
    with connect(path) as con, transaction(con):
        yield con


@contextmanager
def reading(path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    with connect(path, read_only=True) as con:
        yield con
