"""The report's inspection-sample section: the night's sample scored beside the census."""

from __future__ import annotations

from typing import Any

from pipelines.publish import report_charts
from pipelines.publish.report_data import ReportData
from pipelines.publish.report_format import (
    INTERVAL_WORDS,
    SUPPRESSED,
    criterion_label,
    fmt_change,
    fmt_pct,
)


def _sample_cells(row: dict[str, Any]) -> dict[str, Any]:
    """Sample %, interval, n, census %, n, difference and the interval test of one row."""
    s_hidden, c_hidden = row["sample_hidden"], row["census_hidden"]
    either = s_hidden or c_hidden  # a side with nothing evaluated is suppressed, so none is blank
    return {
        "cells": [
            fmt_pct(row["sample_pct"], s_hidden),
            SUPPRESSED if s_hidden else f"{row['sample_ci_low']:.1f}–{row['sample_ci_high']:.1f}",
            SUPPRESSED if s_hidden else str(int(row["sample_evaluated"])),
            fmt_pct(row["census_pct"], c_hidden),
            SUPPRESSED if c_hidden else str(int(row["census_evaluated"])),
            SUPPRESSED if either else fmt_change(row["diff_pts"]),
        ],
        "verdict": SUPPRESSED if either else ("yes" if row["census_in_interval"] else "no"),
    }


def _draw_note(data: ReportData) -> str:
    draw = data.draw
    if draw is None:
        return "How this sample was drawn is not recorded."
    return (
        f"{int(draw['drawn'])} cases drawn: in each area up to {int(draw['size'])} cases "
        f"starting between {draw['window_start']:%Y-%m-%d} and {draw['window_end']:%Y-%m-%d} "
        f"(unpaid work only excluded), at least {int(draw['min_high_rosh'])} of them (or all "
        "there were) with an initial RoH level of high or very high, the rest at random from "
        f"seed {int(draw['seed'])}; rulebook {draw['rulebook_version']}."
    )


def _chart(data: ReportData, criterion: str) -> dict[str, Any]:
    names = {a["area_code"]: a["area_name"] for a in data.areas}
    regions = {a["area_code"]: a["region"] for a in data.areas}
    order = {a["area_code"]: i for i, a in enumerate(data.areas)}
    rows = sorted(
        (r for r in data.sample if r["criterion_id"] == criterion and r["question_id"] is None),
        key=lambda r: order.get(r["area_code"], len(order)),
    )
    shown = [
        {
            "area": names.get(r["area_code"], r["area_code"]),
            "region": regions.get(r["area_code"], ""),
            "low": r["sample_ci_low"],
            "high": r["sample_ci_high"],
            "pct": r["sample_pct"],
            "census_pct": r["census_pct"],
            "census": INTERVAL_WORDS[None if r["census_hidden"] else r["census_in_interval"]],
        }
        for r in rows
        if not r["sample_hidden"]  # so is every sample with nothing evaluated
    ]
    hidden = [names.get(r["area_code"], r["area_code"]) for r in rows if r["sample_hidden"]]
    svg = None
    if shown:
        label = f"{criterion}: inspection sample against census: " + "; ".join(
            f"{r['area']} sample {fmt_pct(r['pct'])}%, census {fmt_pct(r['census_pct'])}%"
            for r in shown
        )
        svg = report_charts.to_svg(report_charts.sample_chart(shown), label)
    return {"title": criterion_label(criterion), "svg": svg, "hidden": hidden}


def sample_view(data: ReportData) -> dict[str, Any] | None:
    """The night's inspection sample beside the census; None when none was scored."""
    if not data.sample:
        return None
    names = {a["area_code"]: a["area_name"] for a in data.areas}
    order = {a["area_code"]: i for i, a in enumerate(data.areas)}
    rows = sorted(data.sample, key=lambda r: order.get(r["area_code"], len(order)))

    def line(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "area": names.get(row["area_code"], row["area_code"]),
            "label": row["question_id"] or row["criterion_id"],
            **_sample_cells(row),
        }

    tested = [
        r["census_in_interval"]
        for r in rows
        if r["question_id"] is None and not (r["sample_hidden"] or r["census_hidden"])
    ]
    return {
        "note": _draw_note(data),
        "inside": sum(tested),
        "tested": len(tested),
        "charts": [_chart(data, c) for c in data.criteria],
        "criteria": [line(r) for r in rows if r["question_id"] is None],
        "questions": [line(r) for r in rows if r["question_id"] is not None],
    }
