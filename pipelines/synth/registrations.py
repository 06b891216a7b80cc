"""Register entries (RoSH, MAPPA, adult and child protection) of each offender."""

from __future__ import annotations

import numpy as np

from pipelines.contract import exports as c
from pipelines.synth.arrays import concat, sorted_by
from pipelines.synth.calendar import MIN_DAY
from pipelines.synth.quality import quality_of
from pipelines.synth.rng import Rng


def draw_registrations(rng: Rng, ev: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Register entries of each offender, drawn from the first event."""
    e1 = np.flatnonzero(ev["evno"] == 1)
    off, start, term, rosh = ev["off"][e1], ev["start"][e1], ev["term"][e1], ev["rosh"][e1]
    parts = []

    def add(slot, present, rtype, level, reg, dereg_share, dereg):
        key = off * 16 + slot
        reg = np.maximum(reg, MIN_DAY)
        dereg = np.where(rng.u(key, "dereg") < dereg_share, np.maximum(dereg, reg), -1)
        keep = present
        parts.append(
            {
                "rid": key[keep],
                "off": off[keep],
                "type": np.broadcast_to(rtype, key.shape)[keep],
                "level": np.broadcast_to(level, key.shape)[keep],
                "reg": reg[keep],
                "dereg": dereg[keep],
            }
        )

    key0 = off * 16
    accurate = rng.u(key0, "rosh_register") < quality_of(ev, "accurate", e1)
    level = np.where(accurate, rosh, np.where(rosh == 0, 1, rosh - 1))
    reg0 = start + rng.ints(key0, "reg_day", -10, 20)
    add(
        0,
        rng.u(key0, "has_rosh") < np.where(rosh >= 2, 0.98, 0.85),
        level,
        -1,
        reg0,
        0.25,
        reg0 + rng.ints(key0, "dereg_day", 30, term - reg0 + 180),
    )
    key1 = off * 16 + 1
    mapp = rng.u(key1, "has") < np.select([rosh >= 2, rosh == 1], [0.5, 0.03], 0.0)
    add(
        1,
        mapp,
        c.REGISTER_TYPES.index("MAPP"),
        rng.choice(key1, "level", (0.7, 0.25, 0.05)),
        start - rng.ints(key1, "reg_day", 0, 60),
        0.2,
        term + rng.ints(key1, "dereg_day", 0, 90),
    )
    for slot, code, share, before, after in (
        (2, "ADVP", 0.12, 30, 60),
        (3, "RCPR", 0.05, 90, 0),
        (4, "RCCO", 0.06, 90, 0),
    ):
        key = off * 16 + slot
        reg = start + rng.ints(key, "reg_day", -before, after)
        add(
            slot,
            rng.u(key, "has") < share,
            c.REGISTER_TYPES.index(code),
            -1,
            reg,
            0.35,
            reg + rng.ints(key, "dereg_day", 30, 700),
        )
    return sorted_by(concat(parts), "rid")


def multiagency_window(ev, registrations) -> tuple[np.ndarray, np.ndarray]:
    """Per event, from the first multi-agency registration to the last deregistration."""
    codes = [c.REGISTER_TYPES.index(t) for t in ("MAPP", "RCPR", "RCCO")]
    ma = np.isin(registrations["type"], codes)
    offenders, event_offender = np.unique(ev["off"], return_inverse=True)
    owner = np.searchsorted(offenders, registrations["off"][ma])
    never = np.iinfo(np.int64).max
    since = np.full(len(offenders), never)
    until = np.full(len(offenders), -1)
    np.minimum.at(since, owner, registrations["reg"][ma])
    dereg = registrations["dereg"][ma]
    np.maximum.at(until, owner, np.where(dereg < 0, never, dereg))
    return since[event_offender], until[event_offender]
