"""Nightly ESI census audit: wiring only; every step is a function in `pipelines`."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Asset, Param, dag, get_current_context, task
from airflow.timetables.interval import CronDataIntervalTimetable

WAREHOUSE_POOL = "caseaudit_warehouse"
NIGHTLY_SCORECARD = Asset("caseaudit://marts/scorecard")

DOC = """
### Nightly case audit

Scores every supervised case of every probation area against the Effective
Supervision Inspection criteria (B1, B3, C2) from that night's exports.

* **Schedule**: 02:00 Europe/London. The timetable is a cron *data interval*
  one, so a run's logical date is the start of its interval: the run at 02:00
  on the 2nd has logical date the 1st, which is the **export date** (as_of).
* **Flow**: discover the areas that landed -> ingest and validate each area in
  parallel (mapped, one Parquet set each) -> one warehouse writer under the
  one-slot pool `caseaudit_warehouse` (load, derive, score in one transaction)
  -> publish, which emits an event of the Asset `caseaudit://marts/scorecard`
  naming the night (DAG `regional_benchmark` is scheduled on it) -> fail the
  run when an area was rejected, after the others published, so an operator
  sees it (the rejected area is marked in `audit.runs` and the report).
* **Params**: `as_of` overrides the export date; `areas` narrows the areas.
* **Rerun / backfill**: a rerun replaces exactly that night's rows.
"""


def _as_of() -> dt.date:
    from pipelines.airflow_support import as_of_from_context

    return as_of_from_context(get_current_context())


@dag(
    dag_id="nightly_case_audit",
    schedule=CronDataIntervalTimetable("0 2 * * *", timezone="Europe/London"),
    # exports go back to the 2000s; catchup=False keeps the scheduler from replaying them
    start_date=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
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
            description="Area codes to score; empty means every area that landed.",
        ),
    },
)
def nightly_case_audit():
    @task
    def discover_areas() -> list[str]:
        from pipelines import nightly, settings

        params = get_current_context()["params"]
        codes, _ = nightly.plan_areas(settings.landing_dir(), _as_of(), params["areas"] or None)
        return codes

    @task(map_index_template="{{ area_code }}")
    def ingest_area(area_code: str) -> dict[str, str]:
        from pipelines import nightly, settings

        get_current_context()["area_code"] = area_code
        result, _ = nightly.ingest_one(settings.landing_dir(), _as_of(), area_code)
        return {"area_code": area_code, "status": result.status}

    @task(pool=WAREHOUSE_POOL)
    def load_warehouse(ingested: list[dict[str, str]]) -> list[str]:
        from pipelines import nightly, settings

        codes = [i["area_code"] for i in ingested]
        summary = nightly.load_ingested(settings.warehouse_path(), _as_of(), codes)
        return list(summary.rejected_areas)

    @task(outlets=[NIGHTLY_SCORECARD])
    def publish() -> None:
        from pipelines import nightly, orchestration, settings

        as_of = _as_of()
        nightly.publish_night(settings.warehouse_path(), as_of, settings.publish_dir())
        # regional_benchmark reads the night from the event (its runs have no logical date)
        outlet = get_current_context()["outlet_events"][NIGHTLY_SCORECARD]
        outlet.extra = orchestration.asset_extra(as_of)

    @task(retries=0)
    def fail_on_rejected_areas(rejected: list[str]) -> None:
        from pipelines.airflow_support import raise_if_rejected

        raise_if_rejected(rejected)

    rejected = load_warehouse(ingest_area.expand(area_code=discover_areas()))
    publish_task = publish()
    rejected >> publish_task >> fail_on_rejected_areas(rejected)


nightly_case_audit()
