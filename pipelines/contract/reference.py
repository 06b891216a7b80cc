"""Reference data every stage shares: the 42 areas, the working-day calendar, the rulebook.

All three ship with the package (`probation_areas.csv`, `esi-<version>.toml` beside
this module) and are loaded into the warehouse as `ref.*` and `config.*`
(pipelines/warehouse/reference.py), so SQL joins to them instead of holding
standards numbers or holiday dates as literals.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
AREAS_CSV = HERE / "probation_areas.csv"
DEFAULT_RULEBOOK = HERE / "esi-2006.1.toml"
CALENDAR_FIRST = dt.date(1990, 1, 1)
CALENDAR_LAST = dt.date(2040, 12, 31)


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    region: str
    population_millions: float


@functools.cache
def areas() -> tuple[Area, ...]:
    with AREAS_CSV.open(newline="", encoding="utf-8") as handle:
        return tuple(
            Area(r["area_code"], r["area_name"], r["region"], float(r["population_millions"]))
            for r in csv.DictReader(handle)
        )


def area_codes() -> tuple[str, ...]:
    return tuple(a.code for a in areas())


def check_area_code(area_code: str) -> str:
    """Only the 42 known codes are ever used as a path fragment."""
    if area_code not in area_codes():
        raise ValueError(
            f"{area_code!r} is not a probation area code: pass one of the 42 codes "
            "listed in docs/exports.md (the table ref.areas)"
        )
    return area_code


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


def rulebook_path() -> Path:
    """CASEAUDIT_RULEBOOK names another rulebook file (docs/rulebook.md, "Changing a rule")."""
    return Path(os.environ.get("CASEAUDIT_RULEBOOK", DEFAULT_RULEBOOK))


def load_rulebook(path: Path | None = None) -> dict[str, Any]:
    with (path or rulebook_path()).open("rb") as handle:
        return tomllib.load(handle)
