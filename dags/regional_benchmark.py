"""Regional benchmark: rebuilt whenever the nightly DAG publishes a night's scorecard."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Asset, dag, get_current_context, task

WAREHOUSE_POOL = "caseaudit_warehouse"
NIGHTLY_SCORECARD = Asset("caseaudit://marts/scorecard")

DOC = """
### Regional benchmark

Ranks every probation area against its region and the nation, per criterion
and question, and rebuilds the night's published `benchmark.csv` and
`report.html`.

* **Schedule**: the Asset `caseaudit://marts/scorecard`, which
  `nightly_case_audit` updates when it publishes a night. Each event names its
  export date; events that arrive together (a backfill) are rebuilt in date order.
* **Writer**: the rebuild writes `marts.benchmark`, so it runs in the one-slot
  pool `caseaudit_warehouse` like the nightly load, and waits on DuckDB's lock.
* **Batching**: the scheduler hands a run the events queued when it is created;
  an event that lands while a run is being created goes to the next run.
* **Rerun**: idempotent; clearing a run rebuilds the same nights.
"""


@dag(
    dag_id="regional_benchmark",
    schedule=[NIGHTLY_SCORECARD],
    start_date=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    # no max_active_runs: a run waiting to be created would leave later events to the
    # next publish (the scheduler consumes events up to when the queue entry was made)
    doc_md=DOC,
    tags=["caseaudit", "benchmark"],
    default_args={
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=1),
        "retry_exponential_backoff": True,
        "max_retry_delay": dt.timedelta(minutes=10),
    },
)
def regional_benchmark():
    @task
    def nights_published() -> list[str]:
        from pipelines.run.airflow import nights_from_events

        events = get_current_context()["triggering_asset_events"][NIGHTLY_SCORECARD]
        return [night.isoformat() for night in nights_from_events(events)]

    @task(pool=WAREHOUSE_POOL)
    def rebuild(nights: list[str]) -> None:
        from pipelines.run import settings, steps

        for night in nights:
            steps.rebuild_benchmark(
                settings.warehouse_path(), dt.date.fromisoformat(night), settings.publish_dir()
            )

    rebuild(nights_published())


regional_benchmark()
