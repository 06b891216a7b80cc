"""Funnel plots (Spiegelhalter 2005, "Funnel plots for comparing institutional performance").

Each area's score is set against the number of cases it evaluated. The centre
line is the national proportion p; the control limits at n cases are
p ± z·sqrt(p(1 − p)/n), clipped to 0..100%. An area outside the 95% limits is
unusual; outside the 99.8% limits, very unusual. The flag of marts.benchmark
(the area's own 95% interval against the national score) is kept beside it.
Only published (unsuppressed) figures are plotted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

# two-sided normal quantiles of the funnel's control limits (Spiegelhalter 2005):
# 95% of areas performing as the nation does fall within the inner limits, 99.8% within
# the outer ones
CONTROL_LIMITS = {"95%": 1.96, "99.8%": 3.09}
INNER, OUTER = CONTROL_LIMITS
CURVE_POINTS = 60  # points along each limit's curve, geometrically spaced in n


@dataclass(frozen=True)
class Limits:
    low: float
    high: float


def limits(p: float, n: int, z: float) -> Limits:
    """Control limits in percent around proportion p (0..1) at n cases, clipped to 0..100."""
    half = z * math.sqrt(p * (1 - p) / n)
    return Limits(100 * max(p - half, 0.0), 100 * min(p + half, 1.0))


def position(met: int, n: int, p: float) -> str:
    """Where a score lies against the funnel: within, or above/below which limits."""
    score = met / n
    for name in (OUTER, INNER):
        bounds = limits(p, n, CONTROL_LIMITS[name])
        if 100 * score > bounds.high:
            return f"above {name}"
        if 100 * score < bounds.low:
            return f"below {name}"
    return "within"


def points(rows: list[dict[str, Any]], p: float | None) -> list[dict[str, Any]]:
    """One point per published area row: n, score, its limits and where it lies.

    rows: published scorecard rows (met, evaluated, pct) joined to their benchmark flag;
    p: the national proportion, pooled met over pooled evaluated (unrounded).
    """
    if p is None:
        return []
    out = []
    for row in rows:
        n = int(row["evaluated"])
        if n == 0:
            continue
        point = {**row, "n": n, "position": position(int(row["met"]), n, p)}
        for name, z in CONTROL_LIMITS.items():
            bounds = limits(p, n, z)
            point[f"low_{name}"], point[f"high_{name}"] = bounds.low, bounds.high
        out.append(point)
    return out


def curve(p: float, n_min: int, n_max: int) -> list[dict[str, Any]]:
    """The limit lines around proportion p from n_min to n_max cases, as rows
    (n, limit, line, pct)."""
    lo, hi = max(1.0, n_min * 0.8), max(n_max * 1.1, n_min + 1.0)
    ratio = (hi / lo) ** (1 / (CURVE_POINTS - 1))
    rows = []
    for i in range(CURVE_POINTS):
        n = lo * ratio**i
        for name, z in CONTROL_LIMITS.items():
            half = z * math.sqrt(p * (1 - p) / n)
            for side, value in (("low", p - half), ("high", p + half)):
                rows.append(
                    {
                        "n": n,
                        "limit": name,
                        "line": f"{name} {side}",
                        "pct": 100 * min(max(value, 0.0), 1.0),
                    }
                )
    return rows
