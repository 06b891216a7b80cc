"""C2 Delivering appropriate supervision: chains, multi-agency reviews, contact levels."""

from __future__ import annotations

import pytest

from tests.warehouse.models.builder import Night, d, outcome

AS_OF = d("2006-11-01")


def _plan_chain(night, key, reviews, progress="Y", **case_args):
    case = night.case(key, d("2006-01-03"), **case_args)
    case.plan(d("2006-01-10"))  # review due 2006-05-02 (112 days)
    for day in reviews:
        case.plan(day, plan_type="REVIEW", progress_recorded=progress)
    return case


def test_c2_1_chains(con):
    night = Night(AS_OF)
    _plan_chain(night, "kept", [d("2006-05-02"), d("2006-08-22")])
    _plan_chain(night, "gap", [d("2006-05-02"), d("2006-08-23")])
    _plan_chain(night, "no_progress", [d("2006-05-02"), d("2006-08-15")], progress="N")
    _plan_chain(night, "ended_on_due", [d("2006-05-02")], termination_date=d("2006-08-22"))
    _plan_chain(night, "ended_after", [d("2006-05-02")], termination_date=d("2006-08-23"))
    other_initial = _plan_chain(night, "other_initial", [d("2006-05-02")])
    other_initial.plan(d("2006-08-01"))  # another INITIAL plan is not a review
    night.run(con)
    assert outcome(con, "kept", "C2.1") == ("MET", d("2006-08-22"), d("2006-08-22"), None)
    assert outcome(con, "gap", "C2.1") == (
        "NOT_MET",
        d("2006-08-22"),
        d("2006-08-23"),
        "review_missed:2006-08-22",
    )
    assert outcome(con, "no_progress", "C2.1") == (
        "NOT_MET",
        d("2006-08-22"),
        d("2006-08-15"),
        "progress_not_recorded:2006-05-02",
    )
    assert outcome(con, "ended_on_due", "C2.1") == ("MET", d("2006-05-02"), d("2006-05-02"), None)
    assert outcome(con, "ended_after", "C2.1") == (
        "NOT_MET",
        d("2006-08-22"),
        None,
        "review_missed:2006-08-22",
    )
    assert outcome(con, "other_initial", "C2.1") == (
        "NOT_MET",
        d("2006-08-22"),
        None,
        "review_missed:2006-08-22",
    )


def test_c2_1_missed_review_and_missing_progress_both_reported(con):
    night = Night(AS_OF)
    _plan_chain(night, "k", [d("2006-05-03")], progress=None)
    night.run(con)
    assert outcome(con, "k", "C2.1") == (
        "NOT_MET",
        d("2006-05-02"),
        d("2006-05-03"),
        "review_missed:2006-05-02;progress_not_recorded:2006-05-03",
    )


def test_c2_1_applies_once_the_first_review_is_due_before_the_horizon(con):
    for as_of, expected in (
        (d("2006-05-02"), None),
        (d("2006-05-03"), ("NOT_MET", d("2006-05-02"), None, "review_missed:2006-05-02")),
    ):
        night = Night(as_of)
        _plan_chain(night, "k", [])
        night.run(con)
        assert outcome(con, "k", "C2.1") == expected


def test_c2_2_registrations_around_review_dates(con):
    night = Night(AS_OF)
    start = d("2006-01-03")
    met = night.case("met", start)
    met.plan(d("2006-05-02"), plan_type="REVIEW", multiagency_integrated="Y")
    met.plan(d("2006-08-01"), plan_type="REVIEW", multiagency_integrated="N")
    met.registration("MAPP", d("2006-05-02"), d("2006-08-01"))  # active on 05-02 only
    failing = night.case("failing", start)
    failing.plan(d("2006-05-02"), plan_type="REVIEW", multiagency_integrated="Y")
    failing.plan(d("2006-08-01"), plan_type="REVIEW", multiagency_integrated=None)
    failing.registration("RCPR", d("2006-03-01"))
    starts_after = night.case("starts_after", start)
    starts_after.plan(d("2006-05-02"), plan_type="REVIEW", multiagency_integrated="N")
    starts_after.registration("MAPP", d("2006-05-03"))
    initial_only = night.case("initial_only", start)
    initial_only.plan(d("2006-05-02"), multiagency_integrated="N")
    initial_only.registration("MAPP", d("2006-01-01"))
    night.run(con)
    assert outcome(con, "met", "C2.2") == ("MET", None, d("2006-05-02"), None)
    assert outcome(con, "failing", "C2.2") == (
        "NOT_MET",
        None,
        d("2006-08-01"),
        "multiagency_not_integrated:2006-08-01",
    )
    assert outcome(con, "starts_after", "C2.2") is None
    assert outcome(con, "initial_only", "C2.2") is None


def _contacts(case, days, **flags):
    for day in days:
        case.contact(day, "COAP", **flags)


@pytest.mark.parametrize(("counted", "expected"), [(16, "MET"), (15, "NOT_MET")])
def test_c2_3_contact_level_exactly_and_one_below(con, counted, expected):
    night = Night(AS_OF)
    start = d("2006-01-03")  # window [2006-01-03, 2006-04-25)
    case = night.case("k", start, tier=2)
    weekly = [d("2006-01-03"), d("2006-01-03")]  # two on one day both count
    weekly += [
        d(f"2006-{m:02d}-{day:02d}")
        for m, day in [
            (1, 10),
            (1, 17),
            (1, 24),
            (1, 31),
            (2, 7),
            (2, 14),
            (2, 21),
            (2, 28),
            (3, 7),
            (3, 14),
            (3, 21),
            (3, 28),
            (4, 4),
            (4, 24),
        ]
    ]
    _contacts(case, weekly[:counted])
    case.contact(d("2006-04-25"), "CHVS")  # window end: not counted
    case.contact(d("2006-02-01"), "COAP", attended="N")
    case.contact(d("2006-02-02"), "CPRG", ns_contact="N")
    case.contact(d("2006-01-02"), "COAP")  # before start
    night.run(con)
    if expected == "MET":
        assert outcome(con, "k", "C2.3") == ("MET", d("2006-04-25"), d("2006-04-24"), None)
    else:
        assert outcome(con, "k", "C2.3") == ("NOT_MET", d("2006-04-25"), None, "below_level:15/16")


def test_c2_3_applies_to_tier_2_once_the_window_closed_before_the_horizon(con):
    night = Night(d("2006-04-25"))
    night.case("closes_on_as_of", d("2006-01-03"), tier=2)
    night.case("closed", d("2006-01-02"), tier=2)
    night.case("tier_3", d("2006-01-02"), tier=3)
    night.case("terminated", d("2006-01-02"), tier=2, termination_date=d("2006-04-23"))
    night.run(con)
    assert outcome(con, "closes_on_as_of", "C2.3") is None
    assert outcome(con, "closed", "C2.3") == ("NOT_MET", d("2006-04-24"), None, "below_level:0/16")
    assert outcome(con, "tier_3", "C2.3") is None
    assert outcome(con, "terminated", "C2.3") is None


def test_c2_3_ns2007_level(con):
    night = Night(d("2008-03-01"))
    case = night.case("k", d("2007-10-01"), tier=2)
    _contacts(case, [d("2007-10-01")] * 10)
    night.run(con)
    assert outcome(con, "k", "C2.3") == ("MET", d("2008-01-21"), d("2007-10-01"), None)
