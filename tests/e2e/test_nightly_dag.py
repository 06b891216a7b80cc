"""End to end through real Airflow: generated exports -> dag.test() -> warehouse.

The same night is also run through the command line into a second warehouse;
both paths call the same functions, so their marts must be identical.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import duckdb
import pytest

from pipelines import cli, synth
from pipelines.contract.exports import EXPORT_FILES
from tests.conftest import PROJECT_ROOT

AREAS = ["WAR", "DUR", "CUM"]
NIGHTS = [dt.date(2006, 9, 4), dt.date(2006, 9, 11)]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    synth.generate(out, NIGHTS, AREAS, scale=0.05, seed=11)
    return out


@pytest.fixture(scope="module")
def dag_warehouse(landing: Path, airflow_db, tmp_path_factory) -> Path:
    from airflow.dag_processing.dagbag import DagBag

    data = tmp_path_factory.mktemp("dag-data")
    os.environ.update(
        CASEAUDIT_LANDING=str(landing),
        CASEAUDIT_WAREHOUSE=str(data / "warehouse.duckdb"),
        CASEAUDIT_PUBLISH=str(data / "publish"),
        CASEAUDIT_WORK=str(data / "work"),
        CASEAUDIT_EXPECTED_AREAS=",".join(AREAS),
    )
    try:
        dag = DagBag(dag_folder=str(PROJECT_ROOT / "dags")).get_dag("nightly_case_audit")
        for night in NIGHTS:
            run = dag.test(
                logical_date=dt.datetime(night.year, night.month, night.day, 12, tzinfo=dt.UTC)
            )
            assert run.state == "success", f"{night}: {run.state}"
    finally:
        for name in (
            "CASEAUDIT_LANDING",
            "CASEAUDIT_WAREHOUSE",
            "CASEAUDIT_PUBLISH",
            "CASEAUDIT_WORK",
            "CASEAUDIT_EXPECTED_AREAS",
        ):
            os.environ.pop(name)
    return data / "warehouse.duckdb"


@pytest.fixture(scope="module")
def cli_warehouse(landing: Path, tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("cli-data")
    warehouse = data / "warehouse.duckdb"
    code = cli.main(
        [
            "backfill",
            "--landing",
            str(landing),
            "--warehouse",
            str(warehouse),
            "--from",
            NIGHTS[0].isoformat(),
            "--to",
            NIGHTS[-1].isoformat(),
            "--publish",
            str(data / "publish"),
            "--areas",
            ",".join(AREAS),
        ]
    )
    assert code == 0
    return warehouse


def test_every_landed_row_is_loaded_or_quarantined(dag_warehouse: Path, landing: Path) -> None:
    con = duckdb.connect(str(dag_warehouse), read_only=True)
    for night in NIGHTS:
        for area in AREAS:
            manifest = json.loads(
                (landing / night.isoformat() / area / "_manifest.json").read_text()
            )
            for export in EXPORT_FILES:
                rows_in = manifest["files"][export.file_name]["rows"]
                loaded = con.execute(
                    f"SELECT count(*) FROM staging.{export.name} "
                    "WHERE as_of_date = ? AND area_code = ?",
                    [night, area],
                ).fetchone()[0]
                audit = con.execute(
                    "SELECT rows_in, rows_loaded, rows_quarantined FROM audit.runs "
                    "WHERE as_of_date = ? AND area_code = ? AND file = ?",
                    [night, area, export.file_name],
                ).fetchall()
                assert audit == [(rows_in, loaded, rows_in - loaded)]
                assert loaded > 0


def test_scorecard_scores_b11_and_b31_for_every_area(dag_warehouse: Path) -> None:
    con = duckdb.connect(str(dag_warehouse), read_only=True)
    rows = con.execute(
        "SELECT area_code, question_id, met, evaluated, pct FROM marts.scorecard "
        "WHERE as_of_date = ? AND scope = 'census' AND question_id IN ('B1.1', 'B3.1') "
        "ORDER BY 1, 2",
        [NIGHTS[-1]],
    ).fetchall()
    assert [(a, q) for a, q, *_ in rows] == [
        (a, q) for a in sorted(AREAS) for q in ("B1.1", "B3.1")
    ]
    for area, question, met, evaluated, pct in rows:
        assert evaluated > 10, (area, question)
        assert pct == round(100 * met / evaluated, 1)
    b11 = {a: pct for a, q, _, _, pct in rows if q == "B1.1"}
    assert len(set(b11.values())) > 1, "areas should differ"
    outcomes = con.execute(
        "SELECT count(*), count(DISTINCT (case_key, event_number)) FROM marts.case_outcomes "
        "WHERE as_of_date = ? AND question_id = 'B1.1'",
        [NIGHTS[-1]],
    ).fetchone()
    assert outcomes[0] == outcomes[1] > 0


def test_published_scorecard_exists(dag_warehouse: Path) -> None:
    publish = dag_warehouse.parent / "publish" / NIGHTS[-1].isoformat()
    assert (publish / "scorecard.csv").stat().st_size > 0


def test_dag_and_command_line_give_the_same_marts(dag_warehouse: Path, cli_warehouse: Path) -> None:
    for table in ("marts.case_outcomes", "marts.scorecard", "quarantine.rows"):
        query = f"SELECT * FROM {table} ORDER BY ALL"
        via_dag = duckdb.connect(str(dag_warehouse), read_only=True).execute(query).fetchall()
        via_cli = duckdb.connect(str(cli_warehouse), read_only=True).execute(query).fetchall()
        assert via_dag == via_cli, table
        if table != "quarantine.rows":
            assert via_dag
