"""Every failure path of a night gives the same outcome through the DAG and the command line.

Each case lands the same small night (or breaks it one way), then runs it
through `caseaudit run` into one warehouse and through the real DAG
(`dag.test()`) into another: the command's exit status and the DAG run's state
must agree, and so must the two warehouses, table by table (the run log without
its ids and clock times). Both paths call the steps of pipelines/run/steps.py.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from pipelines import cli, synth
from pipelines.contract import handoff
from pipelines.contract.exports import EVENTS
from tests.conftest import PROJECT_ROOT
from tests.warehouse_tables import all_rows

pytestmark = pytest.mark.slow
NIGHT = dt.date(2006, 9, 4)
AREAS = ["WAR", "DUR"]
PATHS = ("CASEAUDIT_LANDING", "CASEAUDIT_WAREHOUSE", "CASEAUDIT_PUBLISH", "CASEAUDIT_WORK")


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("exports")
    synth.generate(landing, [NIGHT], AREAS, scale=0.02, seed=8, defect_rate=0.02)
    return landing


def _land(exports: Path, root: Path) -> Path:
    landing = root / "landing"
    shutil.copytree(exports, landing)
    return landing


def _bad_folder(landing: Path) -> None:
    shutil.copytree(landing / NIGHT.isoformat() / "DUR", landing / NIGHT.isoformat() / "WAR;DROP")


def _rejected_area(landing: Path) -> None:
    (landing / NIGHT.isoformat() / "DUR" / EVENTS.file_name).unlink()


def _nothing_landed(landing: Path) -> None:
    for area in (landing / NIGHT.isoformat()).iterdir():
        shutil.rmtree(area)


def _warehouse_of_another_shape(warehouse: Path) -> None:
    """A warehouse whose scorecard lost a column: the writer fails inside its transaction."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.scorecard (as_of_date DATE, area_code VARCHAR)")


def _miscounted_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection at the hand-off: the writer reads one more row than ingest wrote."""
    read = handoff.read_result

    def miscounted(area_dir):
        result = read(area_dir)
        first = result.files[0]
        result.files[0] = handoff.FileAudit(
            first.file,
            first.rows_in + 1,
            first.rows_loaded + 1,
            first.rows_quarantined,
            first.sha256,
        )
        return result

    monkeypatch.setattr(handoff, "read_result", miscounted)
    import pipelines.run.steps as steps

    monkeypatch.setattr(steps, "read_result", miscounted)


# case: (change to the landing, change to a fresh warehouse, fault, exit status, DAG state)
CASES: dict[str, tuple[Callable | None, Callable | None, Callable | None, int, str]] = {
    "clean night": (None, None, None, 0, "success"),
    "landing folder not an area": (_bad_folder, None, None, 1, "failed"),
    "rejected area": (_rejected_area, None, None, 1, "failed"),
    "no export at all": (_nothing_landed, None, None, 1, "failed"),
    "writer failure": (None, _warehouse_of_another_shape, None, 4, "failed"),
    "reconciliation failure": (None, None, _miscounted_result, 4, "failed"),
}


def _via_cli(landing: Path, root: Path) -> int:
    return cli.main(
        [
            "run",
            "--landing",
            str(landing),
            "--warehouse",
            str(root / "warehouse.duckdb"),
            "--as-of",
            NIGHT.isoformat(),
            "--publish",
            str(root / "publish"),
        ]
    )


def _via_dag(landing: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    from airflow.dag_processing.dagbag import DagBag

    for name, value in zip(
        PATHS, (landing, *(root / n for n in ("warehouse.duckdb", "publish", "work"))), strict=True
    ):
        monkeypatch.setenv(name, str(value))
    # a night with nothing landed waits out the cut-off before it fails: a short one here
    monkeypatch.setenv("CASEAUDIT_EXPORTS_CUTOFF_MINUTES", "0.05")
    monkeypatch.setenv("CASEAUDIT_EXPORTS_POLL_SECONDS", "1")
    dag = DagBag(dag_folder=str(PROJECT_ROOT / "dags")).get_dag("nightly_case_audit")
    for task in dag.tasks:
        task.retries = 0  # dag.test() would wait out each retry delay; outcomes are the point
    return dag.test(logical_date=dt.datetime(2006, 9, 4, 12, tzinfo=dt.UTC)).state


def _tables(warehouse: Path) -> dict[str, list[tuple]] | bytes:
    if not warehouse.exists():
        return b""
    try:
        return all_rows(warehouse)
    except duckdb.Error:
        return warehouse.read_bytes()


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_the_dag_and_the_command_line_agree(case, exports, airflow_db, tmp_path, monkeypatch):
    landing_change, warehouse_change, fault, exit_status, dag_state = CASES[case]
    outcomes = {}
    for path in ("cli", "dag"):
        root = tmp_path / path
        root.mkdir()
        landing = _land(exports, root)
        if landing_change:
            landing_change(landing)
        if warehouse_change:
            warehouse_change(root / "warehouse.duckdb")
        with monkeypatch.context() as patch:
            patch.setenv("CASEAUDIT_EXPECTED_AREAS", ",".join(AREAS))
            if fault:
                fault(patch)
            if path == "cli":
                patch.setenv("CASEAUDIT_WORK", str(root / "work"))
                outcomes[path] = _via_cli(landing, root)
            else:
                outcomes[path] = _via_dag(landing, root, patch)
    assert outcomes == {"cli": exit_status, "dag": dag_state}
    via_cli, via_dag = (_tables(tmp_path / p / "warehouse.duckdb") for p in ("cli", "dag"))
    assert via_cli == via_dag
    published = [(tmp_path / p / "publish").exists() for p in ("cli", "dag")]
    assert published == [exit_status in (0, 1) and case != "no export at all"] * 2
    assert all(name not in os.environ for name in PATHS)
