"""Test-wide environment: a private Airflow home and data folder per test session.

Airflow reads its configuration at import, so the variables are set here, before
any test module imports it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SESSION_DIR = Path(tempfile.mkdtemp(prefix="caseaudit-tests-"))

os.environ.update(
    {
        "AIRFLOW_HOME": str(SESSION_DIR / "airflow_home"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "GX_ANALYTICS_ENABLED": "False",
        "CASEAUDIT_DATA": str(SESSION_DIR / "data"),
        # dag.test() crashes on a DAG with a Deadline Alert (apache/airflow#73428);
        # the scheduler stack test sets its own
        "CASEAUDIT_PUBLISH_WITHIN_MINUTES": "0",
    }
)
os.environ.pop("CASEAUDIT_CASE_KEY_SECRET", None)
for name in ("CASEAUDIT_LANDING", "CASEAUDIT_WAREHOUSE", "CASEAUDIT_PUBLISH", "CASEAUDIT_WORK"):
    os.environ.pop(name, None)


def airflow_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the Airflow CLI of this environment; fail loudly with its output."""
    airflow = Path(sys.executable).with_name("airflow")
    done = subprocess.run([str(airflow), *args], capture_output=True, text=True, env=os.environ)
    assert done.returncode == 0, f"airflow {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """A migrated SQLite metadata database with the warehouse pool, once per session."""
    airflow_cli("db", "migrate")
    airflow_cli("pools", "set", "caseaudit_warehouse", "1", "one DuckDB writer")
    return Path(os.environ["AIRFLOW_HOME"])
