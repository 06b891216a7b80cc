"""Practice quality: a per-area profile of probabilities drifting month by month.

Every record draws whether it was done well against its event's month of this
profile, so areas differ from each other and trends show over time.
"""

from __future__ import annotations

import numpy as np

from pipelines.synth.rng import Rng

# practice-quality dimensions: national typical probability (seed-report levels)
QUALITY = {
    "assess_on_time": 0.72,
    "assess_sufficient": 0.80,
    "plan_on_time": 0.66,
    "plan_sufficient": 0.74,
    "review_assess": 0.88,
    "review_plan": 0.88,
    "progress": 0.85,
    "induction": 0.83,
    "rmp": 0.90,
    "reassess": 0.20,
    "rosh_link": 0.83,
    "interventions": 0.80,
    "liaison": 0.50,
    "diversity": 0.57,
    "involved": 0.52,
    "multiagency": 0.75,
    "multiagency_review": 0.55,
    "accurate": 0.985,
    "contacts": 0.65,
}
Q = {name: i for i, name in enumerate(QUALITY)}


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def area_quality(rng: Rng, months: np.ndarray) -> np.ndarray:
    """Per-month practice quality of an area: level, slow drift and monthly noise."""
    dims = np.arange(len(QUALITY))
    base = np.array([_logit(p) for p in QUALITY.values()])
    overall = 0.3 * rng.normal(0, "q:overall")
    offset = 0.15 * rng.normal(dims, "q:offset")
    amplitude = (0.1 + 0.25 * rng.u(0, "q:amp")) * (0.7 + 0.6 * rng.u(dims, "q:mult"))
    period_years = 4.0 + 5.0 * rng.u(0, "q:period")
    phase = 2 * np.pi * rng.u(0, "q:phase")
    wave = np.sin(2 * np.pi * (months / 12.0) / period_years + phase)
    noise = 0.12 * rng.normal(months[:, None].astype(np.int64) * 64 + dims[None, :], "q:noise")
    logit = base + overall + offset + amplitude * wave[:, None] + noise
    return 1.0 / (1.0 + np.exp(-logit))


def quality_of(ev: dict[str, np.ndarray], name: str, idx: np.ndarray | None = None) -> np.ndarray:
    """Probability of `name` being done well in each event's month (of events idx)."""
    column = ev["q"][:, Q[name]]
    return column if idx is None else column[idx]
