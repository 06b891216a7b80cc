"""The warehouse writer killed mid-transaction: the previous night survives, a retry completes.

The load runs in a child process, as an Airflow task's would. A wrapper defined
here (test code only) announces on stdout when the areas of the night have
been written inside the still-open transaction; the test then kills the child
with SIGKILL, so no Python cleanup, rollback or close runs.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines import synth
from pipelines.run import steps
from tests.warehouse_tables import all_rows

pytestmark = pytest.mark.slow

AREAS = ["WAR", "DUR"]
NIGHT_1, NIGHT_2 = dt.date(2006, 9, 4), dt.date(2006, 9, 11)
WRITTEN = "areas written inside the open transaction"

CHILD = f"""
import json
import sys
from pathlib import Path

from pipelines.run import steps
from pipelines.warehouse import writer

replace_areas = writer._replace_areas


def announced(*args, **kwargs):
    replace_areas(*args, **kwargs)
    print({WRITTEN!r}, flush=True)


writer._replace_areas = announced
warehouse, plan = sys.argv[1:]
steps.load_night(steps.NightPlan.from_dict(json.loads(plan)), Path(warehouse))
print("committed", flush=True)
"""


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> dict[dt.date, steps.NightPlan]:
    """Both nights ingested once; every warehouse here loads the same Parquet."""
    root = tmp_path_factory.mktemp("crash")
    synth.generate(root / "landing", [NIGHT_1, NIGHT_2], AREAS, scale=0.05, seed=21)
    plans = {}
    for night in (NIGHT_1, NIGHT_2):
        plans[night] = steps.plan_night(root / "landing", night, AREAS, work_root=root / "work")
        for area in AREAS:
            steps.ingest_area(plans[night], root / "landing", area)
    return plans


def test_killed_load_leaves_the_previous_night_intact_and_a_retry_completes(
    plans: dict[dt.date, steps.NightPlan], tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    steps.load_night(plans[NIGHT_1], warehouse)
    before = all_rows(warehouse)
    assert before["marts.scorecard"] and before["staging.events"]

    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            str(warehouse),
            json.dumps(plans[NIGHT_2].to_dict()),
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

    steps.load_night(plans[NIGHT_2], warehouse)
    after = all_rows(warehouse)
    clean = tmp_path / "clean.duckdb"
    for night in (NIGHT_1, NIGHT_2):
        steps.load_night(plans[night], clean)
    assert after == all_rows(clean)
    for table, rows in before.items():
        night_1 = [row for row in after[table] if row[0] == NIGHT_1]  # as_of_date first
        assert night_1 == rows, table
    assert {row[0] for row in after["marts.scorecard"]} == {NIGHT_1, NIGHT_2}
