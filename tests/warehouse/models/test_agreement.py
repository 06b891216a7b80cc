"""marts.agreement: inspectors' readings against the derived outcomes (rulebook "Calibration").

The derived side is set by B1.1 (initial assessment in 15 working days): a case started
2006-05-02 is MET when assessed on 2006-05-10 and NOT_MET when assessed on 2006-05-24;
B1.2 (content, timing aside) is MET for both. B1.5 and B3.4 do not apply to a case
without an incident or a requirement delivered by others: no derived row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pytest

from pipelines.warehouse import models
from tests.warehouse.models.builder import Night, d, outcome

AS_OF = d("2006-11-01")
START = d("2006-05-02")  # B1.1 due 2006-05-23
ON_TIME, LATE = d("2006-05-10"), d("2006-05-24")
RECENT = d("2006-10-25")  # B1.1 due 2006-11-15: NOT_DUE without an assessment on AS_OF
Z = 1.959964  # config.rulebook.confidence_z
COUNTS = (
    "read",
    "both_scored",
    "agree",
    "met_met",
    "met_not_met",
    "not_met_met",
    "not_met_not_met",
    "reader_na_derived_scored",
    "reader_scored_derived_na",
    "derived_not_due",
)
STATISTICS = ("pct_agreement", "kappa", "kappa_ci_low", "kappa_ci_high")
QUESTIONS_AND_CRITERIA = 18 + 3  # rows per level: config.questions and their criteria


def met(night: Night, key: str, **kwargs: Any):
    """A case whose B1.1 and B1.2 are MET."""
    case = night.case(key, START, **kwargs)
    case.assessment(ON_TIME)
    return case


def not_met(night: Night, key: str, **kwargs: Any):
    """A case whose B1.1 is NOT_MET (late), B1.2 MET."""
    case = night.case(key, START, **kwargs)
    case.assessment(LATE)
    return case


def rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cursor = con.execute("SELECT * FROM marts.agreement")
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def row(
    con: duckdb.DuckDBPyConnection,
    question_id: str | None,
    criterion_id: str = "B1",
    *,
    area: str | None = "WAR",
    scope: str = "census",
) -> dict[str, Any]:
    """The counts and statistics of one row of the scope: an area's (national when area is None),
    a question's or (question_id None) a criterion's."""
    level = "national" if area is None else "area"
    found = [
        r
        for r in rows(con)
        if (r["scope"], r["level"], r["area_code"], r["criterion_id"], r["question_id"])
        == (scope, level, area, criterion_id, question_id)
    ]
    assert len(found) == 1, found
    return {k: found[0][k] for k in (*COUNTS, *STATISTICS)}


def expected(**cells: Any) -> dict[str, Any]:
    """Zero counts and blank statistics but for `cells`; both_scored and agree follow
    from the four cells of the 2x2."""
    values = dict.fromkeys(COUNTS, 0) | dict.fromkeys(STATISTICS) | cells
    values["both_scored"] = sum(
        values[c] for c in ("met_met", "met_not_met", "not_met_met", "not_met_not_met")
    )
    values["agree"] = values["met_met"] + values["not_met_not_met"]
    return values


def test_worked_example_ten_cases_on_one_question(con):
    """The rulebook's worked example: 10 readings of B1.1, all scored on both sides.

                     derived MET  derived NOT_MET
        reader MET        5              1
        reader NOT_MET    1              3

    p_o = (5 + 3) / 10 = 0.8
    p_e = (6/10)(6/10) + (4/10)(4/10) = 0.36 + 0.16 = 0.52
    kappa = (0.8 - 0.52) / (1 - 0.52) = 0.28 / 0.48 = 0.583333
    SE = sqrt(0.8 * 0.2 / (10 * 0.48^2)) = sqrt(0.16 / 2.304) = 0.263523
    interval = 0.583333 -/+ 1.959964 * 0.263523 = 0.066837 .. 1.099829, clipped to 1
    """
    night = Night(AS_OF)
    judgements = {"MET": ["MET"] * 5 + ["NOT_MET"], "NOT_MET": ["MET"] + ["NOT_MET"] * 3}
    for derived, readings in judgements.items():
        for i, judgement in enumerate(readings):
            case = (met if derived == "MET" else not_met)(night, f"{derived}{i}")
            case.reading("B1.1", judgement)
    night.run(con)

    worked = expected(
        read=10,
        met_met=5,
        met_not_met=1,
        not_met_met=1,
        not_met_not_met=3,
        pct_agreement=80.0,
        kappa=pytest.approx(0.583333, abs=1e-6),
        kappa_ci_low=pytest.approx(0.066837, abs=1e-6),
        kappa_ci_high=1.0,
    )
    assert row(con, "B1.1") == worked
    assert row(con, None) == worked  # B1 pools B1.1 alone
    assert row(con, "B1.1", area=None) == worked  # one area: the nation is that area
    assert row(con, "B1.2") == expected()  # nothing read
    assert row(con, "B3.1", "B3") == expected()
    assert row(con, None, "C2") == expected()
    assert len(rows(con)) == 2 * QUESTIONS_AND_CRITERIA
    assert {(r["as_of_date"], r["scope"], r["rulebook_version"]) for r in rows(con)} == {
        (AS_OF, "census", con.execute("SELECT rulebook_version FROM config.rulebook").fetchone()[0])
    }


def test_reader_na_against_scored_and_scored_where_the_question_does_not_apply(con):
    night = Night(AS_OF)
    met(night, "assessed").reading("B1.1", "NA")  # derived MET
    quiet = met(night, "quiet")  # no incident: B1.5 does not apply
    quiet.reading("B1.5", "MET")
    quiet.reading("B3.4", "NOT_MET")  # SUP only: no requirement delivered by others
    met(night, "also_quiet").reading("B1.5", "NA")  # agrees it does not apply: read only
    night.run(con)

    assert outcome(con, "quiet", "B1.5") is None
    assert outcome(con, "quiet", "B3.4") is None
    assert row(con, "B1.1") == expected(read=1, reader_na_derived_scored=1)
    assert row(con, "B1.5") == expected(read=2, reader_scored_derived_na=1)
    assert row(con, "B3.4", "B3") == expected(read=1, reader_scored_derived_na=1)
    assert row(con, None) == expected(
        read=3, reader_na_derived_scored=1, reader_scored_derived_na=1
    )


def test_derived_not_due_counts_whatever_the_reader_said(con):
    night = Night(AS_OF)
    for judgement in ("MET", "NOT_MET", "NA"):
        night.case(f"new_{judgement}", RECENT).reading("B1.1", judgement)
    night.run(con)

    assert outcome(con, "new_MET", "B1.1")[0] == "NOT_DUE"
    assert row(con, "B1.1") == expected(read=3, derived_not_due=3)


def test_two_readers_of_one_case_are_two_readings(con):
    """Derived MET, R1 reads MET, R2 NOT_MET: p_o = 0.5, p_e = 0.5 * 1 + 0.5 * 0 = 0.5,
    kappa = 0; SE = sqrt(0.25 / (2 * 0.25)) = 0.707107, interval +/-1.385929 clipped."""
    night = Night(AS_OF)
    case = met(night, "shared")
    case.reading("B1.1", "MET", reader="R1")
    case.reading("B1.1", "NOT_MET", reader="R2")
    night.run(con)

    assert row(con, "B1.1") == expected(
        read=2,
        met_met=1,
        not_met_met=1,
        pct_agreement=50.0,
        kappa=pytest.approx(0.0, abs=1e-12),
        kappa_ci_low=-1.0,
        kappa_ci_high=1.0,
    )


def test_readings_of_cases_outside_the_census_count_in_nothing(con):
    night = Night(AS_OF)
    night.reading("no_event", "B1.1", "MET")
    met(night, "old", event_number=1).reading("B1.1", "MET")  # a case of the night...
    night.reading("old", "B1.1", "MET", event_number=2)  # ...but not this event
    too_old = night.case("too_old", START - dt.timedelta(days=400))  # outside the cohort
    too_old.assessment(START - dt.timedelta(days=390))
    too_old.reading("B1.1", "NOT_MET")
    night.reading("unpaid", "B1.1", "MET")
    night.case("unpaid", START, requirements=("UPW",)).assessment(ON_TIME)
    night.run(con)

    assert row(con, "B1.1") == expected(read=1, met_met=1, pct_agreement=100.0)
    assert row(con, "B1.1", area=None) == row(con, "B1.1")


def test_an_area_whose_readings_all_fall_outside_the_census_has_zero_rows(con):
    night = Night(AS_OF)
    night.reading("no_event", "B1.1", "MET")
    night.run(con)

    assert len(rows(con)) == 2 * QUESTIONS_AND_CRITERIA
    assert row(con, "B1.1") == expected()
    assert row(con, None, "B3", area=None) == expected()


def test_a_criterion_pools_the_2x2_of_its_questions(con):
    """B1.1: met_met 1, not_met_not_met 1 -> kappa 1 (SE 0).
    B1.2: met_met 1, not_met_met 1 -> p_o 0.5, p_e 0.5, kappa 0.
    B1 pooled: met_met 2, not_met_met 1, not_met_not_met 1 (n = 4): p_o = 0.75,
    p_e = (2/4)(3/4) + (2/4)(1/4) = 0.5, kappa = 0.25 / 0.5 = 0.5,
    SE = sqrt(0.75 * 0.25 / (4 * 0.25)) = 0.433013, interval 0.5 -/+ 0.848689."""
    night = Night(AS_OF)
    on_time, late = met(night, "on_time"), not_met(night, "late")
    on_time.reading("B1.1", "MET")
    late.reading("B1.1", "NOT_MET")
    on_time.reading("B1.2", "MET")
    late.reading("B1.2", "NOT_MET")  # derived B1.2 is MET: content is complete
    on_time.reading("B3.1", "NA")  # another criterion's reading stays out of B1
    night.run(con)

    assert row(con, "B1.1") == expected(
        read=2,
        met_met=1,
        not_met_not_met=1,
        pct_agreement=100.0,
        kappa=pytest.approx(1.0),
        kappa_ci_low=pytest.approx(1.0),
        kappa_ci_high=1.0,
    )
    assert row(con, "B1.2") == expected(
        read=2,
        met_met=1,
        not_met_met=1,
        pct_agreement=50.0,
        kappa=pytest.approx(0.0, abs=1e-12),
        kappa_ci_low=-1.0,
        kappa_ci_high=1.0,
    )
    assert row(con, None) == expected(
        read=4,
        met_met=2,
        not_met_met=1,
        not_met_not_met=1,
        pct_agreement=75.0,
        kappa=pytest.approx(0.5),
        kappa_ci_low=pytest.approx(0.5 - Z * 0.433013, abs=1e-6),
        kappa_ci_high=1.0,
    )
    assert row(con, None, "B3") == expected(read=1, reader_na_derived_scored=1)


def test_the_national_row_pools_every_area(con):
    """WAR: met_met 1. DUR: not_met_not_met 1, met_not_met 1. Nation: n = 3, p_o = 2/3,
    p_e = (2/3)(1/3) + (1/3)(2/3) = 4/9, kappa = (2/9) / (5/9) = 0.4,
    SE = sqrt((2/3)(1/3) / (3 (5/9)^2)) = 0.489898, interval 0.4 -/+ 0.960181."""
    war, dur = Night(AS_OF, "WAR"), Night(AS_OF, "DUR")
    met(war, "w1").reading("B1.1", "MET")
    not_met(dur, "d1").reading("B1.1", "NOT_MET")
    not_met(dur, "d2").reading("B1.1", "MET")
    war.load(con)
    dur.run(con)

    assert row(con, "B1.1", area="WAR") == expected(
        read=1, met_met=1, pct_agreement=100.0
    )  # p_e = 1: no kappa
    assert row(con, "B1.1", area="DUR") == expected(
        read=2,
        met_not_met=1,
        not_met_not_met=1,
        pct_agreement=50.0,
        kappa=pytest.approx(0.0, abs=1e-12),
        kappa_ci_low=-1.0,
        kappa_ci_high=1.0,
    )
    assert row(con, "B1.1", area=None) == expected(
        read=3,
        met_met=1,
        met_not_met=1,
        not_met_not_met=1,
        pct_agreement=66.7,
        kappa=pytest.approx(0.4),
        kappa_ci_low=pytest.approx(0.4 - Z * 0.489898, abs=1e-6),
        kappa_ci_high=1.0,
    )
    assert row(con, None, area=None) == row(con, "B1.1", area=None)
    national = [r for r in rows(con) if r["level"] == "national"]
    assert len(national) == QUESTIONS_AND_CRITERIA
    assert {r["area_code"] for r in national} == {None}
    assert len(rows(con)) == 3 * QUESTIONS_AND_CRITERIA


@pytest.mark.parametrize("judgement", ["MET", "NOT_MET"])
def test_full_agreement_on_one_side_only_gives_no_kappa(con, judgement):
    """Every reading and every outcome the same: p_e = 1, kappa undefined."""
    night = Night(AS_OF)
    for i in range(3):
        (met if judgement == "MET" else not_met)(night, f"k{i}").reading("B1.1", judgement)
    night.run(con)

    cell = "met_met" if judgement == "MET" else "not_met_not_met"
    assert row(con, "B1.1") == expected(read=3, **{cell: 3}, pct_agreement=100.0)


def test_a_night_without_readings_has_no_rows(con):
    earlier = Night(d("2006-10-31"))
    met(earlier, "read_yesterday").reading("B1.1", "MET")
    earlier.load(con)  # another night's readings are not this night's
    night = Night(AS_OF)
    met(night, "read_yesterday")
    night.run(con)

    assert outcome(con, "read_yesterday", "B1.1")[0] == "MET"
    assert rows(con) == []


def test_only_this_nights_outcomes_are_derived_sides(con):
    """The same case derived on an earlier night too: its reading still counts once."""
    for as_of in (d("2006-10-31"), AS_OF):
        night = Night(as_of)
        case = met(night, "every_night")
        if as_of == AS_OF:
            case.reading("B1.1", "MET")
        night.run(con)

    assert row(con, "B1.1") == expected(read=1, met_met=1, pct_agreement=100.0)


def test_a_sample_scope_reads_only_its_cases_against_its_outcomes(con):
    night = Night(AS_OF)
    met(night, "sampled").reading("B1.1", "MET")
    not_met(night, "census_only").reading("B1.1", "MET")
    night.run(con)
    con.execute("INSERT INTO marts.sample_cases VALUES (?, 'WAR', 'sampled', 1)", [AS_OF])
    models.run_models(con, AS_OF, "sample")

    assert row(con, "B1.1", scope="census") == expected(
        read=2, met_met=1, met_not_met=1, pct_agreement=50.0, kappa=pytest.approx(0.0, abs=1e-12)
    ) | {"kappa_ci_low": -1.0, "kappa_ci_high": 1.0}
    assert row(con, "B1.1", scope="sample") == expected(read=1, met_met=1, pct_agreement=100.0)
