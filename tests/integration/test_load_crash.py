"""The warehouse writer killed mid-transaction: the previous night survives, a retry completes.

The load runs in a child process, as an Airflow task's would. A wrapper defined
here (test code only) announces on stdout when the areas of the night have
been written inside the still-open transaction; the test then kills the child
with SIGKILL, so no Python cleanup, rollback or close runs.
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines import nightly, synth
from tests.integration.warehouse_tables import all_rows

pytestmark = pytest.mark.slow

AREAS = ["WAR", "DUR"]
NIGHT_1, NIGHT_2 = dt.date(2006, 9, 4), dt.date(2006, 9, 11)
WRITTEN = "areas written inside the open transaction"

CHILD = f"""
import datetime as dt
import sys
from pathlib import Path

from pipelines import load, nightly

replace_areas = load._replace_areas


def announced(*args, **kwargs):
    replace_areas(*args, **kwargs)
    print({WRITTEN!r}, flush=True)


load._replace_areas = announced
warehouse, night, areas, work = sys.argv[1:]
nightly.load_ingested(Path(warehouse), dt.date.fromisoformat(night), areas.split(","), Path(work))
print("committed", flush=True)
"""


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """Both nights ingested once; every warehouse here loads the same Parquet."""
    root = tmp_path_factory.mktemp("crash")
    synth.generate(root / "landing", [NIGHT_1, NIGHT_2], AREAS, scale=0.05, seed=21)
    for night in (NIGHT_1, NIGHT_2):
        for area in AREAS:
            nightly.ingest_one(root / "landing", night, area, root / "work")
    return root / "work"


def test_killed_load_leaves_the_previous_night_intact_and_a_retry_completes(
    work: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    nightly.load_ingested(warehouse, NIGHT_1, AREAS, work)
    before = all_rows(warehouse)
    assert before["marts.scorecard"] and before["staging.events"]

    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            str(warehouse),
            NIGHT_2.isoformat(),
            ",".join(AREAS),
            str(work),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert child.stdout.readline().strip() == WRITTEN
        child.send_signal(signal.SIGKILL)
        rest = child.stdout.read()
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert "committed" not in rest, "the load finished before the kill: nothing was tested"

    assert all_rows(warehouse) == before

    nightly.load_ingested(warehouse, NIGHT_2, AREAS, work)
    after = all_rows(warehouse)
    clean = tmp_path / "clean.duckdb"
    for night in (NIGHT_1, NIGHT_2):
        nightly.load_ingested(clean, night, AREAS, work)
    assert after == all_rows(clean)
    for table, rows in before.items():
        night_1 = [row for row in after[table] if row[0] == NIGHT_1]  # as_of_date first
        assert night_1 == rows, table
    assert {row[0] for row in after["marts.scorecard"]} == {NIGHT_1, NIGHT_2}
