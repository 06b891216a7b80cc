"""B1 Assessment of Risk of Harm: each question at its boundaries (NS2005 unless said)."""

from __future__ import annotations

import pytest

from tests.warehouse.models.builder import Night, d, outcome

AS_OF = d("2006-11-01")


# start, deadline WD(start, 15), the next working day after it
BOUNDARIES = [
    pytest.param(d("2006-05-02"), d("2006-05-23"), d("2006-05-24"), id="midweek"),
    pytest.param(d("2006-06-02"), d("2006-06-23"), d("2006-06-26"), id="weekend"),
    pytest.param(d("2006-03-23"), d("2006-04-13"), d("2006-04-18"), id="easter-2006"),
    pytest.param(d("2006-12-01"), d("2006-12-22"), d("2006-12-27"), id="christmas-2006"),
]


@pytest.mark.parametrize(("start", "due", "next_day"), BOUNDARIES)
def test_b1_1_met_on_the_deadline_day_not_met_one_working_day_late(con, start, due, next_day):
    night = Night(d("2007-03-01"))
    night.case("on_time", start).assessment(due)
    night.case("late", start).assessment(next_day)
    night.run(con)
    assert outcome(con, "on_time", "B1.1") == ("MET", due, due, None)
    assert outcome(con, "late", "B1.1") == ("NOT_MET", due, next_day, "late:1wd")
    # B1.2 ignores timing
    assert outcome(con, "late", "B1.2") == ("MET", due, next_day, None)


@pytest.mark.parametrize(("start", "due", "next_day"), BOUNDARIES)
def test_b1_1_and_b1_2_not_due_on_the_deadline_day_then_missing(con, start, due, next_day):
    for as_of, expected in (
        (due, ("NOT_DUE", due, None, None)),
        (next_day, ("NOT_MET", due, None, "missing")),
    ):
        night = Night(as_of)
        night.case("k", start)
        night.run(con)
        assert outcome(con, "k", "B1.1") == expected
        assert outcome(con, "k", "B1.2") == expected


def test_b1_1_assessment_before_start_is_in_time(con):
    night = Night(AS_OF)
    night.case("k", d("2006-05-02")).assessment(d("2006-04-20"))
    night.run(con)
    assert outcome(con, "k", "B1.1") == ("MET", d("2006-05-23"), d("2006-04-20"), None)


def test_b1_1_initial_assessment_is_the_earliest_start_purpose(con):
    night = Night(AS_OF)
    case = night.case("k", d("2006-05-02"))
    case.assessment(d("2006-05-03"), purpose_code=360)  # not a start purpose
    case.assessment(d("2006-05-26"), purpose_code=500)
    case.assessment(d("2006-05-30"), purpose_code=430)
    night.run(con)
    assert outcome(con, "k", "B1.1") == ("NOT_MET", d("2006-05-23"), d("2006-05-26"), "late:3wd")


def test_b1_1_same_day_assessments_ordered_by_oasys_set_pk(con):
    night = Night(AS_OF)
    case = night.case("k", d("2006-05-02"))
    case.assessment(d("2006-05-10"), rosh_summary="N")  # lower pk: the initial one
    case.assessment(d("2006-05-10"))
    night.run(con)
    assert outcome(con, "k", "B1.1") == (
        "NOT_MET",
        d("2006-05-23"),
        d("2006-05-10"),
        "insufficient:rosh_summary",
    )


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"rosh_summary": "N"}, "insufficient:rosh_summary"),
        ({"rosh_screening": None}, "insufficient:rosh_screening"),
        (
            {"rosh_level": "H", "risk_grid_max": "H", "full_analysis": "N"},
            "insufficient:full_analysis",
        ),
        (
            {"rosh_level": "V", "risk_grid_max": "V", "full_analysis": None},
            "insufficient:full_analysis",
        ),
        ({"rosh_screening": "N", "rosh_summary": "N"}, "insufficient:rosh_screening,rosh_summary"),
    ],
)
def test_b1_1_and_b1_2_insufficient(con, overrides, reason):
    night = Night(AS_OF)
    night.case("k", d("2006-05-02")).assessment(d("2006-05-10"), **overrides)
    night.run(con)
    assert outcome(con, "k", "B1.1") == ("NOT_MET", d("2006-05-23"), d("2006-05-10"), reason)
    assert outcome(con, "k", "B1.2") == ("NOT_MET", d("2006-05-23"), d("2006-05-10"), reason)


def test_b1_1_low_risk_needs_no_full_analysis_and_late_insufficient_gives_both(con):
    night = Night(AS_OF)
    night.case("low", d("2006-05-02")).assessment(d("2006-05-10"), full_analysis="N")
    night.case("both", d("2006-05-02")).assessment(d("2006-05-25"), rosh_summary="N")
    night.run(con)
    assert outcome(con, "low", "B1.1") == ("MET", d("2006-05-23"), d("2006-05-10"), None)
    assert outcome(con, "both", "B1.1") == (
        "NOT_MET",
        d("2006-05-23"),
        d("2006-05-25"),
        "late:2wd;insufficient:rosh_summary",
    )


def test_b1_3_level_judged_on_latest_assessment_and_registrations(con):
    night = Night(AS_OF)
    start = d("2006-05-02")
    night.case("match", start).assessment(d("2006-05-10"))
    mismatch = night.case("grid", start)
    mismatch.assessment(d("2006-05-10"))
    mismatch.assessment(d("2006-08-01"), purpose_code=270, risk_grid_max="H")
    night.case("nc", start).assessment(d("2006-05-10"), rosh_level="NC", risk_grid_max=None)
    registered = night.case("registered", start)
    registered.assessment(d("2006-05-10"))
    registered.registration("RHRH", d("2006-01-01"))
    ended = night.case("ended", start)
    ended.assessment(d("2006-05-10"))
    ended.registration("RHRH", d("2006-01-01"), deregistration_date=AS_OF)
    same = night.case("same", start)
    same.assessment(d("2006-05-10"))
    same.registration("RMRH", d("2006-01-01"))
    night.case("none", start)
    night.run(con)
    assert outcome(con, "match", "B1.3") == ("MET", None, d("2006-05-10"), None)
    assert outcome(con, "grid", "B1.3") == ("NOT_MET", None, d("2006-08-01"), "level_mismatch:grid")
    assert outcome(con, "nc", "B1.3") == ("NOT_MET", None, d("2006-05-10"), "level_not_assessed")
    assert outcome(con, "registered", "B1.3") == (
        "NOT_MET",
        None,
        d("2006-05-10"),
        "level_mismatch:registration",
    )
    assert outcome(con, "ended", "B1.3") == ("MET", None, d("2006-05-10"), None)
    assert outcome(con, "same", "B1.3") == ("MET", None, d("2006-05-10"), None)
    assert outcome(con, "none", "B1.3") is None


def _chain_case(night, key, reviews, **case_args):
    case = night.case(key, d("2006-01-03"), **case_args)
    case.assessment(d("2006-01-10"))  # due for review 2006-05-02 (112 days)
    for day in reviews:
        case.assessment(day, purpose_code=270)
    return case


def test_b1_4_chains(con):
    night = Night(AS_OF)
    _chain_case(night, "kept", [d("2006-05-02"), d("2006-08-15")])
    _chain_case(night, "gap", [d("2006-05-02"), d("2006-08-23")])  # due 2006-08-22
    _chain_case(night, "none", [])
    _chain_case(night, "ended_on_due", [d("2006-05-02")], termination_date=d("2006-08-22"))
    _chain_case(night, "ended_after", [d("2006-05-02")], termination_date=d("2006-08-23"))
    # the horizon is as_of when termination is after it
    _chain_case(night, "ends_later", [d("2006-05-02")], termination_date=d("2007-01-01"))
    night.run(con)
    assert outcome(con, "kept", "B1.4") == ("MET", d("2006-08-22"), d("2006-08-15"), None)
    assert outcome(con, "gap", "B1.4") == (
        "NOT_MET",
        d("2006-08-22"),
        d("2006-08-23"),
        "review_missed:2006-08-22",
    )
    assert outcome(con, "none", "B1.4") == (
        "NOT_MET",
        d("2006-05-02"),
        None,
        "review_missed:2006-05-02",
    )
    assert outcome(con, "ended_on_due", "B1.4") == ("MET", d("2006-05-02"), d("2006-05-02"), None)
    assert outcome(con, "ended_after", "B1.4") == (
        "NOT_MET",
        d("2006-08-22"),
        None,
        "review_missed:2006-08-22",
    )
    assert outcome(con, "ends_later", "B1.4") == (
        "NOT_MET",
        d("2006-08-22"),
        None,
        "review_missed:2006-08-22",
    )


def test_b1_4_applies_only_once_the_first_review_is_due_before_the_horizon(con):
    night = Night(d("2006-05-02"))  # the first review's due date
    _chain_case(night, "k", [])
    night.run(con)
    assert outcome(con, "k", "B1.4") is None
    night = Night(d("2006-05-03"))
    _chain_case(night, "k", [])
    night.run(con)
    assert outcome(con, "k", "B1.4") == (
        "NOT_MET",
        d("2006-05-02"),
        None,
        "review_missed:2006-05-02",
    )


def test_b1_4_ns2007_four_calendar_months_clamped_to_month_end(con):
    night = Night(d("2008-03-10"))
    for key, review in (("kept", d("2008-02-29")), ("late", d("2008-03-03"))):
        case = night.case(key, d("2007-10-01"))
        case.assessment(d("2007-10-31"))
        case.assessment(review, purpose_code=580)
    night.run(con)
    assert outcome(con, "kept", "B1.4") == ("MET", d("2008-02-29"), d("2008-02-29"), None)
    assert outcome(con, "late", "B1.4") == (
        "NOT_MET",
        d("2008-02-29"),
        d("2008-03-03"),
        "review_missed:2008-02-29",
    )


def test_b1_4_earlier_non_start_assessments_are_not_in_the_chain(con):
    night = Night(AS_OF)
    case = night.case("k", d("2006-01-03"))
    case.assessment(d("2006-01-05"), purpose_code=360)
    case.assessment(d("2006-04-10"))  # the initial assessment: review due 2006-07-31
    case.assessment(d("2006-07-31"), purpose_code=270)  # next due 2006-11-20
    night.run(con)
    assert outcome(con, "k", "B1.4") == ("MET", d("2006-07-31"), d("2006-07-31"), None)


def test_b1_5_two_incidents_one_met_one_missed(con):
    night = Night(AS_OF)
    case = night.case("two", d("2006-01-03"))
    case.assessment(d("2006-01-10"))
    case.incident(d("2006-03-01"), "SIAR")  # due 2006-03-15
    case.assessment(d("2006-03-15"), purpose_code=360)
    case.incident(d("2006-06-01"), "SICC")  # due 2006-06-15
    case.assessment(d("2006-06-16"), purpose_code=360)
    one = night.case("one", d("2006-01-03"))
    one.incident(d("2006-03-01"), "SIRC")
    one.assessment(d("2006-03-01"), purpose_code=190)
    night.run(con)
    assert outcome(con, "two", "B1.5") == (
        "NOT_MET",
        d("2006-06-15"),
        None,
        "incident_missed:2006-06-01",
    )
    assert outcome(con, "one", "B1.5") == ("MET", d("2006-03-15"), d("2006-03-01"), None)


def test_b1_5_incident_counts_once_met_or_overdue(con):
    # incident 2006-10-20: due WD(2006-10-20, 10) = 2006-11-03, after as_of
    night = Night(AS_OF)
    night.case("pending", d("2006-01-03")).incident(d("2006-10-20"))
    met_early = night.case("met_early", d("2006-01-03"))
    met_early.incident(d("2006-10-20"))
    met_early.assessment(d("2006-10-25"), purpose_code=360)
    before_start = night.case("before_start", d("2006-01-03"))
    before_start.incident(d("2006-01-02"))
    night.run(con)
    assert outcome(con, "pending", "B1.5") is None
    assert outcome(con, "met_early", "B1.5") == ("MET", d("2006-11-03"), d("2006-10-25"), None)
    assert outcome(con, "before_start", "B1.5") is None


def test_b1_5_deadline_across_christmas(con):
    # WD(2006-12-12, 10) = 2006-12-28 (25 and 26 December are bank holidays)
    night = Night(d("2007-01-31"))
    met = night.case("met", d("2006-11-01"))
    met.incident(d("2006-12-12"))
    met.assessment(d("2006-12-28"), purpose_code=360)
    late = night.case("late", d("2006-11-01"))
    late.incident(d("2006-12-12"))
    late.assessment(d("2006-12-29"), purpose_code=360)
    night.run(con)
    assert outcome(con, "met", "B1.5") == ("MET", d("2006-12-28"), d("2006-12-28"), None)
    assert outcome(con, "late", "B1.5") == (
        "NOT_MET",
        d("2006-12-28"),
        None,
        "incident_missed:2006-12-12",
    )


def test_b1_6_risk_management_plan_for_high_risk(con):
    night = Night(AS_OF)
    start = d("2006-05-02")  # B1.1 due 2006-05-23
    high = {"rosh_level": "H", "risk_grid_max": "H"}
    night.case("met", start).assessment(d("2006-05-23"), **high)
    night.case("no_rmp", start).assessment(d("2006-05-23"), rmp="N", **high)
    night.case("late", start).assessment(d("2006-05-24"), rosh_level="V", risk_grid_max="V")
    night.case("medium", start).assessment(d("2006-05-23"), rmp="N")
    night.run(con)
    assert outcome(con, "met", "B1.6") == ("MET", d("2006-05-23"), d("2006-05-23"), None)
    assert outcome(con, "no_rmp", "B1.6") == ("NOT_MET", d("2006-05-23"), d("2006-05-23"), "no_rmp")
    assert outcome(con, "late", "B1.6") == ("NOT_MET", d("2006-05-23"), d("2006-05-24"), "late:1wd")
    assert outcome(con, "medium", "B1.6") is None


def test_b1_7_rosh_linked_to_plan(con):
    night = Night(AS_OF)
    start = d("2006-05-02")
    for key, level, addresses in (("met", "M", "Y"), ("not_met", "H", "N"), ("low", "L", "N")):
        case = night.case(key, start)
        case.assessment(d("2006-05-10"), rosh_level=level, risk_grid_max=level)
        plan = case.plan(d("2006-05-12"), objectives=0)
        case.objective(plan, addresses_rosh=addresses)
        case.objective(plan, addresses_rosh="N")
    night.case("no_plan", start).assessment(d("2006-05-10"))
    night.run(con)
    assert outcome(con, "met", "B1.7") == ("MET", None, d("2006-05-12"), None)
    assert outcome(con, "not_met", "B1.7") == (
        "NOT_MET",
        None,
        d("2006-05-12"),
        "no_rosh_objective",
    )
    assert outcome(con, "low", "B1.7") is None
    assert outcome(con, "no_plan", "B1.7") is None
