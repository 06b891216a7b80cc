"""An area's ingest needs nothing from another area of the same night.

The same night of three areas is run three ways into three warehouses: areas in
one order with the contract's values validated after them (every area asks GX
for all its values), in the reverse order after that validation, and side by
side in two worker processes. Every table of the three warehouses (the run log
without its ids and clock times) and every area's work files are identical.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from pipelines import synth
from pipelines.contract.exports import EXPORT_FILES
from pipelines.contract.handoff import QUARANTINE_NAME, staging_name
from pipelines.run import local, steps
from tests.warehouse_tables import export_tables

pytestmark = pytest.mark.slow
NIGHT = dt.date(2006, 10, 2)
AREAS = ["WAR", "DUR", "CUM"]


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    synth.generate(out, [NIGHT], AREAS, scale=0.02, seed=13, defect_rate=0.05)
    return out


def in_order(landing: Path, root: Path, order: list[str], validate_first: bool) -> steps.NightPlan:
    plan = steps.plan_night(landing, NIGHT, AREAS, work_root=root / "work")
    if validate_first:
        steps.prepare_validation(plan.work_root)
    for area in order:
        steps.ingest_area(plan, landing, area)
    if not validate_first:
        steps.prepare_validation(plan.work_root)
    steps.load_night(plan, root / "warehouse.duckdb")
    return plan


def side_by_side(landing: Path, root: Path) -> steps.NightPlan:
    with local.workers(2) as pool:
        night = local.run_night(
            pool, landing, root / "warehouse.duckdb", NIGHT, AREAS, work_root=root / "work"
        )
    return night.plan


def work_files(plan: steps.NightPlan) -> dict[tuple[str, str], list[tuple]]:
    files = {}
    with duckdb.connect() as con:
        for area in AREAS:
            for name in [staging_name(e.name) for e in EXPORT_FILES] + [QUARANTINE_NAME]:
                path = plan.area_dir(area) / name
                files[area, name] = con.execute(f"SELECT * FROM '{path}' ORDER BY ALL").fetchall()
    return files


def test_areas_in_any_order_or_side_by_side_give_the_same_warehouse(landing, tmp_path):
    plans = {
        "in order, cold": in_order(landing, tmp_path / "a", AREAS, validate_first=False),
        "reversed, warm": in_order(landing, tmp_path / "b", AREAS[::-1], validate_first=True),
        "side by side": side_by_side(landing, tmp_path / "c"),
    }
    cold, warm, _ = (steps.area_results(p) for p in plans.values())
    assert sum(a.rows_validated for a in warm) < sum(a.rows_validated for a in cold)
    tables = {
        name: {
            t: path.read_bytes()
            for t, path in export_tables(
                tmp_path / root / "warehouse.duckdb", tmp_path / root / "tables", keep_run_ids=False
            ).items()
        }
        for name, root in zip(plans, ("a", "b", "c"), strict=True)
    }
    first, *others = tables.values()
    assert len(first) > 20 and first["quarantine.rows"].count(b"\n") > 10
    for other in others:
        assert other == first
    files = [work_files(plan) for plan in plans.values()]
    assert files[1] == files[0] and files[2] == files[0]
