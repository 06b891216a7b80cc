"""Where things live and which secrets and rules apply, from the environment.

Everything a deployment changes is an environment variable with a local default,
so the command line, the DAGs and the tests resolve paths the same way.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = PROJECT_ROOT / "sql"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
PACKAGE_DIR = Path(__file__).resolve().parent
AREAS_CSV = PACKAGE_DIR / "reference" / "probation_areas.csv"
DEFAULT_RULEBOOK = PACKAGE_DIR / "config" / "esi-2006.1.toml"

DEVELOPMENT_CASE_KEY_SECRET = "caseaudit-DEVELOPMENT-ONLY-secret-do-not-use-in-production"

log = logging.getLogger(__name__)


def data_dir() -> Path:
    return Path(os.environ.get("CASEAUDIT_DATA", PROJECT_ROOT / "data"))


def landing_dir() -> Path:
    return Path(os.environ.get("CASEAUDIT_LANDING", data_dir() / "landing"))


def warehouse_path() -> Path:
    return Path(os.environ.get("CASEAUDIT_WAREHOUSE", data_dir() / "warehouse.duckdb"))


def publish_dir() -> Path:
    return Path(os.environ.get("CASEAUDIT_PUBLISH", data_dir() / "publish"))


def work_root() -> Path:
    """Per-area Parquet between ingest and the warehouse writer."""
    return Path(os.environ.get("CASEAUDIT_WORK", data_dir() / "work"))


def rulebook_path() -> Path:
    return Path(os.environ.get("CASEAUDIT_RULEBOOK", DEFAULT_RULEBOOK))


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
