"""DAG integrity: every DAG imports cleanly and carries what operators rely on."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from airflow.dag_processing.dagbag import DagBag

from tests.conftest import PROJECT_ROOT


@pytest.fixture(scope="module")
def dagbag() -> DagBag:
    return DagBag(dag_folder=str(PROJECT_ROOT / "dags"))


def test_no_import_errors(dagbag: DagBag) -> None:
    assert dagbag.import_errors == {}
    assert sorted(dagbag.dags) == ["nightly_case_audit", "regional_benchmark"]


def test_every_dag_has_tags_doc_and_retries(dagbag: DagBag) -> None:
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        assert dag.doc_md and len(dag.doc_md) > 100, f"{dag_id} has no doc"
        for task in dag.tasks:
            if task.task_id == "check_night":
                continue  # deliberately final: retrying a rejection changes nothing
            assert task.retries >= 2, f"{dag_id}.{task.task_id} retries {task.retries}"


def test_nightly_writer_is_serialised_by_the_pool(dagbag: DagBag) -> None:
    dag = dagbag.dags["nightly_case_audit"]
    assert dag.get_task("load_warehouse").pool == "caseaudit_warehouse"
    writers = [t.task_id for t in dag.tasks if t.pool == "caseaudit_warehouse"]
    assert writers == ["load_warehouse"]


def test_dag_files_import_nothing_heavy() -> None:
    """Parsing a DAG file imports no data library: the dag-processor parses them often."""
    files = sorted(p for p in (PROJECT_ROOT / "dags").glob("*.py") if p.name != "__init__.py")
    assert [f.name for f in files] == ["nightly_case_audit.py", "regional_benchmark.py"]
    probe = (
        "import runpy, sys\n"
        f"for path in {[str(f) for f in files]!r}:\n"
        "    runpy.run_path(path)\n"
        "print(sorted(m for m in ('duckdb', 'pandas', 'pyarrow', 'great_expectations', "
        "'numpy') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=os.environ,
        cwd=PROJECT_ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_benchmark_is_scheduled_on_the_nightly_scorecard_asset(dagbag: DagBag) -> None:
    nightly = dagbag.dags["nightly_case_audit"]
    benchmark = dagbag.dags["regional_benchmark"]
    (outlet,) = nightly.get_task("publish").outlets
    assert outlet.uri == "caseaudit://marts/scorecard"
    assert benchmark.timetable.asset_condition.objects == (outlet,)
    assert benchmark.get_task("rebuild").pool == "caseaudit_warehouse"


def test_logical_date_is_the_export_date() -> None:
    """The 02:00 run on 5 September scores the exports of 4 September (BST and GMT)."""
    from airflow.timetables.base import TimeRestriction

    from pipelines.run.airflow import as_of_from_context

    dag = DagBag(dag_folder=str(PROJECT_ROOT / "dags")).dags["nightly_case_audit"]
    for export_date, run_after in (
        (dt.date(2006, 9, 4), dt.datetime(2006, 9, 5, 1, tzinfo=dt.UTC)),  # 02:00 BST
        (dt.date(2006, 12, 4), dt.datetime(2006, 12, 5, 2, tzinfo=dt.UTC)),  # 02:00 GMT
    ):
        earliest = dt.datetime.combine(export_date, dt.time(), tzinfo=dt.UTC)
        info = dag.timetable.next_dagrun_info(
            last_automated_data_interval=None,
            restriction=TimeRestriction(earliest=earliest, latest=None, catchup=True),
        )
        assert info.run_after == run_after
        context = {"params": {"as_of": None}, "logical_date": info.logical_date}
        assert as_of_from_context(context) == export_date


@pytest.mark.parametrize(
    ("params", "valid"),
    [
        ({"as_of": None, "areas": []}, True),
        ({"as_of": "2006-09-04", "areas": ["WAR", "DUR"]}, True),
        ({"as_of": None, "areas": [], "accept_new_key": True}, True),
        ({"as_of": None, "areas": [], "accept_new_key": "yes"}, False),
        ({"as_of": "4 Sept 2006", "areas": []}, False),
        ({"as_of": None, "areas": ["war"]}, False),
        ({"as_of": None, "areas": "WAR"}, False),
    ],
)
def test_trigger_form_validates_params(dagbag: DagBag, params: dict, valid: bool) -> None:
    from airflow.sdk.definitions.param import ParamsDict
    from airflow.sdk.exceptions import ParamValidationError

    form = ParamsDict(dagbag.dags["nightly_case_audit"].params)
    if valid:
        form.update(params)
        assert form.validate() == {"accept_new_key": False, **params}
    else:
        with pytest.raises(ParamValidationError):
            form.update(params)
