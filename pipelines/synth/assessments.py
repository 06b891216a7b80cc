"""OASys assessments of each event (start, reviews, reassessments, termination) and
the need sections of the layer-3 ones.

An assessment's key is uid * 64 + its slot, so keys stay put night to night.
"""

from __future__ import annotations

import numpy as np

from pipelines.contract import exports as c
from pipelines.synth.arrays import concat, explode, sorted_by
from pipelines.synth.calendar import MIN_DAY, wd
from pipelines.synth.events import LIC
from pipelines.synth.quality import quality_of
from pipelines.synth.rng import yn

START_SLOT, REPLACEMENT_SLOT, FIRST_REVIEW_SLOT, TERMINATION_SLOT, INCIDENT_SLOT = 0, 1, 2, 50, 52
MAX_REVIEWS = 40
STATUS = {s: i for i, s in enumerate(c.ASSESSMENT_STATUSES)}


def review_chain(rng, ev, first_day, present, salt, quality, last) -> dict[str, np.ndarray]:
    """Reviews after first_day until termination: on time with the area's probability.

    On time is a gap under 112 days (in time for NS2005's 16 weeks and NS2007's four
    months), late a gap over four months.
    """
    parts = []
    alive = np.flatnonzero(present)
    day = first_day[alive]
    for k in range(1, MAX_REVIEWS + 1):
        key = ev["uid"][alive] * 64 + k
        on_time = rng.u(key, salt) < quality[alive]
        day = day + np.where(
            on_time, rng.ints(key, salt + ":gap", 80, 111), rng.ints(key, salt + ":late", 125, 200)
        )
        keep = (day < ev["term"][alive]) & (day <= last)
        alive, day = alive[keep], day[keep]
        if not len(alive):
            break
        parts.append({"ev": alive, "slot": np.full(len(alive), k), "day": day})
    if not parts:
        return {
            "ev": np.zeros(0, np.int64),
            "slot": np.zeros(0, np.int64),
            "day": np.zeros(0, np.int64),
        }
    return concat(parts)


def draw_assessments(rng, ev, incidents, last) -> dict[str, np.ndarray]:
    """Start (maybe spoiled and redone), review, incident and termination assessments."""
    uid, start, n = ev["uid"], ev["start"], len(ev["uid"])
    idx = np.arange(n)
    lic = ev["stype"] == LIC
    present = rng.u(uid, "a0:present") < 0.97
    on_time = rng.u(uid, "a0:on_time") < quality_of(ev, "assess_on_time")
    pre_release = lic & (rng.u(uid, "a0:pre") < 0.4)
    done = np.where(
        on_time,
        np.where(
            pre_release,
            start - rng.ints(uid, "a0:before", 1, 30),
            start + rng.ints(uid, "a0:delay", 0, ev["due_assess"] - start),
        ),
        ev["due_assess"] + rng.ints(uid, "a0:late", 1, 75),
    )
    start_purpose = np.where(
        rng.u(uid, "a0:transfer") < 0.05, 500, np.array(c.START_PURPOSES[:3])[ev["stype"]]
    )
    spoiled = present & (rng.u(uid, "a0:spoiled") < 0.04)  # voided or locked, then redone
    redone = done + rng.ints(uid, "a0:redone", 3, 40)
    valid_done = np.where(spoiled, redone, done)
    ev["a0_present"] = present
    ev["a0_pk"] = uid * 64 + np.where(spoiled, REPLACEMENT_SLOT, START_SLOT)

    groups = [
        {
            "ev": idx[present],
            "slot": np.full(int(present.sum()), START_SLOT),
            "day": done[present],
            "purpose": start_purpose[present],
        },
        {
            "ev": idx[spoiled],
            "slot": np.full(int(spoiled.sum()), REPLACEMENT_SLOT),
            "day": redone[spoiled],
            "purpose": start_purpose[spoiled],
        },
    ]
    reviews = review_chain(
        rng, ev, valid_done, present, "a:review", quality_of(ev, "review_assess"), last
    )
    review_key = uid[reviews["ev"]] * 64 + reviews["slot"]
    reviews["slot"] = reviews["slot"] - 1 + FIRST_REVIEW_SLOT
    reviews["purpose"] = np.array(c.REVIEW_PURPOSES)[
        rng.choice(review_key, "a:purpose", (0.4, 0.4, 0.1, 0.1))
    ]
    groups.append(reviews)

    inc_ev, inc_day = incidents["ev"], incidents["day"]
    inc_key = uid[inc_ev] * 4 + incidents["k"]
    due = wd(inc_day, ev["reassess_wd"][inc_ev])
    in_time = rng.u(inc_key, "a:reassess") < quality_of(ev, "reassess", inc_ev)
    late = ~in_time & (rng.u(inc_key, "a:reassess_late") < 0.5)
    day = np.where(
        in_time,
        inc_day + rng.ints(inc_key, "a:reassess_day", 0, due - inc_day),
        due + rng.ints(inc_key, "a:reassess_late_day", 1, 40),
    )
    recall = (incidents["ctype"] == c.CONTACT_TYPES.index("SIRC")) & (
        rng.u(inc_key, "a:recall") < 0.5
    )
    reassessed = in_time | late
    groups.append(
        {
            "ev": inc_ev[reassessed],
            "slot": INCIDENT_SLOT + incidents["k"][reassessed],
            "day": day[reassessed],
            "purpose": np.where(recall, 490, 360)[reassessed],
        }
    )
    ends = rng.u(uid, "a:termination") < 0.75
    groups.append(
        {
            "ev": idx[ends],
            "slot": np.full(int(ends.sum()), TERMINATION_SLOT),
            "day": (ev["term"] + rng.ints(uid, "a:term_day", 0, 14))[ends],
            "purpose": np.where(lic, 340, 330)[ends],
        }
    )
    a = concat(groups)
    e = a["ev"]
    pk = uid[e] * 64 + a["slot"]
    a = {k: v for k, v in a.items()}
    a["pk"] = pk
    completed = a["day"]
    a["init"] = np.maximum(completed - rng.ints(pk, "a:initiated", 0, 10), MIN_DAY)
    a["init"] = np.where(a["slot"] == TERMINATION_SLOT, np.maximum(a["init"], start[e]), a["init"])

    status = np.where(rng.u(pk, "a:signed") < 0.35, STATUS["SIGNED"], STATUS["COMPLETE"])
    first = a["slot"] == START_SLOT
    locked = first & spoiled[e] & (rng.u(uid[e], "a0:locked") < 0.5)
    abandoned = (a["slot"] >= FIRST_REVIEW_SLOT) & (rng.u(pk, "a:abandoned") < 0.01)
    status = np.where(locked, STATUS["LOCKED_INCOMPLETE"], status)
    status = np.where(abandoned, STATUS["OPEN"], status)
    a["status"] = status
    a["done"] = np.where(locked | abandoned, -1, completed)
    voided = (first & spoiled[e] & ~locked) | (
        (a["slot"] >= FIRST_REVIEW_SLOT) & (rng.u(pk, "a:voided") < 0.01)
    )
    a["voided"] = np.where(voided, a["init"] + rng.ints(pk, "a:voided_day", 1, 30), -1)
    a["layer"] = np.where(rng.u(pk, "a:layer") < 0.12, 0, 1)  # 0 LAYER_1, 1 LAYER_3

    rosh = ev["rosh"][e]
    shift = (a["slot"] >= FIRST_REVIEW_SLOT) & (rng.u(pk, "a:rosh_shift") < 0.03)
    rosh = np.where(shift, np.clip(rosh + np.where(rng.u(pk, "a:up") < 0.5, -1, 1), 0, 3), rosh)
    accurate = rng.u(pk, "a:grid") < quality_of(ev, "accurate", e)
    grid = np.where(accurate, rosh, np.where(rosh == 0, 1, rosh - 1))
    not_calculated = rng.u(pk, "a:nc") < 0.01
    a["rosh"] = np.where(not_calculated, c.ROSH_LEVELS.index("NC"), rosh)
    a["grid"] = np.where(not_calculated, -1, grid)
    high = rosh >= 2
    sufficient = rng.u(pk, "a:sufficient") < quality_of(ev, "assess_sufficient", e)
    gap = np.where(sufficient, -1, rng.ints(pk, "a:gap", 0, np.where(high, 2, 1)))
    a["screening"] = np.where(gap == 0, 0, 1)
    a["summary"] = np.where(gap == 1, np.where(rng.u(pk, "a:summary_blank") < 0.3, -1, 0), 1)
    a["full"] = np.where(high, np.where(gap == 2, 0, 1), yn(rng, pk, "a:full", 0.3))
    a["rmp"] = np.where(
        high, yn(rng, pk, "a:rmp", quality_of(ev, "rmp", e)), yn(rng, pk, "a:rmp_low", 0.2, 0.1)
    )
    signed_off = high | (rng.u(pk, "a:countersign") < 0.1)
    a["countersigned"] = np.where(
        signed_off & (a["done"] >= 0), a["done"] + rng.ints(pk, "a:countersign_day", 0, 14), -1
    )
    keep = a["init"] <= last
    return sorted_by({k: v[keep] for k, v in a.items()}, "pk")


def draw_needs(rng, ev, assessments) -> dict[str, np.ndarray]:
    """Need sections of each layer-3 assessment, from the offender's need profile."""
    layer3 = assessments["layer"] == 1
    counts = np.where(layer3, ev["n_needs"][assessments["ev"]], 0)
    parent, j = explode(counts)
    e = assessments["ev"][parent]
    section = ev["sections"][e, j]
    pk = assessments["pk"][parent]
    key = pk * 16 + section
    harm = np.where(ev["rosh"][e] >= 2, 0.6, 0.2)
    return {
        "assessment": parent,
        "section": section + c.NEED_SECTIONS[0],
        "key": key,
        "offending": ev["linked"][e, j].astype(np.int64),
        "harm": yn(rng, key, "n:harm", harm),
    }
