"""The report's calibration section: how far the census agrees with readers of the same cases.

Readers (inspectors, area auditors) read cases of the inspection sample and
land their judgements as case_readings.csv; marts.agreement sets them beside
the derived outcomes (docs/rulebook.md, "Calibration"). Every figure passes the
small-numbers rule (report_data.public_agreement).
"""

from __future__ import annotations

from typing import Any

from pipelines.publish.report_data import ReportData
from pipelines.publish.report_format import MISSING, SUPPRESSED, criterion_label
from pipelines.publish.tables import AGREEMENT_CELLS

WORST = 5  # questions listed under "where readers and the census disagree most"
REASONS = 3  # the census's reasons listed per question
HEAD = [
    "Question",
    "Read",
    "Both scored",
    "Agreement %",
    "Kappa",
    "95% interval",
    "MET / MET",
    "MET / NOT MET",
    "NOT MET / MET",
    "NOT MET / NOT MET",
    "Reader NA, census scored",
    "Reader scored, census NA",
    "Census not due",
]


def _cells(row: dict[str, Any]) -> list[str]:
    if row["hidden"]:
        return [SUPPRESSED] * (len(HEAD) - 1)
    count = {k: str(int(row[k])) for k in ("read", "both_scored", *AGREEMENT_CELLS)}
    kappa = row["kappa"]
    interval = (
        MISSING if kappa is None else f"{row['kappa_ci_low']:.2f} to {row['kappa_ci_high']:.2f}"
    )
    return [
        count["read"],
        count["both_scored"],
        MISSING if row["pct_agreement"] is None else f"{row['pct_agreement']:.1f}",
        MISSING if kappa is None else f"{kappa:.2f}",
        interval,
        *(count[k] for k in AGREEMENT_CELLS),
    ]


def _lines(rows: list[dict[str, Any]], titles: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "criterion": r["question_id"] is None,
            "label": criterion_label(r["criterion_id"])
            if r["question_id"] is None
            else f"{r['question_id']} {titles.get(r['question_id'], '')}",
            "cells": _cells(r),
        }
        for r in rows
    ]


def _worst(data: ReportData, titles: dict[str, str]) -> list[dict[str, Any]]:
    """The published national questions with the lowest agreement, with the census's reasons."""
    national = [
        r
        for r in data.agreement
        if r["level"] == "national" and r["question_id"] and r["pct_agreement"] is not None
    ]
    worst = sorted(national, key=lambda r: (r["pct_agreement"], r["question_id"]))[:WORST]
    return [
        {
            **row,
            "title": titles.get(row["question_id"], ""),
            "reasons": [
                f"{r['reason']} ({int(r['readings'])})"
                for r in data.disagreement_reasons
                if r["question_id"] == row["question_id"] and r["readings"] >= data.threshold
            ][:REASONS],
        }
        for row in worst
    ]


def calibration_view(data: ReportData) -> dict[str, Any] | None:
    """Agreement nationally and per area; None when no readings landed."""
    if not data.agreement:
        return None
    titles = {q["question_id"]: q["title"] for q in data.questions}
    names = {a["area_code"]: a["area_name"] for a in data.areas}
    areas = sorted({r["area_code"] for r in data.agreement if r["level"] == "area"})
    return {
        "head": HEAD,
        "worst": _worst(data, titles),
        "national": _lines([r for r in data.agreement if r["level"] == "national"], titles),
        "areas": [
            {
                "name": names.get(code, code),
                "lines": _lines([r for r in data.agreement if r["area_code"] == code], titles),
            }
            for code in areas
        ],
    }
