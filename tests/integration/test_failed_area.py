"""One area's bad export through the real DAG: the others publish, the run ends failed."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest

from pipelines import synth
from pipelines.contract.exports import EVENTS
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow

AREAS = ["WAR", "DUR", "CUM"]
BAD = "DUR"
NIGHT = dt.date(2006, 9, 4)


def test_a_rejected_area_publishes_the_others_and_fails_the_run(
    airflow_db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    landing = tmp_path / "landing"
    synth.generate(landing, [NIGHT], AREAS, scale=0.02, seed=5)
    (landing / NIGHT.isoformat() / BAD / EVENTS.file_name).unlink()
    monkeypatch.setenv("CASEAUDIT_LANDING", str(landing))
    monkeypatch.setenv("CASEAUDIT_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("CASEAUDIT_PUBLISH", str(tmp_path / "publish"))
    monkeypatch.setenv("CASEAUDIT_WORK", str(tmp_path / "work"))
    monkeypatch.setenv("CASEAUDIT_EXPECTED_AREAS", ",".join(AREAS))

    dag = DagBag(dag_folder=str(PROJECT_ROOT / "dags")).get_dag("nightly_case_audit")
    run = dag.test(logical_date=dt.datetime(2006, 9, 4, 1, tzinfo=dt.UTC))

    assert run.state == "failed"
    states = {(ti.task_id, ti.map_index): ti.state for ti in run.get_task_instances()}
    assert states == {
        ("wait_for_exports", -1): "success",
        ("plan_night", -1): "success",
        ("prepare_validation", -1): "success",
        **{("ingest_area", i): "success" for i in range(len(AREAS))},
        ("load_warehouse", -1): "success",
        ("build_data_docs", -1): "success",
        ("publish", -1): "success",
        ("check_night", -1): "failed",
    }

    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        statuses = con.execute(
            "SELECT DISTINCT area_code, status FROM audit.runs WHERE as_of_date = ? ORDER BY 1",
            [NIGHT],
        ).fetchall()
        scored = con.execute(
            "SELECT DISTINCT area_code FROM marts.scorecard WHERE as_of_date = ? ORDER BY 1",
            [NIGHT],
        ).fetchall()
    assert statuses == [("CUM", "loaded"), ("DUR", "rejected"), ("WAR", "loaded")]
    assert scored == [("CUM",), ("WAR",)]

    published = tmp_path / "publish" / NIGHT.isoformat()
    with (published / "scorecard.csv").open(newline="") as f:
        assert {row["area_code"] for row in csv.DictReader(f)} == {"CUM", "WAR"}
    report = (published / "report.html").read_text(encoding="utf-8")
    assert "3 area exports received; 1 rejected" in report
    quality = report[report.index('<section id="quality">') :]
    quality = quality[: quality.index("</section>")]
    assert f">{BAD}<" in quality and f">{AREAS[0]}<" not in quality
