"""Cutting an area's history into one night's files (rulebook.md "Dates after as_of").

A night keeps the events started by as_of and terminated at most RETENTION_DAYS
before it, with their records dated by as_of; a date after as_of is written blank and
an assessment completed after it is still open.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.contract import exports as c
from pipelines.synth.arrays import dates, ints, take
from pipelines.synth.assessments import STATUS
from pipelines.synth.events import LIC
from pipelines.synth.history import RETENTION_DAYS, History
from pipelines.synth.plans import INTERVENTION_TEXT, PROGRESS_MEASURES


@dataclass
class Snapshot:
    """One file of one night: its columns, the row keys defects are drawn from, and the
    numeric dates defects are made from."""

    columns: dict[str, pa.Array]
    keys: np.ndarray
    dates: dict[str, np.ndarray]


YN = ("N", "Y")


def _upto(days: np.ndarray, as_of: int) -> np.ndarray:
    """A date after as_of is written blank."""
    return np.where(days <= as_of, days, -1)


def cut_snapshots(h: History, as_of: int) -> dict[str, Snapshot]:
    """Every export file of the night as_of, by export name."""
    ev, text = h.events, h.event_text
    in_events = (ev["start"] <= as_of) & (ev["term"] >= as_of - RETENTION_DAYS)
    rows = np.flatnonzero(in_events)
    take_rows = pa.array(rows)
    out = {}
    out["events"] = Snapshot(
        {
            "crn": pc.take(text["crn"], take_rows),
            "event_number": ints(ev["evno"][rows]),
            "area_code": take([h.area_code], np.zeros(len(rows), np.int64)),
            "surname": pc.take(text["surname"], take_rows),
            "forename": pc.take(text["forename"], take_rows),
            "date_of_birth": dates(ev["dob"][rows], blank=False),
            "pnc_number": pc.take(text["pnc_number"], take_rows),
            "sentence_type": take(c.SENTENCE_TYPES, ev["stype"][rows]),
            "sentence_date": dates(ev["sentence"][rows]),
            "release_date": dates(ev["release"][rows]),
            "termination_date": dates(_upto(ev["term"][rows], as_of)),
            "tier": ints(ev["tier"][rows]),
            "requirements": pc.take(text["requirements"], take_rows),
            "diversity_needs": pc.take(text["diversity_needs"], take_rows),
            "offender_manager": pc.take(text["offender_manager"], take_rows),
        },
        ev["uid"][rows],
        {
            "start": ev["start"][rows],
            "sentence": ev["sentence"][rows],
            "lic": ev["stype"][rows] == LIC,
        },
    )

    def crn(event_idx: np.ndarray) -> pa.Array:
        return pc.take(text["crn"], pa.array(event_idx))

    reg = h.registrations
    rows = np.flatnonzero(np.isin(reg["off"], ev["off"][in_events]) & (reg["reg"] <= as_of))
    out["registrations"] = Snapshot(
        {
            "registration_id": ints(reg["rid"][rows]),
            "crn": crn(np.searchsorted(ev["off"], reg["off"][rows])),
            "register_type": take(c.REGISTER_TYPES, reg["type"][rows]),
            "register_level": take(c.MAPPA_LEVELS, reg["level"][rows]),
            "registration_date": dates(reg["reg"][rows]),
            "deregistration_date": dates(_upto(reg["dereg"][rows], as_of)),
        },
        reg["rid"][rows],
        {"reg": reg["reg"][rows]},
    )

    con = h.contacts
    rows = np.flatnonzero(in_events[con["ev"]] & (con["day"] <= as_of))
    e = con["ev"][rows]
    out["contacts"] = Snapshot(
        {
            "contact_id": ints(con["cid"][rows]),
            "crn": crn(e),
            "event_number": ints(ev["evno"][e]),
            "contact_date": dates(con["day"][rows]),
            "contact_type": take(c.CONTACT_TYPES, con["type"][rows]),
            "attended": take(YN, con["attended"][rows]),
            "ns_contact": take(YN, con["ns"][rows]),
        },
        con["cid"][rows],
        {"day": con["day"][rows]},
    )

    a = h.assessments
    in_assessments = in_events[a["ev"]] & (a["init"] <= as_of)
    rows = np.flatnonzero(in_assessments)
    e = a["ev"][rows]
    done = a["done"][rows]
    unfinished = done > as_of  # initiated by as_of, completed later: still open that night
    done = np.where(unfinished, -1, done)
    status = np.where(unfinished, STATUS["OPEN"], a["status"][rows])
    out["oasys_assessments"] = Snapshot(
        {
            "oasys_set_pk": ints(a["pk"][rows]),
            "crn": crn(e),
            "event_number": ints(ev["evno"][e]),
            "purpose_code": ints(a["purpose"][rows]),
            "assessment_type": take(c.ASSESSMENT_TYPES, a["layer"][rows]),
            "assessment_status": take(c.ASSESSMENT_STATUSES, status),
            "initiation_date": dates(a["init"][rows]),
            "date_completed": dates(done),
            "voided_date": dates(_upto(a["voided"][rows], as_of)),
            "rosh_level": take(c.ROSH_LEVELS, np.where(done < 0, -1, a["rosh"][rows])),
            "risk_grid_max": take(c.RISK_GRID_LEVELS, np.where(done < 0, -1, a["grid"][rows])),
            "rosh_screening": take(YN, a["screening"][rows]),
            "full_analysis": take(YN, a["full"][rows]),
            "rosh_summary": take(YN, a["summary"][rows]),
            "rmp": take(YN, a["rmp"][rows]),
            "countersigned_date": dates(_upto(a["countersigned"][rows], as_of)),
        },
        a["pk"][rows],
        {"init": a["init"][rows], "done": done},
    )

    n = h.needs
    rows = np.flatnonzero(in_assessments[n["assessment"]])
    out["oasys_needs"] = Snapshot(
        {
            "oasys_set_pk": ints(a["pk"][n["assessment"][rows]]),
            "section": ints(n["section"][rows]),
            "linked_to_offending": take(YN, n["offending"][rows]),
            "linked_to_harm": take(YN, n["harm"][rows]),
        },
        n["key"][rows],
        {},
    )

    p = h.plans
    in_plans = in_events[p["ev"]] & (p["day"] <= as_of)
    rows = np.flatnonzero(in_plans)
    e = p["ev"][rows]
    out["sentence_plans"] = Snapshot(
        {
            "plan_id": ints(p["pid"][rows]),
            "oasys_set_pk": ints(p["pk"][rows]),
            "crn": crn(e),
            "event_number": ints(ev["evno"][e]),
            "plan_type": take(c.PLAN_TYPES, p["type"][rows]),
            "plan_date": dates(p["day"][rows]),
            "offender_involved": take(YN, p["involved"][rows]),
            "diversity_addressed": take(YN, p["diversity"][rows]),
            "multiagency_integrated": take(YN, p["multiagency"][rows]),
            "progress_recorded": take(YN, p["progress"][rows]),
        },
        p["pid"][rows],
        {"day": p["day"][rows]},
    )

    o = h.objectives
    rows = np.flatnonzero(in_plans[o["plan"]])
    out["plan_objectives"] = Snapshot(
        {
            "objective_id": ints(o["oid"][rows]),
            "plan_id": ints(p["pid"][o["plan"][rows]]),
            "need_section": take(c.OBJECTIVE_NEED_SECTIONS, o["need"][rows]),
            "intervention": take(INTERVENTION_TEXT, o["intervention"][rows]),
            "who_does_work": take(c.PROVIDERS, o["who"][rows]),
            "progress_measure": take(PROGRESS_MEASURES, o["measure"][rows]),
            "addresses_rosh": take(YN, o["rosh"][rows]),
        },
        o["oid"][rows],
        {},
    )
    return out
