"""The published report: one self-contained HTML file built from marts and audit aggregates.

It must open offline and make no request at all, so the CSS is inline, the
fonts are the reader's own and every chart is SVG rendered here by vl-convert
(report_charts.py). The page is the Jinja2 template templates/report.html.j2,
autoescaped; this module turns ReportData into what each section shows. It
shows only what the published CSVs show (publish/disclosure.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import jinja2
from altair.utils.schemapi import debug_mode

from pipelines.publish import disclosure, funnel, report_charts
from pipelines.publish.report_calibration import calibration_view
from pipelines.publish.report_compare import areas_view, funnel_view
from pipelines.publish.report_data import ReportData, gather
from pipelines.publish.report_format import (
    FLAG_MARKS,
    FLAG_WORDS,
    MISSING,
    RULEBOOK_SOURCE,
    SUPPRESSED,
    criterion_label,
    fmt_change,
    fmt_count,
    fmt_pct,
    fmt_rank,
)
from pipelines.publish.report_quality import quality_areas_view
from pipelines.publish.report_sample import sample_view
from pipelines.publish.report_trends import trend_view

TEMPLATES = Path(__file__).parent / "templates"
ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.filters.update(pct=fmt_pct, change=fmt_change, rank=fmt_rank, count=fmt_count)
ENV.globals.update(SUPPRESSED=SUPPRESSED, MISSING=MISSING, FLAG_MARKS=FLAG_MARKS)


def pooled_label(data: ReportData) -> str:
    """What the national figures pool: the nation only when every area was scored."""
    scored = len({k[0] for k in data.card})
    return "England and Wales" if scored == len(data.areas) else f"{scored} areas scored"


def questions_of(data: ReportData, criterion: str) -> list[dict[str, Any]]:
    return [q for q in data.questions if q["criterion_id"] == criterion]


def national_view(data: ReportData) -> dict[str, Any]:
    rows = []
    for criterion in data.criteria:
        keys = [(None, criterion_label(criterion))] + [
            (q["question_id"], f"{q['question_id']} {q['title']}")
            for q in questions_of(data, criterion)
        ]
        for question, label in keys:
            sides = data.national.get((criterion, question), {})
            now, base = sides.get("now", {}), sides.get("base", {})
            change = (
                None
                if now.get("pct") is None or base.get("pct") is None
                else round(now["pct"] - base["pct"], 1)
            )
            rows.append(
                {
                    "label": label,
                    "criterion": question is None,
                    "base": base.get("pct"),
                    "now": now.get("pct"),
                    "change": change,
                    "met": now.get("met"),
                    "evaluated": now.get("evaluated"),
                }
            )
    chart = report_charts.national_chart(rows, data.baseline_as_of != data.as_of)
    label = "National score per criterion and question: " + "; ".join(
        f"{r['label']} {fmt_pct(r['now'])}%" for r in rows
    )
    return {"rows": rows, "svg": report_charts.to_svg(chart, label)}


def quality_view(data: ReportData) -> dict[str, Any]:
    rejected = [r for r in data.runs if r["status"] == "rejected"]
    missing = [r for r in data.runs if r["status"] == "missing"]
    names = area_names(data)
    return {
        "logged": bool(data.runs),
        "received": len(data.runs) - len(missing),
        "rejected": len(rejected),
        "missing": len(missing),
        "failures": [
            {**r, "name": names.get(r["area_code"], r["area_code"])} for r in rejected + missing
        ],
        "totals": {
            k: int(sum(r[k] or 0 for r in data.runs))
            for k in ("rows_in", "rows_loaded", "rows_quarantined")
        },
        "alerts": data.alerts,
        "alert_share": data.alert_share,
    }


def area_names(data: ReportData) -> dict[str, str]:
    return {a["area_code"]: a["area_name"] for a in data.areas}


def composite(data: ReportData, code: str) -> tuple[float | None, int | None]:
    for criterion in data.criteria:
        bench = data.bench.get((code, criterion, None))
        if bench is not None:
            return bench["composite_score"], bench["composite_rank"]
    return None, None


def score_cell(data: ReportData, code: str, criterion: str, rank_field: str) -> dict[str, Any]:
    card = data.card.get((code, criterion, None))
    bench = data.bench.get((code, criterion, None)) or {}
    if card is None or card["suppressed"]:
        return {"text": MISSING if card is None else SUPPRESSED, "flag": None, "rank": None}
    flag = bench.get("flag") or "similar"
    return {
        "text": fmt_pct(card["pct"]) + FLAG_MARKS[flag],
        "flag": flag,
        "rank": bench.get(rank_field),
    }


def league_view(data: ReportData) -> dict[str, Any]:
    def line(area: dict[str, Any], rank: int | None, score: float | None, field: str):
        return {
            "area": area,
            "rank": rank,
            "score": score,
            "cells": [score_cell(data, area["area_code"], c, field) for c in data.criteria],
        }

    scored = [a for a in data.areas if composite(data, a["area_code"])[0] is not None]
    scored.sort(key=lambda a: (composite(data, a["area_code"])[1], a["area_name"]))
    national = []
    for area in scored:
        score, rank = composite(data, area["area_code"])
        national.append(line(area, rank, score, "rank_national"))
    regional = []
    for region in data.shown_regions:
        members = [a for a in data.areas if a["region"] == region]
        members.sort(key=lambda a: (-(composite(data, a["area_code"])[0] or -1), a["area_name"]))
        scores = [composite(data, a["area_code"])[0] for a in members]
        rows = [
            line(
                a,
                None if s is None else 1 + sum(1 for o in scores if o is not None and o > s),
                s,
                "rank_in_region",
            )
            for a, s in zip(members, scores, strict=True)
        ]
        regional.append({"region": region, "rows": rows})
    weights = ", ".join(f"{c} {w:g}" for c, w in sorted(data.weights.items()))
    return {
        "national": national,
        "regional": regional,
        "weights": weights,
        "criteria_heads": [f"{c} % (rank)" for c in data.criteria],
    }


def change_cells(row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        return {
            "base": MISSING,
            "now": MISSING,
            "change": MISSING,
            "sig": MISSING,
            "direction": None,
        }
    change = row.get("change_pts")
    if row.get("significant") and change is not None:
        sig, direction = "yes", "above" if change > 0 else "below"
    else:
        sig, direction = (MISSING if row.get("z") is None else "no"), None
    return {
        "base": fmt_pct(row.get("baseline_pct"), row.get("base_hidden", False)),
        "now": fmt_pct(row.get("current_pct"), row.get("now_hidden", False)),
        "change": fmt_change(change),
        "sig": sig,
        "direction": direction,
    }


def sheets_view(data: ReportData) -> list[dict[str, Any]]:
    titles = {q["question_id"]: q["title"] for q in data.questions}
    cards = []
    for area in sorted(data.areas, key=lambda a: a["area_name"]):
        code = area["area_code"]
        if not any(k[0] == code for k in data.changes):
            continue
        rows = []
        for criterion in data.criteria:
            for question in [None, *(q["question_id"] for q in questions_of(data, criterion))]:
                card = data.card.get((code, criterion, question))
                hidden = card is None or bool(card["suppressed"])
                rows.append(
                    {
                        "id": question or criterion,
                        "text": criterion_label(criterion)[len(criterion) + 1 :]
                        if question is None
                        else titles[question],
                        "criterion": question is None,
                        "met": None if card is None else card["met"],
                        "evaluated": None if card is None else card["evaluated"],
                        "band": None if card is None or hidden else card.get("band"),
                        "hidden": card is not None and bool(card["suppressed"]),
                        **change_cells(data.changes.get((code, criterion, question))),
                    }
                )
        score, rank = composite(data, code)
        cards.append({"area": area, "composite": score, "rank": rank, "rows": rows})
    return cards


def render(data: ReportData) -> str:
    rejected = {r["area_code"] for r in data.runs if r["status"] in ("rejected", "missing")}
    scored = len({k[0] for k in data.card})
    pooled = pooled_label(data)
    # Altair checks each chart's whole specification when it is rendered (to_dict);
    # checking every part again as it is made was a tenth of a national report's build
    with debug_mode(False):
        return ENV.get_template("report.html.j2").render(
            data=data,
            scored=scored,
            pooled=pooled,
            source=RULEBOOK_SOURCE,
            rejected=rejected,
            flag_words=FLAG_WORDS,
            national=national_view(data),
            quality=quality_view(data),
            quality_areas=quality_areas_view(data),
            league=league_view(data),
            areas=areas_view(data, rejected, pooled),
            funnels=funnel_view(data, pooled),
            sample=sample_view(data),
            calibration=calibration_view(data),
            trends=trend_view(data, pooled),
            sheets=sheets_view(data),
            limits=funnel.CONTROL_LIMITS,
        )


def build_report(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    out_path: Path,
    baseline_as_of: dt.date | None = None,
    scope: str = "census",
    night: disclosure.PublicNight | None = None,
) -> Path:
    """Write the night's report to out_path (atomically) and return the path.

    `night`: the night's published figures, when the caller has computed them.
    """
    text = render(gather(con, as_of, baseline_as_of, scope, night))
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_suffix(out_path.suffix + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(out_path)
    return out_path
