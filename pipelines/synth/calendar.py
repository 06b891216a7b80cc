"""Days as integers since 1970-01-01, working days, and the rulebook's standards."""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np

from pipelines.contract import exports as c
from pipelines.contract import reference as reference_data

DAY0 = np.datetime64("1970-01-01", "D")


def to_day(d: dt.date) -> int:
    return int((np.datetime64(d, "D") - DAY0).astype(np.int64))


def to_iso(day: int) -> str:
    return str(DAY0 + np.timedelta64(int(day), "D"))


MIN_DAY = to_day(dt.date.fromisoformat(c.EARLIEST_DATE))
# offender numbers count from the month of the earliest date
MIN_MONTH = int(np.datetime64(c.EARLIEST_DATE, "M").astype(np.int64))


@functools.cache
def _calendar() -> tuple[int, np.ndarray]:
    """First day of the working-day calendar and each day's running count of working days."""
    rows = reference_data.working_day_calendar()
    return to_day(rows[0][0]), np.array([r[2] for r in rows], dtype=np.int64)


def wd(days: np.ndarray, n: np.ndarray) -> np.ndarray:
    """WD(d, n) of the rulebook: the n-th working day after d."""
    first, seq = _calendar()
    target = seq[np.clip(days - first, 0, len(seq) - 1)] + n
    return np.searchsorted(seq, target, side="left").astype(np.int64) + first


@functools.cache
def standards() -> tuple[np.ndarray, dict[str, np.ndarray], int]:
    """Edition start days, per-(edition, tier) parameters, contact window from the rulebook."""
    rulebook = reference_data.load_rulebook()
    editions = rulebook["editions"]
    starts = np.array([to_day(e["starts_on"]) for e in editions], dtype=np.int64)
    tables = {}
    for name in (
        "initial_assessment_wd",
        "initial_plan_wd",
        "first_contact_wd",
        "reassessment_wd",
        "contact_level",
    ):
        table = np.zeros((len(editions), 4), dtype=np.int64)
        for i, edition in enumerate(editions):
            spec = edition[name]
            for tier in range(4):
                table[i, tier] = (
                    spec["by_tier"][str(tier + 1)] if "by_tier" in spec else spec["value"]
                )
        tables[name] = table
    return starts, tables, int(rulebook["contact_window_days"])


def weekday_shift(days: np.ndarray) -> np.ndarray:
    """Move Saturdays and Sundays to the Monday after (courts and releases are weekdays)."""
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    return days + np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))
