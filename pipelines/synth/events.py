"""What each event is: sentence, dates, tier, RoSH, requirements, deadlines and needs.

Offender ids are (months since MIN_MONTH) * MONTH_SLOTS + number within the month;
an event's uid is offender id * 2 + event number - 1.
"""

from __future__ import annotations

import numpy as np

from pipelines.contract import exports as c
from pipelines.synth.calendar import MIN_DAY, standards, wd

LONGEST_ORDER_MONTHS = 36
LICENCE_DAYS = (90, 730)
MONTH_SLOTS = 100_000  # offenders per area and month; keeps ids unique
TIER_GIVEN_ROSH = np.array(
    [
        [0.35, 0.40, 0.20, 0.05],
        [0.10, 0.30, 0.50, 0.10],
        [0.0, 0.10, 0.45, 0.45],
        [0.0, 0.0, 0.20, 0.80],
    ]
)
COMMUNITY_REQUIREMENTS = {
    "UPW": 0.35, "SUP": 0.85, "PROG": 0.20, "DRR": 0.10, "ATR": 0.08, "MHTR": 0.03,
    "RES": 0.03, "CUR": 0.12, "ACT": 0.15,
}  # fmt: skip
LICENCE_CONDITIONS = {
    "UPW": 0.0, "SUP": 0.95, "PROG": 0.15, "DRR": 0.10, "ATR": 0.05, "MHTR": 0.03,
    "RES": 0.20, "CUR": 0.15, "ACT": 0.05,
}  # fmt: skip
DIVERSITY_SHARES = (0.35, 0.15, 0.30, 0.15, 0.20, 0.10)
LIC = c.SENTENCE_TYPES.index("LIC")
UPW_BIT = 1 << c.REQUIREMENTS.index("UPW")
SUP_BIT = 1 << c.REQUIREMENTS.index("SUP")


def draw_event_attributes(rng, uid, off, evno, start, first_start) -> dict[str, np.ndarray]:
    """Sentence, dates, tier and requirements of each event; RoSH, diversity and age are
    drawn by offender, so both events of an offender share them."""
    stype = rng.choice(uid, "stype", (0.50, 0.25, 0.25))
    lic = stype == LIC
    sentence = np.where(lic, np.maximum(start - rng.ints(uid, "custody", 60, 1500), MIN_DAY), start)
    months = np.array([6, 12, 18, 24, LONGEST_ORDER_MONTHS])[
        rng.choice(uid, "length", (0.1, 0.45, 0.2, 0.2, 0.05))
    ]
    length = np.where(lic, rng.ints(uid, "licence", *LICENCE_DAYS), np.rint(months * 30.44))
    early = rng.u(uid, "early") < 0.12
    length = np.where(early, length * (0.2 + 0.7 * rng.u(uid, "early_at")), length)
    rosh = rng.choice(off, "rosh", (0.40, 0.45, 0.13, 0.02))  # the offender's, on both events
    tier_cdf = np.cumsum(TIER_GIVEN_ROSH, axis=1)[rosh]
    tier = 1 + np.minimum((rng.u(uid, "tier")[:, None] >= tier_cdf).sum(axis=1), 3)

    req = np.zeros(len(uid), dtype=np.int64)
    for i, code in enumerate(c.REQUIREMENTS):
        p = np.where(lic, LICENCE_CONDITIONS[code], COMMUNITY_REQUIREMENTS[code])
        req |= (rng.u(uid, f"req:{code}") < p).astype(np.int64) << i
    req = np.where((req == 0) | (~lic & (req == UPW_BIT)), req | SUP_BIT, req)
    req = np.where(~lic & (rng.u(uid, "upw_only") < 0.15), UPW_BIT, req)
    req = np.where(lic & (rng.u(uid, "no_conditions") < 0.02), 0, req)

    div = np.zeros(len(uid), dtype=np.int64)
    for i, share in enumerate(DIVERSITY_SHARES):
        div |= (rng.u(off, f"div:{i}") < share).astype(np.int64) << i
    div = np.where(div == 0, 1 << rng.choice(off, "div_one", DIVERSITY_SHARES), div)
    div = np.where(rng.u(off, "diverse") < 0.30, div, 0)

    age_years = 18 + 57 * rng.u(off, "age") ** 1.8
    return {
        "uid": uid,
        "off": off,
        "evno": evno,
        "start": start,
        "stype": stype,
        "sentence": sentence,
        "release": np.where(lic, start, -1),
        "term": start + np.maximum(1, length.astype(np.int64)),
        "tier": tier,
        "rosh": rosh,
        "req": req,
        "div": div,
        "dob": first_start - np.floor(age_years * 365.25).astype(np.int64),
        "first_start": first_start,
    }


def add_deadlines(ev: dict[str, np.ndarray]) -> None:
    """Rulebook deadlines of each event, so delays can be drawn against the real ones."""
    starts, tables, window = standards()
    edition = np.searchsorted(starts, ev["start"], side="right") - 1
    tier = ev["tier"] - 1
    ev["due_assess"] = wd(ev["start"], tables["initial_assessment_wd"][edition, tier])
    ev["due_plan"] = wd(ev["start"], tables["initial_plan_wd"][edition, tier])
    ev["due_induction"] = wd(ev["start"], tables["first_contact_wd"][edition, tier])
    ev["reassess_wd"] = tables["reassessment_wd"][edition, tier]
    ev["contact_level"] = tables["contact_level"][edition, tier]
    ev["contact_window"] = np.full(len(tier), window)


def draw_need_profile(rng, ev) -> None:
    """An offender's criminogenic needs: which sections, in which order, linked to offending."""
    sections = np.arange(len(c.NEED_SECTIONS))
    keys = ev["uid"][:, None] * 16 + sections[None, :]
    ev["sections"] = np.argsort(rng.u(keys, "n:order"), axis=1)  # section index by position
    ev["n_needs"] = rng.ints(ev["uid"], "n:count", 4, 6)
    within = sections[None, :] < ev["n_needs"][:, None]
    linked = within & (rng.u(keys, "n:linked") < 0.65)
    ev["linked"] = linked
    ev["n_linked"] = linked.sum(axis=1)
    ev["linked_first"] = np.argsort(~linked, axis=1, kind="stable")
