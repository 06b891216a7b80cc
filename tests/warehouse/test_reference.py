"""The working-day calendar and the rulebook configuration tables."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipelines.contract import reference as reference_data
from pipelines.warehouse import reference

D = dt.date


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    reference.install(con)
    return con


def wd(con: duckdb.DuckDBPyConnection, day: dt.date, n: int) -> dt.date:
    """WD(d, n) as the SQL models compute it: through working_day_seq."""
    return con.execute(
        """
        SELECT min(c1.day) FROM ref.calendar AS c0
        JOIN ref.calendar AS c1
          ON c1.is_working_day AND c1.working_day_seq = c0.working_day_seq + ?
        WHERE c0.day = ?
        """,
        [n, day],
    ).fetchone()[0]


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2006, 4, 12), 2, D(2006, 4, 18)),  # Good Friday 14th, Easter Monday 17th
        (D(2006, 12, 22), 1, D(2006, 12, 27)),  # Christmas Day and Boxing Day
        (D(2006, 12, 22), 3, D(2006, 12, 29)),
        (D(2006, 4, 14), 1, D(2006, 4, 18)),  # from a bank holiday itself
        (D(2006, 9, 1), 1, D(2006, 9, 4)),  # Friday to Monday
        (D(2006, 9, 2), 1, D(2006, 9, 4)),  # from a Saturday
        (D(2006, 9, 4), 15, D(2006, 9, 25)),
        (D(2010, 12, 24), 1, D(2010, 12, 29)),  # substitute days Mon 27th, Tue 28th
        (D(2006, 5, 26), 1, D(2006, 5, 30)),  # spring bank holiday Monday 29th
    ],
)
def test_wd_counts_working_days_after_the_date(con, start, n, expected) -> None:
    assert wd(con, start, n) == expected


def test_calendar_names_the_bank_holidays(con) -> None:
    holidays_2006 = con.execute(
        "SELECT day, holiday_name FROM ref.calendar WHERE year(day) = 2006 "
        "AND holiday_name IS NOT NULL ORDER BY day"
    ).fetchall()
    assert [d for d, _ in holidays_2006] == [
        D(2006, 1, 1),  # a Sunday: the library also lists it
        D(2006, 1, 2),  # New Year's Day observed
        D(2006, 4, 14),
        D(2006, 4, 17),
        D(2006, 5, 1),
        D(2006, 5, 29),
        D(2006, 8, 28),
        D(2006, 12, 25),
        D(2006, 12, 26),
    ]


def test_standards_follow_the_rulebook_table(con) -> None:
    rows = con.execute(
        "SELECT edition, tier, initial_assessment_wd, initial_plan_wd, first_contact_wd, "
        "review_interval_days, review_interval_months, reassessment_wd, contact_level "
        "FROM config.standards WHERE tier IN (2, 4) ORDER BY edition, tier"
    ).fetchall()
    assert rows == [
        ("NS2005", 2, 15, 15, 5, 112, None, 10, 16),
        ("NS2005", 4, 15, 15, 5, 112, None, 10, 16),
        ("NS2007", 2, 15, 15, 5, None, 4, 10, 10),
        ("NS2007", 4, 5, 5, 2, None, 4, 10, 10),
    ]
    editions = con.execute("SELECT edition, starts_on FROM config.editions ORDER BY 2").fetchall()
    assert editions == [("NS2005", D(1990, 1, 1)), ("NS2007", D(2007, 9, 30))]


def test_every_standard_is_marked_sourced_or_assumed(con) -> None:
    marks = con.execute(
        "SELECT edition, parameter, provenance FROM config.standards_provenance"
    ).fetchall()
    assert {p for _, _, p in marks} == {"SOURCED", "ASSUMED"}
    assert ("NS2007", "initial_plan_wd", "SOURCED") in marks
    assert ("NS2005", "review_interval_days", "ASSUMED") in marks
    assert len(marks) == 12


def test_areas_are_the_42_of_england_and_wales() -> None:
    areas = reference_data.areas()
    assert len(areas) == 42
    assert len({a.region for a in areas}) == 10
    assert "WAR" in reference_data.area_codes()
