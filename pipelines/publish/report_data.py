"""Everything the report shows, read from the marts and disclosed as the published files are.

Every score passes through the small-numbers rule (publish/disclosure.py):
scorecards and benchmarks of the night and its baseline, the change between
them, the sample beside the census, and the trends' pools of published
criterion scores.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipelines.publish import disclosure, tables
from pipelines.publish.disclosure import Key, key_of
from pipelines.sql_files import Statements

SQL = Statements(Path(__file__).parent)


@dataclass
class ReportData:
    as_of: dt.date
    baseline_as_of: dt.date
    scope: str
    version: str
    threshold: int
    areas: list[dict[str, Any]]
    regions: list[str]
    questions: list[dict[str, Any]]
    card: dict[Key, dict[str, Any]]
    bench: dict[Key, dict[str, Any]]
    changes: dict[Key, dict[str, Any]]
    national: dict[tuple[str, str | None], dict[str, Any]]
    trend: list[dict[str, Any]]
    runs: list[dict[str, Any]]
    weights: dict[str, float]
    sample: list[dict[str, Any]]
    agreement: list[dict[str, Any]]  # marts.agreement, the small-numbers rule applied
    disagreement_reasons: list[dict[str, Any]]
    draw: dict[str, Any] | None
    alerts: list[dict[str, Any]]  # files that lost more than alert_share of their rows
    quarantine: list[dict[str, Any]]  # per area, file and rule: rows held (tables.quality_*)
    quality_cases: list[dict[str, Any]]  # marts.data_quality: cases the quarantine touched
    quality_trend: list[dict[str, Any]]  # each area's quarantine rate, night by night
    alert_share: float

    @property
    def shown_regions(self) -> list[str]:
        """Regions with an area scored or reporting tonight (a partial run shows only those)."""
        present = {k[0] for k in self.card} | {r["area_code"] for r in self.runs}
        return [
            r
            for r in self.regions
            if any(a["area_code"] in present for a in self.areas if a["region"] == r)
        ]

    @property
    def criteria(self) -> list[str]:
        return sorted({q["criterion_id"] for q in self.questions})


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with None for every kind of missing value."""
    rows = []
    for row in frame.to_dict("records"):
        rows.append({k: (None if _missing(v) else v) for k, v in row.items()})
    return rows


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _query(con: duckdb.DuckDBPyConnection, name: str, params: Any = None) -> list[dict]:
    return records(con.execute(SQL.text(name), params or []).df())


def gather(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    baseline_as_of: dt.date | None = None,
    scope: str = "census",
    night: disclosure.PublicNight | None = None,
) -> ReportData:
    """Everything the report shows, already disclosed as the published files are.

    `night`: the night's published figures when the caller has them already.
    """
    changes = tables.baseline_changes(con, as_of, baseline_as_of, scope)
    baseline = changes["baseline_as_of_date"].iloc[0] if len(changes) else baseline_as_of
    baseline = pd.Timestamp(baseline).date() if baseline is not None else as_of
    published = {as_of: night or disclosure.public_night(con, as_of, scope)}
    if baseline not in published:
        published[baseline] = disclosure.public_night(con, baseline, scope)
    cards = {d: records(p.scorecard) for d, p in published.items()}
    benches = {d: records(p.benchmark) for d, p in published.items()}
    masked = records(changes)
    baseline_fields = ("baseline_met", "baseline_evaluated", "baseline_pct")
    current_fields = ("current_met", "current_evaluated", "current_pct")
    disclosure.blank(masked, published[baseline].hidden, baseline_fields, "base_hidden")
    disclosure.blank(masked, published[as_of].hidden, current_fields, "now_hidden")
    for row in masked:
        if row["base_hidden"] or row["now_hidden"]:
            row.update(change_pts=None, z=None, significant=None)
    national: dict[tuple[str, str | None], dict[str, Any]] = defaultdict(dict)
    for side, day in (("now", as_of), ("base", baseline)):
        for pool, value in national_pool(cards[day], benches[day]).items():
            national[pool][side] = value
    areas = _query(con, "areas")
    return ReportData(
        as_of=as_of,
        baseline_as_of=baseline,
        scope=scope,
        version=str(tables.config_value(con, "rulebook_version")),
        threshold=disclosure.threshold(con),
        areas=areas,
        regions=sorted({a["region"] for a in areas}),
        questions=_query(con, "questions"),
        card={key_of(r): r for r in cards[as_of]},
        bench={key_of(r): r for r in benches[as_of]},
        changes={key_of(r): r for r in masked},
        national=dict(national),
        trend=trend(con, as_of, scope),
        weights=dict(con.execute(SQL.text("criterion_weights")).fetchall()),
        runs=_query(con, "latest_runs", {"as_of": as_of}),
        sample=public_sample_vs_census(con, as_of),
        agreement=public_agreement(con, as_of),
        disagreement_reasons=_query(con, "disagreement_reasons", {"as_of": as_of}),
        draw=_draw(con, as_of),
        alerts=tables.quarantine_alerts(con, as_of),
        quarantine=tables.quality_quarantine(con, as_of),
        quality_cases=tables.data_quality(con, as_of, scope).to_dict("records"),
        quality_trend=tables.quality_trend(con, as_of),
        alert_share=float(tables.config_value(con, "quarantine_alert_share")),
    )


def trend(con: duckdb.DuckDBPyConnection, as_of: dt.date, scope: str) -> list[dict[str, Any]]:
    """Per night up to as_of and criterion: the pooled score of the published criterion
    scores of the nation (region and area_code None) and of each region (area_code None),
    and each area's own published score (None where suppressed, or where the night's
    export was rejected or missing: a gap, never a zero)."""
    frame = con.execute(SQL.text("criterion_scores_until"), {"as_of": as_of, "scope": scope}).df()
    threshold = disclosure.threshold(con)
    failed = {
        (pd.Timestamp(day).date(), code)
        for day, code in con.execute(SQL.text("export_failures_until"), {"as_of": as_of}).fetchall()
    }
    frame = frame[frame["question_id"].isna()]
    regions = dict(zip(frame["area_code"], frame["region"], strict=False))
    points = []
    for day, night in frame.groupby("as_of_date", sort=True):
        night_date = pd.Timestamp(day).date()
        hidden = disclosure.suppressed(night, threshold)
        shown = night[~hidden]
        for criterion, rows in shown.groupby("criterion_id", sort=True):
            pools = [(None, rows), *rows.groupby("region", sort=True)]
            for region, pool in pools:
                points.append(
                    {
                        "as_of_date": night_date,
                        "criterion_id": criterion,
                        "region": region,
                        "area_code": None,
                        "pct": _pooled(pool),
                        "hidden": False,
                    }
                )
        scores, secret = {}, set()
        for r, hide in zip(night.itertuples(), hidden, strict=True):
            if hide:
                secret.add((r.area_code, r.criterion_id))
            elif (night_date, r.area_code) not in failed:
                scores[(r.area_code, r.criterion_id)] = _pct(int(r.met), int(r.evaluated))
        for code in sorted(regions):
            for criterion in sorted(set(frame["criterion_id"])):
                points.append(
                    {
                        "as_of_date": night_date,
                        "criterion_id": criterion,
                        "region": regions[code],
                        "area_code": code,
                        "pct": scores.get((code, criterion)),
                        "hidden": (code, criterion) in secret,
                    }
                )
    return points


def _pooled(pool: pd.DataFrame) -> float | None:
    return _pct(int(pool["met"].sum()), int(pool["evaluated"].sum()))


def _pct(met: int, evaluated: int) -> float | None:
    return round(100.0 * met / evaluated, 1) if evaluated else None


def public_agreement(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[dict[str, Any]]:
    """marts.agreement of the night, blanked by the small-numbers rule as a scorecard is:
    both_scored plays `evaluated` (disclosure.suppressed, complementary suppression included)."""
    rows = tables.agreement(con, as_of)
    if not rows:
        return []
    frame = pd.DataFrame(rows)[["area_code", "criterion_id", "question_id", "both_scored"]]
    frame = frame.rename(columns={"both_scored": "evaluated"})
    hidden = disclosure.suppressed(frame, disclosure.threshold(con))
    for row, hide in zip(rows, hidden, strict=True):
        row["hidden"] = bool(hide)
        if hide:
            row.update(dict.fromkeys(tables.AGREEMENT_FIGURES))
    return rows


def public_sample_vs_census(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[dict]:
    """tables.sample_vs_census of the night, with each side blanked where its published
    scorecard is suppressed (and so the difference and the interval test too)."""
    rows = tables.sample_vs_census(con, as_of)
    if not rows:
        return []
    hidden = {
        scope: disclosure.public_night(con, as_of, scope).hidden for scope in ("sample", "census")
    }
    sample_fields = (
        "sample_met",
        "sample_evaluated",
        "sample_pct",
        "sample_ci_low",
        "sample_ci_high",
    )
    disclosure.blank(rows, hidden["sample"], sample_fields, "sample_hidden")
    disclosure.blank(
        rows, hidden["census"], ("census_met", "census_evaluated", "census_pct"), "census_hidden"
    )
    for row in rows:
        if row["sample_hidden"] or row["census_hidden"]:
            row.update(diff_pts=None, census_in_interval=None)
    return rows


def _draw(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, Any] | None:
    """The night's row of marts.sample_draws; None also for a warehouse older than that table
    (the report opens it read-only, so its schema cannot be brought up to date)."""
    ((exists,),) = con.execute(SQL.text("sample_draws_exists")).fetchall()
    if not exists:
        return None
    rows = _query(con, "sample_draw", {"as_of": as_of})
    return rows[0] if rows else None


def national_pool(
    card: list[dict[str, Any]], bench: list[dict[str, Any]]
) -> dict[tuple[str, str | None], dict[str, Any]]:
    """National met, evaluated and score per criterion and question, of published rows only."""
    pooled: dict[tuple[str, str | None], dict[str, Any]] = {}
    for row in card:
        entry = pooled.setdefault(
            (row["criterion_id"], row["question_id"]), {"met": 0, "evaluated": 0, "pct": None}
        )
        if not row["suppressed"]:
            entry["met"] += row["met"]
            entry["evaluated"] += row["evaluated"]
    for row in bench:
        if row["national_pct"] is not None:
            pooled[(row["criterion_id"], row["question_id"])]["pct"] = row["national_pct"]
    return pooled
