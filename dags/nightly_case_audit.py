"""Nightly ESI census audit: wiring only; every step is a function in `pipelines`."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import (
    Asset,
    Param,
    dag,
    get_current_context,
    task,
)
from airflow.timetables.interval import CronDataIntervalTimetable

from pipelines.run.airflow import ExportsLandedSensor, publish_deadline

WAREHOUSE_POOL = "caseaudit_warehouse"
NIGHTLY_SCORECARD = Asset("caseaudit://marts/scorecard")

DOC = """
### Nightly case audit

Scores every supervised case of every probation area against the Effective
Supervision Inspection criteria (B1, B3, C2) from that night's exports.

* **Schedule**: 02:00 Europe/London. The timetable is a cron *data interval*
  one, so a run's logical date is the start of its interval: the run at 02:00
  on the 2nd has logical date the 1st, which is the **export date** (as_of).
* **Waits** (deferred on the triggerer, holding no worker slot) until every
  expected area's export is complete, or until the cut-off
  (CASEAUDIT_EXPORTS_CUTOFF_MINUTES after it starts, default 240); what has not
  landed by then is recorded missing. A night not published within
  CASEAUDIT_PUBLISH_WITHIN_MINUTES (default 360; 0 = none) of being queued
  calls the deadline callback `pipelines.run.airflow.night_not_published`.
* **Flow** (the steps of `pipelines/run/steps.py`, which `caseaudit run` calls
  too): plan the night (the areas that landed, this run's work folder) ->
  validate the contract's own values (once per suite version) -> ingest and
  validate each area in parallel (mapped, independent, one Parquet set each;
  GX then sees only values neither the contract nor an earlier night holds) ->
  one warehouse
  writer under the one-slot pool `caseaudit_warehouse` (load, derive, score in
  one transaction), beside the Data Docs build -> publish, which emits an event
  of the Asset `caseaudit://marts/scorecard` naming the night (DAG
  `regional_benchmark` is scheduled on it) -> fail the run when an export or a
  landing folder was rejected, after the others published, so an operator sees
  it (a rejected area is marked in `audit.runs` and the report).
* **Params**: `as_of` overrides the export date; `areas` sets the areas the night
  expects (default CASEAUDIT_EXPECTED_AREAS, all 42); `accept_new_key` allows a
  deliberate change of the case-key secret.
* **Rerun / backfill**: a rerun replaces exactly that night's rows.
"""


def _as_of() -> dt.date:
    from pipelines.run.airflow import as_of_from_context

    return as_of_from_context(get_current_context())


def _plan(plan: dict):
    from pipelines.run.steps import NightPlan

    return NightPlan.from_dict(plan)


@dag(
    dag_id="nightly_case_audit",
    schedule=CronDataIntervalTimetable("0 2 * * *", timezone="Europe/London"),
    # exports go back to the 2000s; catchup=False keeps the scheduler from replaying them
    start_date=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    deadline=publish_deadline(),
    doc_md=DOC,
    tags=["caseaudit", "nightly"],
    default_args={
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "max_retry_delay": dt.timedelta(minutes=20),
    },
    params={
        "as_of": Param(
            None,
            type=["null", "string"],
            format="date",
            description="Export date to score (YYYY-MM-DD); empty means the logical date.",
        ),
        "areas": Param(
            [],
            type="array",
            items={"type": "string", "pattern": "^[A-Z]{3}$"},
            description="The areas the night expects and scores; empty means "
            "CASEAUDIT_EXPECTED_AREAS (all 42 unless set). An expected area that did not "
            "land is recorded missing and fails the run.",
        ),
        "accept_new_key": Param(
            False,
            type="boolean",
            description="Score the night although the case-key secret differs from the "
            "warehouse's last night (a deliberate key rotation).",
        ),
    },
)
def nightly_case_audit():
    @task
    def plan_night() -> list[str]:
        """The areas to ingest (mapped over); the whole plan goes to XCom key "plan"."""
        from pipelines.run import settings, steps
        from pipelines.run.airflow import fail_without_retry

        context = get_current_context()
        params = context["params"]
        with fail_without_retry(steps.NightFailed, steps.KeyChanged):
            plan = steps.plan_night(
                settings.landing_dir(),
                _as_of(),
                params["areas"] or None,
                settings.work_root(),
                settings.warehouse_path(),
                accept_new_key=params["accept_new_key"],
            )
        context["ti"].xcom_push(key="plan", value=plan.to_dict())
        return plan.areas

    @task
    def prepare_validation(plan: dict) -> None:
        from pipelines.run import steps

        steps.prepare_validation(plan["work_root"])

    @task(map_index_template="{{ area_code }}")
    def ingest_area(plan: dict, area_code: str) -> str:
        from pipelines.run import settings, steps

        get_current_context()["area_code"] = area_code
        return steps.ingest_area(_plan(plan), settings.landing_dir(), area_code).status

    @task(pool=WAREHOUSE_POOL)
    def load_warehouse(plan: dict) -> None:
        from pipelines.run import settings, steps

        steps.load_night(_plan(plan), settings.warehouse_path())

    @task
    def build_data_docs(plan: dict) -> None:
        from pipelines.run import steps

        steps.build_data_docs(_plan(plan))

    @task(outlets=[NIGHTLY_SCORECARD])
    def publish(plan: dict) -> None:
        from pipelines.run import settings, steps
        from pipelines.run.airflow import asset_extra

        night = _plan(plan)
        steps.publish_night(night, settings.warehouse_path(), settings.publish_dir())
        # regional_benchmark reads the night from the event (its runs have no logical date)
        outlet = get_current_context()["outlet_events"][NIGHTLY_SCORECARD]
        outlet.extra = asset_extra(night.as_of)

    @task(retries=0)
    def check_night(plan: dict) -> None:
        """Fail the run when an export or a landing folder was rejected (steps.night_outcome)."""
        from pipelines.run import steps

        night = _plan(plan)
        steps.night_outcome(night, steps.area_results(night))

    waited = ExportsLandedSensor(task_id="wait_for_exports")
    areas = plan_night()
    waited >> areas
    plan = areas["plan"]
    ingested = ingest_area.partial(plan=plan).expand(area_code=areas)
    prepare_validation(plan) >> ingested
    loaded, site = load_warehouse(plan), build_data_docs(plan)
    ingested >> [loaded, site]
    [loaded, site] >> publish(plan) >> check_night(plan)


nightly_case_audit()
