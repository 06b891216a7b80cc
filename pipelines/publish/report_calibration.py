"""The report's calibration section: how far the census agrees with readers of the same cases.

Readers (inspectors, area auditors) read cases of the inspection sample and
land their judgements as case_readings.csv; marts.agreement sets them beside
the derived outcomes (docs/rulebook.md, "Calibration"). Every figure passes the
small-numbers rule (report_data.public_agreement).
"""

from __future__ import annotations

from typing import Any

from pipelines.publish.report_charts import CRITERION_NAMES, SUPPRESSED, _row, _table, esc
from pipelines.publish.report_data import ReportData
from pipelines.publish.tables import AGREEMENT_CELLS

WORST = 5  # questions listed under "where readers and the census disagree most"
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
    interval = "–" if kappa is None else f"{row['kappa_ci_low']:.2f} to {row['kappa_ci_high']:.2f}"
    return [
        count["read"],
        count["both_scored"],
        "–" if row["pct_agreement"] is None else f"{row['pct_agreement']:.1f}",
        "–" if kappa is None else f"{kappa:.2f}",
        interval,
        *(count[k] for k in AGREEMENT_CELLS),
    ]


def _label(row: dict[str, Any], titles: dict[str, str]) -> str:
    if row["question_id"] is None:
        name = CRITERION_NAMES.get(row["criterion_id"], "")
        return f"<b>{esc(row['criterion_id'])} {esc(name)}</b>"
    return f"{esc(row['question_id'])} {esc(titles.get(row['question_id'], ''))}"


def _agreement_table(rows: list[dict[str, Any]], titles: dict[str, str]) -> str:
    lines = [_row([_label(r, titles), *_cells(r)]) for r in rows]
    return _table(HEAD, lines)


def _worst(data: ReportData, titles: dict[str, str]) -> str:
    """The published national questions with the lowest agreement, with the census's reasons."""
    national = [
        r
        for r in data.agreement
        if r["level"] == "national" and r["question_id"] and r["pct_agreement"] is not None
    ]
    worst = sorted(national, key=lambda r: (r["pct_agreement"], r["question_id"]))[:WORST]
    items = []
    for row in worst:
        reasons = [
            f"{esc(r['reason'])} ({int(r['readings'])})"
            for r in data.disagreement_reasons
            if r["question_id"] == row["question_id"] and r["readings"] >= data.threshold
        ][:3]
        why = (
            f"; the census's reasons where the reader found it met: {', '.join(reasons)}"
            if reasons
            else ""
        )
        items.append(
            f"<li>{esc(row['question_id'])} {esc(titles.get(row['question_id'], ''))}: "
            f"{row['pct_agreement']:.1f}% agreement of {int(row['both_scored'])} readings "
            f"both scored (reader MET, census NOT MET: {int(row['met_not_met'])}; reader NOT "
            f"MET, census MET: {int(row['not_met_met'])}){why}</li>"
        )
    if not items:
        return ""
    return "<h3>Where readers and the census disagree most</h3><ol>" + "".join(items) + "</ol>"


def calibration_section(data: ReportData) -> str:
    """Agreement nationally and per area; a short note when no readings landed."""
    head = '<section id="calibration"><h2>Calibration: the census against readers</h2>'
    if not data.agreement:
        return (
            head + '<p class="muted">No readings (case_readings.csv) landed for this night, '
            "so the census is not calibrated against readers tonight.</p></section>"
        )
    titles = {q["question_id"]: q["title"] for q in data.questions}
    names = {a["area_code"]: a["area_name"] for a in data.areas}
    national = [r for r in data.agreement if r["level"] == "national"]
    areas = sorted({r["area_code"] for r in data.agreement if r["level"] == "area"})
    per_area = "".join(
        f"<details><summary>{esc(names.get(code, code))}</summary>"
        + _agreement_table([r for r in data.agreement if r["area_code"] == code], titles)
        + "</details>"
        for code in areas
    )
    return (
        head + '<p class="note">Readers read cases of the inspection sample and judged each '
        "question MET, NOT MET or not applicable; each reading is set beside the outcome the "
        "census derived for the same case and question. Agreement is the share of readings "
        "both sides scored on which they agree; Cohen's kappa is that agreement beyond what "
        "chance would give (1 perfect, 0 no better than chance), with its 95% interval. "
        "Cells read reader / census. Figures with fewer than "
        f"{data.threshold} readings both scored are suppressed ({SUPPRESSED}).</p>"
        f"<p>{len(areas)} areas sent readings tonight.</p>"
        + _worst(data, titles)
        + "<h3>All areas together</h3>"
        + _agreement_table(national, titles)
        + "<h3>Per area</h3>"
        + per_area
        + "</section>"
    )
