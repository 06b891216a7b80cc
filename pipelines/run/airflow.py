"""What the DAGs need of Airflow, kept out of the DAG files: task context, Asset events,
the wait for exports, the deadline callback.

`nightly_case_audit` waits (deferred, on the triggerer) until the night's
expected exports landed or a cut-off passes, announces each night it publishes
as an event of the scorecard Asset with the export date in its extra, and
calls `night_not_published` when a night misses its deadline;
`regional_benchmark` turns the events back into dates. Light to import: the
DAG files import it when they are parsed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from airflow.sdk import BaseOperator
from airflow.sdk.definitions.callback import AsyncCallback
from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference
from airflow.triggers.base import BaseTrigger, TriggerEvent

LONDON = ZoneInfo("Europe/London")
AS_OF_KEY = "as_of"


def as_of_from_context(context: Mapping[str, Any]) -> dt.date:
    """The export date a run scores: the `as_of` param, else the logical date in London.

    Airflow 3 may create manual runs without a logical date; those score the
    date the run was asked for (`run_after`).
    """
    override = context["params"].get("as_of")
    if override:
        return dt.date.fromisoformat(override)
    moment = context.get("logical_date") or context["dag_run"].run_after
    return moment.astimezone(LONDON).date()


def asset_extra(as_of: dt.date) -> dict[str, str]:
    """The extra the nightly DAG attaches to its scorecard Asset event."""
    return {AS_OF_KEY: as_of.isoformat()}


def nights_from_events(events: Iterable[Any]) -> list[dt.date]:
    """Export dates named by triggering Asset events, oldest first, each once.

    Several nights can land in one benchmark run when the scheduler batches
    events (a backfill publishes nights faster than the benchmark runs).
    """
    nights = set()
    for event in events:
        extra: Mapping[str, Any] = event.extra or {}
        if AS_OF_KEY not in extra:
            raise ValueError(f"scorecard Asset event without {AS_OF_KEY!r} in its extra: {extra}")
        nights.add(dt.date.fromisoformat(extra[AS_OF_KEY]))
    return sorted(nights)


@contextmanager
def fail_without_retry(*errors: type[BaseException]) -> Iterator[None]:
    """A task that raises one of `errors` fails at once: retrying changes nothing."""
    from airflow.sdk.exceptions import AirflowFailException

    try:
        yield
    except errors as error:
        raise AirflowFailException(str(error)) from error


def exports_cutoff() -> dt.timedelta:
    """How long the nightly DAG waits for expected exports: CASEAUDIT_EXPORTS_CUTOFF_MINUTES
    after its first look (default 240, so a 02:00 run scores what landed by 06:00)."""
    return dt.timedelta(minutes=float(os.environ.get("CASEAUDIT_EXPORTS_CUTOFF_MINUTES", "240")))


def exports_poll() -> float:
    """Seconds between looks at the landing: CASEAUDIT_EXPORTS_POLL_SECONDS (default 60)."""
    return float(os.environ.get("CASEAUDIT_EXPORTS_POLL_SECONDS", "60"))


def publish_deadline() -> DeadlineAlert | None:
    """The nightly DAG's Deadline Alert: a night not published this long after being
    queued calls `night_not_published`. CASEAUDIT_PUBLISH_WITHIN_MINUTES (default 360;
    0 = no alert). Read when the DAG is parsed. `dag.test()` / `airflow dags test` crash
    on any DAG with a deadline (apache/airflow#73428), so `make run` and the tests that
    use them set 0; the scheduler keeps it."""
    minutes = float(os.environ.get("CASEAUDIT_PUBLISH_WITHIN_MINUTES", "360"))
    if minutes <= 0:
        return None
    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=dt.timedelta(minutes=minutes),
        callback=AsyncCallback(night_not_published),
    )


def complete_areas(landing_root: str, as_of: dt.date, expected: Sequence[str]) -> list[str]:
    """The expected areas whose export is complete: its manifest is there (an area that
    sends one writes it last), or, without one, every export file (a transfer may still
    be arriving in the others)."""
    from pipelines.contract.exports import EXPORT_FILES, MANIFEST_NAME
    from pipelines.ingest.landing import discover_areas, night_dir

    landed, _ = discover_areas(landing_root, as_of)
    night = night_dir(landing_root, as_of)
    names = [MANIFEST_NAME], [e.file_name for e in EXPORT_FILES]
    return [
        code
        for code in landed
        if code in expected
        and any(all((night / code / name).exists() for name in group) for group in names)
    ]


class ExportsLandedTrigger(BaseTrigger):
    """Fires when every expected area's export is complete, or at the cut-off."""

    def __init__(
        self, landing: str, as_of: str, expected: list[str], poll_seconds: float, cutoff: str
    ):
        super().__init__()
        self.landing, self.as_of, self.expected = landing, as_of, expected
        self.poll_seconds, self.cutoff = poll_seconds, cutoff

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{__name__}.ExportsLandedTrigger",
            {
                "landing": self.landing,
                "as_of": self.as_of,
                "expected": self.expected,
                "poll_seconds": self.poll_seconds,
                "cutoff": self.cutoff,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        as_of, cutoff = dt.date.fromisoformat(self.as_of), dt.datetime.fromisoformat(self.cutoff)
        while True:
            landed = await asyncio.to_thread(complete_areas, self.landing, as_of, self.expected)
            late = dt.datetime.now(dt.UTC) >= cutoff
            if late or set(self.expected) <= set(landed):
                yield TriggerEvent({"landed": landed, "cut_off": late})
                return
            await asyncio.sleep(self.poll_seconds)


class ExportsLandedSensor(BaseOperator):
    """Waits, deferred (no worker slot held), until the night's expected exports landed,
    or until the cut-off; then the night runs with what landed (the rest is missing)."""

    def execute(self, context: Any) -> list[str]:
        from pipelines.run import settings

        as_of = as_of_from_context(context)
        expected = list(context["params"]["areas"] or settings.expected_areas())
        landing = str(settings.landing_dir())
        landed = complete_areas(landing, as_of, expected)
        if set(expected) <= set(landed):
            return landed
        cutoff = dt.datetime.now(dt.UTC) + exports_cutoff()
        self.log.info(
            "%s: %d of %d expected areas landed; waiting until %s",
            as_of,
            len(landed),
            len(expected),
            cutoff,
        )
        self.defer(
            trigger=ExportsLandedTrigger(
                landing, as_of.isoformat(), expected, exports_poll(), cutoff.isoformat()
            ),
            method_name="execute_complete",
        )

    def execute_complete(self, context: Any, event: dict[str, Any]) -> list[str]:
        if event["cut_off"]:
            self.log.warning("cut-off reached: %d areas landed", len(event["landed"]))
        return event["landed"]


async def night_not_published(context: dict[str, Any], **kwargs: Any) -> None:
    """The nightly DAG's deadline callback (run by the triggerer): a night not published in
    time is logged and recorded under `<work root>/alerts/` for whoever watches it."""
    from pipelines.run import settings

    run = context.get("dag_run", {})
    record = {
        "alert": "night not published by its deadline",
        "dag_run": run.get("dag_run_id"),  # the REST API's DAGRunResponse
        "logical_date": run.get("logical_date"),
        "deadline": str(context.get("deadline", {}).get("deadline_time")),
    }
    logging.getLogger(__name__).error("caseaudit: %s", record)
    alerts = settings.work_root() / "alerts"
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(record["dag_run"]))
    await asyncio.to_thread(_write_alert, alerts, f"{name}.json", json.dumps(record))


def _write_alert(folder: Any, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text + "\n")
