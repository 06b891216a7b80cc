"""`caseaudit show`: a night's scorecard for the terminal or a script.

One row per area (and one for the pool of every published area, `national`),
with each criterion and each question asked for: % met, met/evaluated and
band. The figures are the internal ones; a figure that the published files
suppress (publish/disclosure.py) is marked, so what the terminal shows can be
told from what may be published.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from rich.markup import escape
from rich.table import Table

from pipelines.publish import disclosure, tables
from pipelines.publish.report_format import MISSING, SUPPRESSED
from pipelines.sql_files import Statements

SQL = Statements(Path(__file__).parent)
NATIONAL = "national"
CSV_FIELDS = (
    "area_code", "area_name", "region", "measure", "met", "evaluated", "pct", "band",
    "suppressed",
)  # fmt: skip


class UnknownQuestion(ValueError):
    """A question asked for that the rulebook does not have."""


def rows(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    questions: list[str],
    scope: str = "census",
) -> list[dict[str, Any]]:
    """Per area and measure (criterion or chosen question) the internal figures and whether
    the published files suppress them; the national rows pool the published figures."""
    known = {r[1] for r in con.execute(SQL.text("questions")).fetchall()}
    unknown = sorted(set(questions) - known)
    if unknown:
        raise UnknownQuestion(", ".join(unknown))
    card = tables.scorecard_frame(con, as_of, scope)
    card["suppressed"] = disclosure.suppressed(card, disclosure.threshold(con))
    bench = disclosure.public_night(con, as_of, scope).benchmark
    national_pct = {
        (r["criterion_id"], _text(r["question_id"])): _number(r["national_pct"])
        for r in bench.to_dict("records")
    }
    out: list[dict[str, Any]] = []
    pools: dict[str, dict[str, Any]] = {}
    for r in card.to_dict("records"):
        question = _text(r["question_id"])
        if question is not None and question not in questions:
            continue
        measure = question or r["criterion_id"]
        hidden = bool(r["suppressed"])
        out.append(
            {
                "area_code": r["area_code"],
                "area_name": r["area_name"],
                "region": r["region"],
                "measure": measure,
                "met": int(r["met"]),
                "evaluated": int(r["evaluated"]),
                "pct": _number(r["pct"]),
                "band": _text(r["band"]),
                "suppressed": hidden,
            }
        )
        pool = pools.setdefault(
            measure,
            {
                "area_code": NATIONAL,
                "area_name": "published areas pooled",
                "region": "",
                "measure": measure,
                "met": 0,
                "evaluated": 0,
                "pct": national_pct.get((r["criterion_id"], question)),
                "band": None,
                "suppressed": False,
            },
        )
        if not hidden:
            pool["met"] += int(r["met"])
            pool["evaluated"] += int(r["evaluated"])
    bands = con.execute(SQL.text("bands")).fetchall()
    for pool in pools.values():
        if pool["pct"] is not None:
            pool["band"] = next((b for b, low in bands if pool["pct"] >= low), None)
    return out + [pools[m] for m in sorted(pools, key=_measure_order)]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    """A figure, None for every kind of blank (None, NaN, pandas' NA)."""
    return None if value is None or pd.isna(value) else float(value)


def _measure_order(measure: str) -> tuple[str, int]:
    criterion, _, number = measure.partition(".")
    return criterion, int(number or 0)


def table(shown: list[dict[str, Any]], as_of: dt.date, threshold: int) -> Table:
    """One line per area and measure, the national lines last."""
    out = Table(
        title=f"Scorecard {as_of}",
        caption=(
            f"{SUPPRESSED} suppressed in the published files (fewer than {threshold} cases "
            "evaluated, or hidden with one that is); national: the published areas pooled"
        ),
    )
    for name, justify in (
        ("area", "left"), ("region", "left"), ("measure", "left"), ("% met", "right"),
        ("met/evaluated", "right"), ("band", "left"), ("", "left"),
    ):  # fmt: skip
        out.add_column(name, justify=justify, no_wrap=name != "area")  # type: ignore[arg-type]
    for r in shown:
        label = NATIONAL if r["area_code"] == NATIONAL else f"{r['area_code']} {r['area_name']}"
        out.add_row(
            escape(label),
            escape(r["region"] or ""),
            r["measure"],
            MISSING if r["pct"] is None else f"{r['pct']:.1f}",
            f"{r['met']}/{r['evaluated']}",
            escape(r["band"] or MISSING),
            SUPPRESSED if r["suppressed"] else "",
        )
    return out


def to_csv(shown: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for r in shown:
        writer.writerow(
            {
                **r,
                "pct": "" if r["pct"] is None else f"{r['pct']:.1f}",
                "band": r["band"] or "",
                "suppressed": "true" if r["suppressed"] else "false",
            }
        )
    return buffer.getvalue()
