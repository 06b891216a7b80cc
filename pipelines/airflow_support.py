"""What the DAGs need from an Airflow task context, kept out of the DAG files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


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


def raise_if_rejected(rejected: Sequence[str]) -> None:
    """End the run failed when an area was rejected, so it is never silently green."""
    if rejected:
        raise RuntimeError(f"rejected exports: {', '.join(rejected)}; see audit.runs")
