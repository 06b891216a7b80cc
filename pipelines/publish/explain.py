"""Explain one case: every question's outcome, dates and reason in plain words.

The analyst knows a crn, the warehouse only case_key, so the crn is hashed with
the configured key here and never stored or printed. Reason codes are the
machine-readable vocabulary of the warehouse's outcome models (docs/rulebook.md), translated below.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from pipelines.contract.identity import case_key
from pipelines.sql_files import Statements

SQL = Statements(Path(__file__).parent)

OUTCOME_WORDS = {"MET": "MET", "NOT_MET": "NOT MET", "NOT_DUE": "NOT DUE"}
PARTS = {
    "rosh_screening": "RoSH screening",
    "rosh_summary": "RoSH summary",
    "full_analysis": "RoSH full analysis (required at high or very high RoSH)",
    "no_objectives": "objectives (the plan has none)",
    "intervention": "an intervention on every objective",
    "who_does_work": "who does the work on every objective",
    "progress_measure": "a progress measure on every objective",
}
PROVIDERS = {
    "PROG": "the programmes team",
    "DRUG": "the drug service",
    "ALCOHOL": "the alcohol service",
    "HEALTH": "the mental health service",
    "AP": "approved premises",
    "UPW": "the unpaid work team",
}
SECTIONS = {
    "3": "accommodation",
    "4": "education, training and employability",
    "5": "financial management",
    "6": "relationships",
    "7": "lifestyle and associates",
    "8": "drug misuse",
    "9": "alcohol misuse",
    "10": "emotional wellbeing",
    "11": "thinking and behaviour",
    "12": "attitudes",
}


def explain_case(
    con: duckdb.DuckDBPyConnection,
    crn: str,
    as_of: dt.date,
    secret: bytes,
    scope: str = "census",
) -> list[dict[str, Any]]:
    """Every outcome row of the crn's events on that night and scope, with question titles."""
    cursor = con.execute(
        SQL.text("case_outcomes"),
        {"as_of": as_of, "scope": scope, "case_key": case_key(crn, secret)},
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _reason_words(code: str, row: dict[str, Any]) -> str:
    """One reason code (see the header comments of sql/outcomes/*.sql) in plain English."""
    kind, _, detail = code.partition(":")
    due, evidence = row["due_date"], row["evidence_date"]
    if kind == "missing":
        return f"nothing by the deadline {due}"
    if kind == "late":
        days = int(detail.removesuffix("wd"))
        done = "dated" if row["question_id"] == "B3.1" else "completed"
        if row["question_id"] == "B3.6":
            done = "first attended"
        if days == 0:
            return f"{done} {evidence}, a non-working day after the deadline {due}"
        return f"{done} {evidence}, {_plural(days, 'working day')} after the deadline {due}"
    if kind == "insufficient":
        return "not sufficient: missing " + _join([PARTS.get(p, p) for p in detail.split(",")])
    if kind == "not_attended":
        return f"the induction appointment by {due} was not attended"
    if kind == "level_not_assessed":
        return "the RoSH level was not calculated"
    if kind == "level_mismatch":
        if detail == "grid":
            return "the RoSH level differs from the highest level in the risk grid"
        return "a RoSH registration active on the audit date shows a different level"
    if kind == "review_missed":
        later = f"; the next one was on {evidence}" if evidence else "; none followed"
        return f"the review due by {detail} was not done in time{later}"
    if kind == "incident_missed":
        return f"no reassessment within the deadline {due} after the incident of {detail}"
    if kind == "no_rmp":
        return "no risk management plan completed"
    if kind == "no_rosh_objective":
        return "no objective of the initial plan addresses risk of harm"
    if kind == "no_objective":
        sections = [s.removeprefix("section_") for s in detail.split(",")]
        named = [f"section {s} ({SECTIONS.get(s, 'unknown')})" for s in sections]
        return "no plan objective for the need linked to offending in " + _join(named)
    if kind == "no_provider":
        names = [PROVIDERS.get(p, p) for p in detail.split(",")]
        return f"{_join(names)} not named on the plan as doing the work"
    if kind == "diversity_not_addressed":
        return "diversity needs not recorded as addressed in the plan"
    if kind == "offender_not_involved":
        return "the offender was not recorded as involved in the plan"
    if kind == "multiagency_not_integrated":
        plan = f"the review plan of {detail}" if detail else "the initial plan"
        return f"multi-agency plans not integrated in {plan}"
    if kind == "progress_not_recorded":
        return f"progress not recorded on the review plan of {detail}"
    if kind == "below_level":
        count, level = detail.split("/")
        return f"{count} attended national-standard contacts in the window, {level} required"
    return code


def _describe(row: dict[str, Any]) -> str:
    outcome, due, evidence = row["outcome"], row["due_date"], row["evidence_date"]
    if outcome == "NOT_DUE":
        return f"deadline {due} not yet passed and no evidence yet"
    if outcome == "MET":
        parts = [f"evidence {evidence}"] if evidence else []
        if due:
            parts.append(f"due {due}")
        return ", ".join(parts) if parts else "met"
    return "; ".join(_reason_words(code, row) for code in (row["reason"] or "").split(";") if code)


def format_explanation(rows: list[dict[str, Any]]) -> str:
    """Plain-English lines, one per question, grouped by event."""
    if not rows:
        return (
            "No outcomes for this case: it is not in the cohort on that date "
            "(or that night has not been derived)."
        )
    lines: list[str] = []
    event = None
    for row in rows:
        if row["event_number"] != event:
            event = row["event_number"]
            lines.append(f"Event {event}:")
        title = row["title"] or ""
        word = OUTCOME_WORDS.get(row["outcome"], row["outcome"])
        lines.append(f"  {row['question_id']} {title}: {word} - {_describe(row)}")
        if row.get("readings"):  # a reader's judgement beside the derived outcome
            lines.append(f"      read by {row['readings'].replace('_', ' ')}")
    lines.append("Questions not listed do not apply to this case.")
    return "\n".join(lines)
