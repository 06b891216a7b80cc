"""Reference and configuration tables: areas, the working-day calendar, the rulebook.

They are loaded into the warehouse (schemas `ref` and `config`) so that SQL joins
to them instead of holding standards numbers or holiday dates as literals.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipelines import settings
from pipelines.contract import REQUIREMENT_PROVIDER

CALENDAR_FIRST = dt.date(1990, 1, 1)
CALENDAR_LAST = dt.date(2040, 12, 31)
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


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    region: str
    population_millions: float


@functools.cache
def areas() -> tuple[Area, ...]:
    with settings.AREAS_CSV.open(newline="", encoding="utf-8") as handle:
        return tuple(
            Area(r["area_code"], r["area_name"], r["region"], float(r["population_millions"]))
            for r in csv.DictReader(handle)
        )


def area_codes() -> tuple[str, ...]:
    return tuple(a.code for a in areas())


def working_day_calendar(first: dt.date = CALENDAR_FIRST, last: dt.date = CALENDAR_LAST):
    """Rows (day, is_working_day, working_day_seq, holiday_name) for England and Wales.

    working_day_seq counts working days on or before the day, so
    WD(d, n) is the working day whose seq is seq(d) + n.
    """
    import holidays

    bank_holidays = holidays.country_holidays(
        "GB", subdiv="ENG", years=range(first.year, last.year + 1)
    )
    rows = []
    seq = 0
    day = first
    while day <= last:
        holiday = bank_holidays.get(day)
        working = day.weekday() < 5 and holiday is None
        seq += working
        rows.append((day, working, seq, holiday))
        day += dt.timedelta(days=1)
    return rows


def load_rulebook(path: Path | None = None) -> dict[str, Any]:
    with (path or settings.rulebook_path()).open("rb") as handle:
        return tomllib.load(handle)


def _standards_rows(rulebook: dict[str, Any]):
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


def install(con: duckdb.DuckDBPyConnection, rulebook_file: Path | None = None) -> str:
    """(Re)create the ref and config tables on a connection; returns the rulebook version."""
    rulebook = load_rulebook(rulebook_file)
    version = rulebook["rulebook_version"]
    con.execute("CREATE SCHEMA IF NOT EXISTS ref")
    con.execute("CREATE SCHEMA IF NOT EXISTS config")

    con.execute(
        "CREATE OR REPLACE TABLE ref.areas (area_code VARCHAR PRIMARY KEY, area_name VARCHAR, "
        "region VARCHAR, population_millions DOUBLE)"
    )
    con.executemany(
        "INSERT INTO ref.areas VALUES (?, ?, ?, ?)",
        [(a.code, a.name, a.region, a.population_millions) for a in areas()],
    )
    con.execute(
        "CREATE OR REPLACE TABLE ref.requirement_providers "
        "(requirement VARCHAR PRIMARY KEY, provider VARCHAR)"
    )
    con.executemany(
        "INSERT INTO ref.requirement_providers VALUES (?, ?)", list(REQUIREMENT_PROVIDER.items())
    )
    _install_calendar(con)

    con.execute(
        "CREATE OR REPLACE TABLE config.rulebook (rulebook_version VARCHAR, "
        "cohort_window_days INTEGER, suppression_min_evaluated INTEGER, "
        "contact_window_days INTEGER, contact_level_tier INTEGER, confidence_z DOUBLE)"
    )
    con.execute(
        "INSERT INTO config.rulebook VALUES (?, ?, ?, ?, ?, ?)",
        [
            version,
            rulebook["cohort_window_days"],
            rulebook["suppression_min_evaluated"],
            rulebook["contact_window_days"],
            rulebook["contact_level_tier"],
            rulebook["confidence_z"],
        ],
    )
    con.execute(
        "CREATE OR REPLACE TABLE config.editions (rulebook_version VARCHAR, edition VARCHAR, "
        "starts_on DATE, ends_before DATE)"
    )
    con.executemany(
        "INSERT INTO config.editions VALUES (?, ?, ?, ?)",
        [(version, e["edition"], e["starts_on"], e["ends_before"]) for e in rulebook["editions"]],
    )
    wide, provenance = _standards_rows(rulebook)
    columns = ", ".join(f"{p} INTEGER" for p in PER_TIER_PARAMETERS)
    con.execute(
        "CREATE OR REPLACE TABLE config.standards (rulebook_version VARCHAR, edition VARCHAR, "
        f"tier INTEGER, {columns})"
    )
    placeholders = ", ".join("?" * (3 + len(PER_TIER_PARAMETERS)))
    con.executemany(f"INSERT INTO config.standards VALUES ({placeholders})", wide)
    con.execute(
        "CREATE OR REPLACE TABLE config.standards_provenance (rulebook_version VARCHAR, "
        "edition VARCHAR, parameter VARCHAR, provenance VARCHAR)"
    )
    con.executemany("INSERT INTO config.standards_provenance VALUES (?, ?, ?, ?)", provenance)
    con.execute(
        "CREATE OR REPLACE TABLE config.bands (rulebook_version VARCHAR, band VARCHAR, "
        "min_pct DOUBLE)"
    )
    con.executemany(
        "INSERT INTO config.bands VALUES (?, ?, ?)",
        [(version, b["band"], b["min_pct"]) for b in rulebook["bands"]],
    )
    con.execute(
        "CREATE OR REPLACE TABLE config.questions (rulebook_version VARCHAR, "
        "question_id VARCHAR, criterion_id VARCHAR, title VARCHAR)"
    )
    con.executemany(
        "INSERT INTO config.questions VALUES (?, ?, ?, ?)",
        [(version, q["question_id"], q["criterion_id"], q["title"]) for q in rulebook["questions"]],
    )
    con.execute(
        "CREATE OR REPLACE TABLE config.criterion_weights (rulebook_version VARCHAR, "
        "criterion_id VARCHAR, weight DOUBLE)"
    )
    con.executemany(
        "INSERT INTO config.criterion_weights VALUES (?, ?, ?)",
        [(version, c, w) for c, w in rulebook["criterion_weights"].items()],
    )
    return version


def _install_calendar(con: duckdb.DuckDBPyConnection) -> None:
    import pandas as pd

    frame = pd.DataFrame(
        working_day_calendar(),
        columns=["day", "is_working_day", "working_day_seq", "holiday_name"],
    )
    con.register("calendar_frame", frame)
    con.execute(
        "CREATE OR REPLACE TABLE ref.calendar AS SELECT CAST(day AS DATE) AS day, "
        "is_working_day, CAST(working_day_seq AS INTEGER) AS working_day_seq, "
        "CAST(holiday_name AS VARCHAR) AS holiday_name FROM calendar_frame ORDER BY day"
    )
    con.unregister("calendar_frame")
