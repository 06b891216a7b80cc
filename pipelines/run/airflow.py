"""What the DAGs need from Airflow's task context and Asset events, kept out of the DAG files.

`nightly_case_audit` announces each night it publishes as an event of the
scorecard Asset with the export date in its extra; `regional_benchmark` turns
those events back into dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

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
