"""The report's comparisons of areas: each against its region and the nation, and the
funnel plots that set every area's score against the number of cases it evaluated."""

from __future__ import annotations

from typing import Any

from pipelines.publish import funnel, report_charts
from pipelines.publish.report_data import ReportData
from pipelines.publish.report_format import FLAG_WORDS, criterion_label, fmt_pct


def _region_pct(data: ReportData, region: str, criterion: str) -> float | None:
    return next(
        (
            t["pct"]
            for t in data.trend
            if t["area_code"] is None
            and t["region"] == region
            and t["criterion_id"] == criterion
            and t["as_of_date"] == data.as_of
        ),
        None,
    )


def areas_view(data: ReportData, rejected: set[str], pooled: str) -> list[dict[str, Any]]:
    """Per criterion: every area's published score, interval, band, region and flag."""
    views = []
    for criterion in data.criteria:
        national = data.national.get((criterion, None), {}).get("now", {}).get("pct")
        rows, plotted = [], []
        for region in data.shown_regions:
            for area in sorted(
                (a for a in data.areas if a["region"] == region), key=lambda a: a["area_name"]
            ):
                code = area["area_code"]
                card = data.card.get((code, criterion, None))
                bench = data.bench.get((code, criterion, None)) or {}
                flag = bench.get("flag") or "similar"
                row = {
                    "area": area["area_name"] + (" †" if code in rejected else ""),
                    "region": region,
                    "region_pct": _region_pct(data, region, criterion),
                    "scored": card is not None,
                    "hidden": card is not None and bool(card["suppressed"]),
                    "flag": flag,
                    "flag_words": FLAG_WORDS[flag],
                }
                if card is not None and not card["suppressed"]:
                    row.update(
                        {k: card[k] for k in ("met", "evaluated", "pct", "ci_low", "ci_high")},
                        band=card.get("band"),
                    )
                    plotted.append(row)
                rows.append(row)
        svg = None
        if plotted:
            chart = report_charts.area_chart(plotted, national)
            label = f"{criterion}: each area's score against its region and {pooled}: " + (
                "; ".join(f"{r['area']} {fmt_pct(r['pct'])}%" for r in plotted)
            )
            svg = report_charts.to_svg(chart, label)
        views.append(
            {
                "criterion": criterion,
                "title": criterion_label(criterion),
                "national": national,
                "rows": rows,
                "svg": svg,
            }
        )
    return views


def _published(data: ReportData, criterion: str, question: str | None) -> list[dict[str, Any]]:
    names = {a["area_code"]: a["area_name"] for a in data.areas}
    return [
        {
            "area": names.get(key[0], key[0]),
            "met": card["met"],
            "evaluated": card["evaluated"],
            "pct": card["pct"],
            "flag": (data.bench.get(key) or {}).get("flag") or "similar",
        }
        for key, card in data.card.items()
        if key[1] == criterion and key[2] == question and not card["suppressed"]
    ]


def _national_share(data: ReportData, criterion: str, question: str | None) -> float | None:
    """Pooled met over pooled evaluated of the published rows, unrounded."""
    now = data.national.get((criterion, question), {}).get("now", {})
    return now["met"] / now["evaluated"] if now.get("evaluated") else None


def _funnel(data: ReportData, criterion: str, question: str | None) -> dict[str, Any]:
    share = _national_share(data, criterion, question)
    points = funnel.points(_published(data, criterion, question), share)
    return {
        "national": data.national.get((criterion, question), {}).get("now", {}).get("pct"),
        "share": share,
        "points": sorted(points, key=lambda p: (p["n"], p["area"])),
        "outside": [p for p in points if p["position"] != "within"],
    }


def funnel_view(data: ReportData, pooled: str) -> list[dict[str, Any]]:
    """Per criterion: the funnel's points (published area scores only), its limits and its
    chart; per question of it, the points and limits as a table."""
    views = []
    for criterion in data.criteria:
        view = _funnel(data, criterion, None)
        svg = None
        if view["points"] and view["share"] is not None:
            label = (
                f"Funnel plot of {criterion}: {len(view['points'])} areas against {pooled} at "
                f"{fmt_pct(view['national'])}%; outside the 95% limits: "
                + (", ".join(f"{p['area']} ({p['position']})" for p in view["outside"]) or "none")
            )
            chart = report_charts.funnel_chart(view["points"], view["share"])
            svg = report_charts.to_svg(chart, label)
        questions = [
            {"id": q["question_id"], "title": q["title"],
             **_funnel(data, criterion, q["question_id"])}
            for q in data.questions
            if q["criterion_id"] == criterion
        ]  # fmt: skip
        views.append(
            {
                **view,
                "criterion": criterion,
                "title": criterion_label(criterion),
                "svg": svg,
                "questions": [q for q in questions if q["points"]],
            }
        )
    return views
