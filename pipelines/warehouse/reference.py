"""The `ref` and `config` tables: areas, the working-day calendar, the rulebook's numbers.

Reloaded inside each night's transaction (pipelines/warehouse/writer.py), so a
night's outcomes and the rulebook version stamped on them always agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pipelines.contract.exports import REQUIREMENT_PROVIDER
from pipelines.contract.reference import areas, load_rulebook, working_day_calendar
from pipelines.sql_files import Statements

SQL = Statements(Path(__file__).parent)
TIERS = (1, 2, 3, 4)
PER_TIER_PARAMETERS = (
    "initial_assessment_wd",
    "initial_plan_wd",
    "first_contact_wd",
    "review_interval_days",
    "review_interval_months",
    "reassessment_wd",
    "contact_level",
)


def _standards_rows(rulebook: dict[str, Any]) -> tuple[list[tuple], list[tuple]]:
    version = rulebook["rulebook_version"]
    wide, provenance = [], []
    for edition in rulebook["editions"]:
        for tier in TIERS:
            values: list[int | None] = []
            for parameter in PER_TIER_PARAMETERS:
                spec = edition.get(parameter)
                if spec is None:
                    values.append(None)
                elif "by_tier" in spec:
                    values.append(spec["by_tier"][str(tier)])
                else:
                    values.append(spec["value"])
            wide.append((version, edition["edition"], tier, *values))
        for parameter in PER_TIER_PARAMETERS:
            if parameter in edition:
                provenance.append(
                    (version, edition["edition"], parameter, edition[parameter]["provenance"])
                )
    return wide, provenance


def _fill(con: duckdb.DuckDBPyConnection, table: str, create: str, rows: list[tuple]) -> None:
    """Create `table` by its statement, then insert rows (one tuple per row, in its columns)."""
    con.execute(create)
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    con.register("reference_rows", pa.table({f"c{i}": list(c) for i, c in enumerate(columns)}))
    try:
        con.execute(SQL.render("reference/insert_rows", table=table))
    finally:
        con.unregister("reference_rows")


def install(con: duckdb.DuckDBPyConnection, rulebook_file: Path | None = None) -> str:
    """(Re)create the ref and config tables on a connection; returns the rulebook version."""
    rulebook = load_rulebook(rulebook_file)
    version = rulebook["rulebook_version"]
    for schema in ("ref", "config"):
        con.execute(SQL.render("schema/schemas", schema=schema))
    area_rows = [(a.code, a.name, a.region, a.population_millions) for a in areas()]
    _fill(con, "ref.areas", SQL.text("reference/areas"), area_rows)
    providers = list(REQUIREMENT_PROVIDER.items())
    _fill(con, "ref.requirement_providers", SQL.text("reference/requirement_providers"), providers)
    _fill(con, "ref.calendar", SQL.text("reference/calendar"), working_day_calendar())
    numbers = (
        "cohort_window_days",
        "suppression_min_evaluated",
        "contact_window_days",
        "contact_level_tier",
        "confidence_z",
        "quarantine_alert_share",
    )
    rulebook_row = (version, *(rulebook[n] for n in numbers))
    _fill(con, "config.rulebook", SQL.text("reference/rulebook"), [rulebook_row])
    editions = [
        (version, e["edition"], e["starts_on"], e["ends_before"]) for e in rulebook["editions"]
    ]
    _fill(con, "config.editions", SQL.text("reference/editions"), editions)
    wide, provenance = _standards_rows(rulebook)
    standards = SQL.render("reference/standards", parameters=PER_TIER_PARAMETERS)
    _fill(con, "config.standards", standards, wide)
    provenance_sql = SQL.text("reference/standards_provenance")
    _fill(con, "config.standards_provenance", provenance_sql, provenance)
    bands = [(version, b["band"], b["min_pct"]) for b in rulebook["bands"]]
    _fill(con, "config.bands", SQL.text("reference/bands"), bands)
    questions = [
        (version, q["question_id"], q["criterion_id"], q["title"]) for q in rulebook["questions"]
    ]
    _fill(con, "config.questions", SQL.text("reference/questions"), questions)
    weights = [(version, c, w) for c, w in rulebook["criterion_weights"].items()]
    _fill(con, "config.criterion_weights", SQL.text("reference/criterion_weights"), weights)
    return version
