"""The report's data quality per area: what the night's quarantine held, the cases it
touched, a rejected or missing export and what to do, and the quarantine rate over the
nights scored (the figures of `caseaudit quality`, pipelines/publish/tables.py).

Counts only: rows and cases, never a case key, as in the published data_quality.csv.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pipelines.publish import report_charts
from pipelines.publish.report_data import ReportData

COLUMNS = 6  # small multiples per row


def _files(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per file: rows quarantined (each once), their share, and each rule's rows."""
    files: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        files[row["file"]].append(row)
    return [
        {
            "file": file,
            "rows_in": rules[0]["rows_in"],
            "held": rules[0]["file_rows_quarantined"],
            "share": 100 * rules[0]["file_rows_quarantined"] / rules[0]["rows_in"],
            "rules": [(r["rule"], r["rows_quarantined"]) for r in rules],
        }
        for file, rules in files.items()
    ]


def _rate(pct: float | None) -> str:
    return "no load" if pct is None else f"{pct:.2f}%"


def quality_areas_view(data: ReportData) -> dict[str, Any]:
    """Per area with a run log tonight: its quarantine, cases touched, failure and trend;
    and one small-multiples chart of every area's quarantine rate."""
    names = {a["area_code"]: a["area_name"] for a in data.areas}
    nights = sorted({t["as_of_date"] for t in data.quality_trend})
    rates = {(t["area_code"], t["as_of_date"]): t["quarantine_rate"] for t in data.quality_trend}
    codes = sorted({r["area_code"] for r in data.runs})
    areas = []
    for code in codes:
        run = [r for r in data.runs if r["area_code"] == code]
        failed = [r for r in run if r["status"] in ("rejected", "missing")]
        areas.append(
            {
                "code": code,
                "name": names.get(code, code),
                "files": _files([q for q in data.quarantine if q["area_code"] == code]),
                "cases": [c for c in data.quality_cases if c["area_code"] == code],
                "failure": failed[0] if failed else None,
                "trend": [(n, rates.get((code, n))) for n in nights],
            }
        )
    rows = [
        {
            "area": names.get(code, code),
            "night": n.isoformat(),
            "pct": None if rates.get((code, n)) is None else 100 * rates[(code, n)],
        }
        for code in codes
        for n in nights
    ]
    chart = None
    if rows:
        label = "Quarantine rate per area and night, % of rows in: " + "; ".join(
            f"{r['area']} {r['night']} {_rate(r['pct'])}" for r in rows
        )
        chart = report_charts.to_svg(report_charts.quality_trend_chart(rows, COLUMNS), label)
    return {"areas": areas, "nights": nights, "chart": chart}
