"""Where things live and which secret applies, from the environment.

Everything a deployment changes is an environment variable with a local default,
so the command line, the DAGs and the tests resolve paths the same way
(README, "Where outputs land").
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

DEVELOPMENT_CASE_KEY_SECRET = "caseaudit-DEVELOPMENT-ONLY-secret-do-not-use-in-production"

log = logging.getLogger(__name__)


def data_dir() -> Path:
    return Path(os.environ.get("CASEAUDIT_DATA", Path.cwd() / "data"))


def landing_dir() -> Path:
    return Path(os.environ.get("CASEAUDIT_LANDING", data_dir() / "landing"))


def warehouse_path() -> Path:
    return Path(os.environ.get("CASEAUDIT_WAREHOUSE", data_dir() / "warehouse.duckdb"))


def publish_dir() -> Path:
    return Path(os.environ.get("CASEAUDIT_PUBLISH", data_dir() / "publish"))


def work_root() -> Path:
    """Per-area Parquet between ingest and the warehouse writer, and the validated values."""
    return Path(os.environ.get("CASEAUDIT_WORK", data_dir() / "work"))


def case_key_secret() -> bytes:
    """The HMAC key for case_key: CASEAUDIT_CASE_KEY_SECRET, else a labelled dev default.

    In Airflow the variable is set from a connection or variable by the deployment
    (see README); the development default is announced so it is never silent.
    """
    secret = os.environ.get("CASEAUDIT_CASE_KEY_SECRET")
    if secret:
        return secret.encode()
    _warn_development_secret()
    return DEVELOPMENT_CASE_KEY_SECRET.encode()


@functools.cache
def _warn_development_secret() -> None:
    log.warning(
        "CASEAUDIT_CASE_KEY_SECRET is not set: case_key uses the DEVELOPMENT default secret"
    )
