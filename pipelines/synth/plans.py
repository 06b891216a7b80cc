"""Sentence plans of each event (initial and reviews) and their objectives."""

from __future__ import annotations

import numpy as np

from pipelines.contract import exports as c
from pipelines.synth.arrays import concat, explode, sorted_by
from pipelines.synth.assessments import review_chain
from pipelines.synth.events import LIC
from pipelines.synth.quality import quality_of
from pipelines.synth.registrations import multiagency_window
from pipelines.synth.rng import yn

INTERVENTIONS = {
    "3": "Housing referral", "4": "ETE referral", "5": "Debt advice", "6": "Relationship work",
    "7": "Lifestyle work", "8": "Drug treatment", "9": "Alcohol treatment",
    "10": "Counselling referral", "11": "Thinking skills programme", "12": "Attitudes work",
    "ROSH": "Risk management plan",
}  # fmt: skip
PROGRESS_MEASURES = (
    "Monthly OM review", "Attendance record", "Partner agency report", "Test results",
    "Self-report and OM check",
)  # fmt: skip
PROVIDER_REQUIREMENTS = tuple(c.REQUIREMENT_PROVIDER)  # PROG, DRR, ATR, MHTR, RES, UPW
OTHER_PROVIDERS = ("OM", "ETE", "PARTNER")
INTERVENTION_TEXT = [INTERVENTIONS[s] for s in c.OBJECTIVE_NEED_SECTIONS] + ["   "]
ROSH_NEED = c.OBJECTIVE_NEED_SECTIONS.index("ROSH")


def draw_plans(rng, ev, assessments, registrations, last) -> dict[str, np.ndarray]:
    """Initial plan and reviews of each event, some linked to its start assessment."""
    uid, start, n = ev["uid"], ev["start"], len(ev["uid"])
    idx = np.arange(n)
    present = rng.u(uid, "p0:present") < 0.97
    on_time = rng.u(uid, "p0:on_time") < quality_of(ev, "plan_on_time")
    pre_release = (ev["stype"] == LIC) & (rng.u(uid, "p0:pre") < 0.3)
    day = np.where(
        on_time,
        np.where(
            pre_release,
            np.maximum(ev["sentence"], start - rng.ints(uid, "p0:before", 1, 20)),
            start + rng.ints(uid, "p0:delay", 0, ev["due_plan"] - start),
        ),
        ev["due_plan"] + rng.ints(uid, "p0:late", 1, 75),
    )
    initial = {
        "ev": idx[present],
        "slot": np.zeros(int(present.sum()), np.int64),
        "day": day[present],
    }
    reviews = review_chain(rng, ev, day, present, "p:review", quality_of(ev, "review_plan"), last)
    p = concat([initial, reviews])
    e = p["ev"]
    pid = uid[e] * 64 + p["slot"]
    p["pid"] = pid
    review = p["slot"] > 0
    p["type"] = review.astype(np.int64)

    a0_init = np.full(n, np.iinfo(np.int64).max)
    first_rows = np.flatnonzero(np.isin(assessments["pk"], ev["a0_pk"]))
    a0_owner = np.searchsorted(uid, assessments["pk"][first_rows] // 64)
    a0_init[a0_owner] = assessments["init"][first_rows]
    linked = (a0_init[e] <= p["day"]) & (rng.u(pid, "p:linked") < np.where(review, 0.6, 0.9))
    p["pk"] = np.where(linked, ev["a0_pk"][e], -1)

    p["involved"] = yn(rng, pid, "p:involved", quality_of(ev, "involved", e), 0.05)
    has_div = ev["div"][e] > 0
    p["diversity"] = np.where(
        has_div,
        yn(rng, pid, "p:diversity", quality_of(ev, "diversity", e)),
        yn(rng, pid, "p:div_none", 0.2, 0.3),
    )
    since, until = multiagency_window(ev, registrations)
    active = (since[e] <= p["day"]) & (until[e] > p["day"])
    integrate = np.where(
        review, quality_of(ev, "multiagency_review", e), quality_of(ev, "multiagency", e)
    )
    p["multiagency"] = np.where(
        active,
        yn(rng, pid, "p:multiagency", integrate),
        np.where(rng.u(pid, "p:ma_none") < 0.7, -1, 0),
    )
    p["progress"] = np.where(review, yn(rng, pid, "p:progress", quality_of(ev, "progress", e)), -1)
    p["progress"] = np.where(
        review & (p["progress"] == 0) & (rng.u(pid, "p:progress_blank") < 0.2), -1, p["progress"]
    )
    p["sufficient"] = rng.u(pid, "p:sufficient") < quality_of(ev, "plan_sufficient", e)
    return sorted_by(p, "pid")


def _providers(ev) -> tuple[np.ndarray, np.ndarray]:
    """Providers of each event's requirements delivered by others (exports.md mapping)."""
    has = np.stack(
        [(ev["req"] >> c.REQUIREMENTS.index(r) & 1).astype(bool) for r in PROVIDER_REQUIREMENTS],
        axis=1,
    )
    order = np.argsort(~has, axis=1, kind="stable")
    provider = np.array(
        [c.PROVIDERS.index(c.REQUIREMENT_PROVIDER[r]) for r in PROVIDER_REQUIREMENTS]
    )
    listed = np.take_along_axis(has, order, axis=1)
    return np.where(listed, provider[order], -1), has.sum(axis=1)


def draw_objectives(rng, ev, plans) -> dict[str, np.ndarray]:
    """2 to 5 objectives a plan: linked needs, a RoSH objective, requirement providers."""
    pid, pe = plans["pid"], plans["ev"]
    n_linked = ev["n_linked"][pe]
    rosh_wanted = (ev["rosh"][pe] >= 1) & (rng.u(pid, "o:rosh") < quality_of(ev, "rosh_link", pe))
    rosh_objective = rosh_wanted & (n_linked < 5)
    rosh_on_need = rosh_wanted & ~rosh_objective
    count = np.clip(rosh_objective + n_linked, 2, 5)
    parent, j = explode(count)
    e = pe[parent]
    key = pid[parent] * 8 + j
    is_rosh = rosh_objective[parent] & (j == 0)
    m = j - rosh_objective[parent]
    position = ev["linked_first"][e, np.clip(m, 0, 9)]
    missed = (rng.u(pid, "o:match") >= quality_of(ev, "interventions", pe))[parent]
    nl = n_linked[parent]
    position = np.where(missed & (nl > 0) & (m == nl - 1), ev["linked_first"][e, 9], position)
    need = np.where(is_rosh, ROSH_NEED, ev["sections"][e, position])

    providers, n_providers = _providers(ev)
    listed = ~is_rosh & (m < n_providers[e])
    who = np.where(listed, providers[e, np.clip(m, 0, providers.shape[1] - 1)], -1)
    others = np.array([c.PROVIDERS.index(p) for p in OTHER_PROVIDERS])
    other = others[rng.choice(key, "o:who", (0.6, 0.2, 0.2))]
    other = np.where(is_rosh, np.where(rng.u(key, "o:rosh_who") < 0.7, others[0], others[2]), other)
    who = np.where(listed, who, other)
    no_liaison = (rng.u(pid, "o:liaison") >= quality_of(ev, "liaison", pe))[parent]
    who = np.where(listed & no_liaison & (m == 0), others[0], who)

    interv = need.copy()
    measure = rng.ints(key, "o:measure", 0, len(PROGRESS_MEASURES) - 1)
    poor = ~plans["sufficient"][parent]
    bad_slot = rng.ints(pid, "o:bad_slot", 0, count - 1)[parent]
    bad_field = rng.ints(pid, "o:bad_field", 0, 2)[parent]
    hit = poor & (j == bad_slot)
    spaces = rng.u(key, "o:spaces") < 0.3
    interv = np.where(
        hit & (bad_field == 0), np.where(spaces, len(INTERVENTION_TEXT) - 1, -1), interv
    )
    who = np.where(hit & (bad_field == 1), -1, who)
    measure = np.where(hit & (bad_field == 2), -1, measure)
    addresses = is_rosh | (rosh_on_need[parent] & (j == 0))
    return {
        "oid": key,
        "plan": parent,
        "need": need,
        "intervention": interv,
        "who": who,
        "measure": measure,
        "rosh": addresses.astype(np.int64),
    }
