"""An area's whole history, drawn once as column arrays for every export date.

Offenders arrive month by month at a rate set by population; each gets an event and
some a second one. Their registrations, contacts, assessments and plans follow, and
only what some snapshot in the requested date range can still hold is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from pipelines.contract import reference as reference_data
from pipelines.synth.arrays import explode
from pipelines.synth.assessments import draw_assessments, draw_needs
from pipelines.synth.calendar import MIN_MONTH, to_iso, weekday_shift
from pipelines.synth.contacts import draw_contacts, draw_incidents
from pipelines.synth.event_text import draw_event_text
from pipelines.synth.events import (
    LONGEST_ORDER_MONTHS,
    MONTH_SLOTS,
    add_deadlines,
    draw_event_attributes,
    draw_need_profile,
)
from pipelines.synth.plans import draw_objectives, draw_plans
from pipelines.synth.quality import area_quality
from pipelines.synth.registrations import draw_registrations
from pipelines.synth.rng import Rng

RETENTION_DAYS = 730  # a snapshot keeps events terminated at most 24 months earlier
CASES_PER_MILLION = 4400  # events starting per year per million people at scale 1.0
SECOND_EVENT_SHARE = 0.10  # offenders who get a second event
SECOND_EVENT_GAP_DAYS = (60, 540)  # second event starts this long after the first
# The history starts early enough that no earlier event can still be in a snapshot
# (started, ran its longest order, ended 24 months before), so a night's snapshot is
# the same whichever range of export dates it is generated with.
HISTORY_MONTHS = (RETENTION_DAYS + SECOND_EVENT_GAP_DAYS[1] + LONGEST_ORDER_MONTHS * 31) // 30 + 2


@dataclass
class History:
    """An area's whole history as column arrays (days since 1970-01-01, -1 blank)."""

    area_code: str
    events: dict[str, np.ndarray]
    event_text: dict[str, pa.Array]
    registrations: dict[str, np.ndarray]
    contacts: dict[str, np.ndarray]
    assessments: dict[str, np.ndarray]
    needs: dict[str, np.ndarray]
    plans: dict[str, np.ndarray]
    objectives: dict[str, np.ndarray]


def build_history(
    rng: Rng, area: reference_data.Area, first: int, last: int, scale: float
) -> History:
    """Offenders and events of an area, and every record drawn from them, for the export
    dates first to last."""
    months, month_start, month_len = _months(first, last)
    rate = CASES_PER_MILLION * area.population_millions * scale / (1 + SECOND_EVENT_SHARE)
    lam = rate / 365.25 * month_len
    n = np.maximum(0, np.rint(lam + np.sqrt(lam) * rng.normal(months, "month_count")))
    n = n.astype(np.int64)
    if n.size and n.max() >= MONTH_SLOTS:
        raise ValueError(f"scale {scale} gives more than {MONTH_SLOTS} cases a month")
    month_idx, within = explode(n)
    off1 = (months[month_idx] - MIN_MONTH) * MONTH_SLOTS + within
    start1 = month_start[month_idx] + np.floor(rng.u(off1, "start") * month_len[month_idx])
    start1 = weekday_shift(start1.astype(np.int64))
    second = rng.u(off1, "second") < SECOND_EVENT_SHARE
    off = np.concatenate([off1, off1[second]])
    first_start = np.concatenate([start1, start1[second]])
    evno = np.concatenate([np.ones(len(off1), np.int64), np.full(int(second.sum()), 2)])
    uid = off * 2 + evno - 1
    order = np.argsort(uid, kind="stable")
    off, first_start, evno, uid = off[order], first_start[order], evno[order], uid[order]
    start = np.where(
        evno == 2, first_start + rng.ints(uid, "gap", *SECOND_EVENT_GAP_DAYS), first_start
    )
    start = weekday_shift(start)

    ev = draw_event_attributes(rng, uid, off, evno, start, first_start)
    month_of = start.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    q_months = np.arange(months[0], max(int(month_of.max(initial=months[-1])), months[-1]) + 1)
    quality = area_quality(rng, q_months)
    ev["q"] = quality[month_of - q_months[0]]

    registrations = draw_registrations(rng, ev)
    relevant = (ev["start"] <= last) & (ev["term"] >= first - RETENTION_DAYS)
    ev = {k: v[relevant] for k, v in ev.items()}
    registrations = {
        k: v[np.isin(registrations["off"], ev["off"])] for k, v in registrations.items()
    }
    add_deadlines(ev)
    draw_need_profile(rng, ev)
    incidents = draw_incidents(rng, ev, last)
    assessments = draw_assessments(rng, ev, incidents, last)
    plans = draw_plans(rng, ev, assessments, registrations, last)
    return History(
        area_code=area.code,
        events=ev,
        event_text=draw_event_text(rng, ev, area.code, rate),
        registrations=registrations,
        contacts=draw_contacts(rng, ev, incidents, last),
        assessments=assessments,
        needs=draw_needs(rng, ev, assessments),
        plans=plans,
        objectives=draw_objectives(rng, ev, plans),
    )


def _months(first: int, last: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Months whose new offenders can be in a snapshot: numbers, first days, lengths."""
    first_month = np.datetime64(to_iso(first), "M").astype(np.int64) - HISTORY_MONTHS
    last_month = np.datetime64(to_iso(last), "M").astype(np.int64)
    months = np.arange(max(int(first_month), MIN_MONTH), int(last_month) + 1)
    starts = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    ends = (months + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return months, starts, ends - starts
