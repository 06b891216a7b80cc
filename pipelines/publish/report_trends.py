"""The report's trends: each criterion over every night scored, for the nation, each region
and, in small multiples, each area beside its region and the nation."""

from __future__ import annotations

from typing import Any

from pipelines.publish import report_charts
from pipelines.publish.report_data import ReportData
from pipelines.publish.report_format import criterion_label, fmt_pct

COLUMNS = 6  # small multiples per row


def trend_view(data: ReportData, pooled: str) -> list[dict[str, Any]]:
    names = {a["area_code"]: a["area_name"] for a in data.areas}
    nights = sorted({t["as_of_date"] for t in data.trend})
    views = []
    for criterion in data.criteria:
        points = [t for t in data.trend if t["criterion_id"] == criterion]
        pools = {(t["region"], t["as_of_date"]): t["pct"] for t in points if t["area_code"] is None}
        series = [None, *sorted({t["region"] for t in points if t["area_code"] is None} - {None})]
        pool_rows: list[dict[str, Any]] = [
            {
                "name": region or pooled,
                "values": [pools.get((region, d)) for d in nights],
                "hidden": [False for _ in nights],
            }
            for region in series
        ]
        by_area: dict[str, dict[Any, float | None]] = {}
        secret: dict[str, set[Any]] = {}
        regions: dict[str, str] = {}
        for t in points:
            if t["area_code"] is not None:
                by_area.setdefault(t["area_code"], {})[t["as_of_date"]] = t["pct"]
                secret.setdefault(t["area_code"], set())
                if t["hidden"]:
                    secret[t["area_code"]].add(t["as_of_date"])
                regions[t["area_code"]] = t["region"]
        areas = sorted(by_area, key=lambda c: (regions[c], names.get(c, c)))
        area_rows: list[dict[str, Any]] = [
            {
                "name": names.get(code, code),
                "region": regions[code],
                "values": [by_area[code].get(d) for d in nights],
                "hidden": [d in secret[code] for d in nights],
            }
            for code in areas
        ]
        view: dict[str, Any] = {
            "criterion": criterion,
            "title": criterion_label(criterion),
            "nights": nights,
            "labels": [d.isoformat() for d in nights],
            "pools": pool_rows,
            "areas": area_rows,
            "svg": None,
            "areas_svg": None,
        }
        if pools:
            chart_rows = [
                {"night": d.isoformat(), "series": region or pooled, "pct": pools.get((region, d))}
                for region in series
                for d in nights
            ]
            label = f"{criterion} over the nights, {pooled} and each region: " + "; ".join(
                f"{r['name']} " + ", ".join(fmt_pct(v) for v in r["values"]) for r in pool_rows
            )
            view["svg"] = report_charts.to_svg(
                report_charts.trend_chart(chart_rows, data.baseline_as_of, pooled), label
            )
        if area_rows:
            small = [
                {"night": d.isoformat(), "area": row["name"], "series": kind, "pct": value}
                for row in area_rows
                for i, d in enumerate(nights)
                for kind, value in (
                    ("area", row["values"][i]),
                    ("region", pools.get((row["region"], d))),
                    ("nation", pools.get((None, d))),
                )
            ]
            label = f"{criterion} per area over the nights: " + "; ".join(
                f"{r['name']} " + ", ".join(fmt_pct(v) for v in r["values"]) for r in area_rows
            )
            view["areas_svg"] = report_charts.to_svg(
                report_charts.area_trends_chart(small, data.baseline_as_of, COLUMNS), label
            )
        views.append(view)
    return views
