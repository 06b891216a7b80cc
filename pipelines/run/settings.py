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

from upath import UPath

from pipelines import storage

DEVELOPMENT_CASE_KEY_SECRET = "caseaudit-DEVELOPMENT-ONLY-secret-do-not-use-in-production"

log = logging.getLogger(__name__)


def data_dir() -> Path:
    return Path(os.environ.get("CASEAUDIT_DATA", Path.cwd() / "data"))


def landing_dir() -> UPath:
    """Where exports land: a folder, or a storage URL such as s3://bucket/landing."""
    return storage.location(os.environ.get("CASEAUDIT_LANDING", data_dir() / "landing"))


def warehouse_path() -> Path:
    """The DuckDB file: always on the writer's own disk."""
    return Path(os.environ.get("CASEAUDIT_WAREHOUSE", data_dir() / "warehouse.duckdb"))


def publish_dir() -> UPath:
    return storage.location(os.environ.get("CASEAUDIT_PUBLISH", data_dir() / "publish"))


def work_root() -> UPath:
    """Per-area Parquet between ingest and the warehouse writer, and the validated values:
    shared by every worker (a folder they all mount, or a storage URL)."""
    return storage.location(os.environ.get("CASEAUDIT_WORK", data_dir() / "work"))


def expected_areas() -> tuple[str, ...]:
    """The areas a night expects: CASEAUDIT_EXPECTED_AREAS, `all` (the default) or codes
    like WAR,DUR. An expected area that has not landed is reported missing."""
    from pipelines.contract.reference import area_codes

    text = os.environ.get("CASEAUDIT_EXPECTED_AREAS", "all").strip()
    if text in ("", "all"):
        return area_codes()
    codes = tuple(c.strip().upper() for c in text.split(",") if c.strip())
    unknown = [c for c in codes if c not in area_codes()]
    if unknown:
        raise ValueError(
            f"CASEAUDIT_EXPECTED_AREAS names {', '.join(unknown)}, not area codes: set it to "
            "`all` or to codes from docs/exports.md"
        )
    return codes


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
