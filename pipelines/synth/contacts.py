"""Contacts of each event: significant incidents, induction, appointments and sessions."""

from __future__ import annotations

import numpy as np

from pipelines.contract import exports as c
from pipelines.synth.arrays import concat, explode
from pipelines.synth.events import LIC, UPW_BIT
from pipelines.synth.quality import quality_of
from pipelines.synth.rng import Rng, yn


def draw_incidents(rng: Rng, ev: dict[str, np.ndarray], last: int) -> dict[str, np.ndarray]:
    """Significant incidents (contacts SIAR/SICC/SIRC) during supervision."""
    count = rng.choice(ev["uid"], "incidents", (0.78, 0.15, 0.05, 0.02))
    parent, k = explode(count)
    key = ev["uid"][parent] * 4 + k
    start, term = ev["start"][parent], ev["term"][parent]
    day = start + rng.ints(key, "incident_day", 0, term - start)
    recall = (ev["stype"][parent] == LIC) & (rng.u(key, "recall") < 0.3)
    arrest = rng.u(key, "arrest") < 0.55
    ctype = np.where(
        recall,
        c.CONTACT_TYPES.index("SIRC"),
        np.where(arrest, c.CONTACT_TYPES.index("SIAR"), c.CONTACT_TYPES.index("SICC")),
    )
    keep = day <= last
    return {"ev": parent[keep], "k": k[keep], "day": day[keep], "ctype": ctype[keep]}


EARLY_CONTACTS_BY_TIER = np.array([0.25, 1.0, 0.5, 0.6])  # times the tier-2 standard level
MONTHLY_CONTACTS_BY_TIER = np.array([0.15, 0.3, 0.35, 0.45])  # after the first 16 weeks


def draw_contacts(rng, ev, incidents, last) -> dict[str, np.ndarray]:
    """Induction (COAI), appointments and sessions, and the incident contacts."""
    uid, start, term, n = ev["uid"], ev["start"], ev["term"], len(ev["uid"])
    idx = np.arange(n)
    types = {t: i for i, t in enumerate(c.CONTACT_TYPES)}
    due = ev["due_induction"]
    on_time = rng.u(uid, "c:induction") < quality_of(ev, "induction")
    failure = rng.choice(uid, "c:induction_failure", (0.40, 0.35, 0.25))  # late, unattended, none
    in_window = start + rng.ints(uid, "c:induction_day", 0, due - start)
    late_day = due + rng.ints(uid, "c:induction_late", 1, 30)
    first = on_time | (failure < 2)
    first_day = np.where(on_time | (failure == 1), in_window, late_day)
    first_attended = np.where(on_time | (failure == 0), 1, 0)
    again = ~on_time & (failure == 1)

    def induction(mask: np.ndarray, slot: int, day: np.ndarray, attended: np.ndarray):
        k = int(mask.sum())
        return {
            "ev": idx[mask],
            "slot": np.full(k, slot),
            "day": day[mask],
            "type": np.full(k, types["COAI"]),
            "attended": attended[mask],
            "ns": np.ones(k, np.int64),
        }

    parts = [
        induction(first, 0, first_day, first_attended),
        induction(again, 1, late_day, np.ones(n, np.int64)),
    ]

    window = ev["contact_window"]
    target = np.rint(ev["contact_level"] * EARLY_CONTACTS_BY_TIER[ev["tier"] - 1])
    target = target.astype(np.int64)
    met = rng.u(uid, "c:level") < quality_of(ev, "contacts")
    good = np.where(
        met,
        target + rng.ints(uid, "c:extra", 0, 3),
        np.maximum(target - rng.ints(uid, "c:short", 1, 6), 0),
    )
    poor = rng.ints(uid, "c:poor", 0, 2)
    span = np.maximum(np.minimum(term, start + 1100) - (start + window), 0)
    later = np.floor(span / 30 * MONTHLY_CONTACTS_BY_TIER[ev["tier"] - 1]).astype(np.int64)
    count = np.minimum(good + poor + later, 990)
    parent, j = explode(count)
    s = start[parent]
    key = uid[parent] * 1024 + 2 + j
    early = j < good[parent] + poor[parent]
    day = np.where(
        early,
        s + np.floor(rng.u(key, "c:day") * window[parent]),
        s + window[parent] + np.floor(rng.u(key, "c:day") * span[parent]),
    )
    day = day.astype(np.int64)
    keep = (day <= term[parent]) & (day <= last)
    parent, j, key, early, day = parent[keep], j[keep], key[keep], early[keep], day[keep]
    good_row = early & (j < good[parent])
    attended = np.where(good_row, 1, yn(rng, key, "c:attended", np.where(early, 0.3, 0.88), 0.02))
    ns = np.where(good_row, 1, yn(rng, key, "c:ns", np.where(early, 0.5, 0.92), 0.02))
    req = ev["req"][parent]
    prog = (req >> c.REQUIREMENTS.index("PROG") & 1).astype(bool)
    upw = (req & UPW_BIT) > 0
    upw_only = req == UPW_BIT
    weights = np.stack(
        [
            np.where(upw_only, 0.25, 0.65),
            np.where(upw_only, 0.0, 0.10),
            np.where(prog, 0.25, 0.0),
            np.where(upw_only, 0.75, np.where(upw, 0.35, 0.0)),
        ],
        axis=1,
    )
    cdf = np.cumsum(weights, axis=1)
    pick = (rng.u(key, "c:type")[:, None] * cdf[:, -1:] >= cdf).sum(axis=1)
    kinds = np.array([types["COAP"], types["CHVS"], types["CPRG"], types["CUPW"]])
    parts.append(
        {
            "ev": parent,
            "slot": 2 + j,
            "day": day,
            "type": kinds[np.minimum(pick, 3)],
            "attended": attended,
            "ns": ns,
        }
    )
    inc_key = uid[incidents["ev"]] * 4 + incidents["k"]
    parts.append(
        {
            "ev": incidents["ev"],
            "slot": 1000 + incidents["k"],
            "day": incidents["day"],
            "type": incidents["ctype"],
            "attended": np.full(len(inc_key), -1),
            "ns": np.where(rng.u(inc_key, "c:incident_ns") < 0.7, 0, -1),
        }
    )
    parts[0] = {k: v[first_day[first] <= last] for k, v in parts[0].items()}
    parts[1] = {k: v[late_day[again] <= last] for k, v in parts[1].items()}
    con = concat(parts)
    con["cid"] = uid[con["ev"]] * 1024 + con["slot"]
    return con
