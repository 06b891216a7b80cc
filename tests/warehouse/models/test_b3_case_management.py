"""B3 Case management: each question at its boundaries (NS2005 unless said)."""

from __future__ import annotations

import pytest

from tests.warehouse.models.builder import Night, d, outcome
from tests.warehouse.models.test_b1_assessment import BOUNDARIES

AS_OF = d("2006-11-01")


@pytest.mark.parametrize(("start", "due", "next_day"), BOUNDARIES)
def test_b3_1_met_on_the_deadline_day_not_met_one_working_day_late(con, start, due, next_day):
    night = Night(d("2007-03-01"))
    night.case("on_time", start).plan(due)
    night.case("late", start).plan(next_day)
    night.run(con)
    assert outcome(con, "on_time", "B3.1") == ("MET", due, due, None)
    assert outcome(con, "late", "B3.1") == ("NOT_MET", due, next_day, "late:1wd")
    assert outcome(con, "late", "B3.2") == ("MET", due, next_day, None)


@pytest.mark.parametrize(("start", "due", "next_day"), BOUNDARIES)
def test_b3_1_and_b3_2_not_due_on_the_deadline_day_then_missing(con, start, due, next_day):
    for as_of, expected in (
        (due, ("NOT_DUE", due, None, None)),
        (next_day, ("NOT_MET", due, None, "missing")),
    ):
        night = Night(as_of)
        night.case("k", start)
        night.run(con)
        assert outcome(con, "k", "B3.1") == expected
        assert outcome(con, "k", "B3.2") == expected


def test_b3_1_initial_plan_is_the_earliest_initial_and_may_predate_start(con):
    night = Night(AS_OF)
    case = night.case("k", d("2006-05-02"))
    case.plan(d("2006-04-28"))
    case.plan(d("2006-05-30"), objectives=0)  # a later INITIAL plan is not the initial plan
    case.plan(d("2006-05-01"), plan_type="REVIEW", objectives=0)
    night.run(con)
    assert outcome(con, "k", "B3.1") == ("MET", d("2006-05-23"), d("2006-04-28"), None)


def test_b3_1_and_b3_2_insufficient_plans(con):
    night = Night(AS_OF)
    start, plan_day = d("2006-05-02"), d("2006-05-10")
    night.case("no_objectives", start).plan(plan_day, objectives=0)
    blank = night.case("blank_who", start)
    blank_plan = blank.plan(plan_day)
    blank.objective(blank_plan, who_does_work=None)
    spaces = night.case("spaces", start)
    spaces_plan = spaces.plan(plan_day, objectives=0)
    spaces.objective(spaces_plan, intervention="  ", progress_measure=" ")
    late = night.case("late", start)
    late_plan = late.plan(d("2006-05-25"), objectives=0)
    late.objective(late_plan, progress_measure="")
    night.run(con)
    due = d("2006-05-23")
    assert outcome(con, "no_objectives", "B3.1") == (
        "NOT_MET",
        due,
        plan_day,
        "insufficient:no_objectives",
    )
    assert outcome(con, "blank_who", "B3.2") == (
        "NOT_MET",
        due,
        plan_day,
        "insufficient:who_does_work",
    )
    assert outcome(con, "spaces", "B3.2") == (
        "NOT_MET",
        due,
        plan_day,
        "insufficient:intervention,progress_measure",
    )
    assert outcome(con, "late", "B3.1") == (
        "NOT_MET",
        due,
        d("2006-05-25"),
        "late:2wd;insufficient:progress_measure",
    )


def test_b3_3_every_linked_section_needs_an_objective(con):
    night = Night(AS_OF)
    start = d("2006-05-02")
    met = night.case("met", start)
    pk = met.assessment(d("2006-05-10"), linked_sections=(7, 9))
    met.need(pk, 3, linked_to_offending="N")
    met_plan = met.plan(d("2006-05-12"), objectives=0)
    met.objective(met_plan, need_section="7")
    met.objective(met_plan, need_section="9")
    missing = night.case("missing", start)
    missing.assessment(d("2006-05-10"), linked_sections=(7, 9, 12))
    missing_plan = missing.plan(d("2006-05-12"), objectives=0)
    missing.objective(missing_plan, need_section="7")
    missing.objective(missing_plan, need_section="ROSH")
    unlinked = night.case("unlinked", start)
    unlinked_pk = unlinked.assessment(d("2006-05-10"))
    unlinked.need(unlinked_pk, 7, linked_to_offending="N")
    unlinked.plan(d("2006-05-12"))
    night.case("no_plan", start).assessment(d("2006-05-10"), linked_sections=(7,))
    night.run(con)
    assert outcome(con, "met", "B3.3") == ("MET", None, d("2006-05-12"), None)
    assert outcome(con, "missing", "B3.3") == (
        "NOT_MET",
        None,
        d("2006-05-12"),
        "no_objective:section_9,section_12",
    )
    assert outcome(con, "unlinked", "B3.3") is None
    assert outcome(con, "no_plan", "B3.3") is None


def test_b3_4_each_provider_named_on_the_plan(con):
    night = Night(AS_OF)
    start = d("2006-05-02")
    met = night.case("met", start, requirements=("SUP", "DRR", "ATR"))
    met_plan = met.plan(d("2006-05-12"))
    met.objective(met_plan, who_does_work="DRUG")
    met.objective(met_plan, who_does_work="ALCOHOL")
    missing = night.case("missing", start, requirements=("DRR", "RES", "MHTR"))
    missing.objective(missing.plan(d("2006-05-12")), who_does_work="DRUG")
    night.case("om_only", start, requirements=("SUP", "CUR")).plan(d("2006-05-12"))
    night.case("no_plan", start, requirements=("DRR",))
    night.run(con)
    assert outcome(con, "met", "B3.4") == ("MET", None, d("2006-05-12"), None)
    assert outcome(con, "missing", "B3.4") == (
        "NOT_MET",
        None,
        d("2006-05-12"),
        "no_provider:AP,HEALTH",
    )
    assert outcome(con, "om_only", "B3.4") is None
    assert outcome(con, "no_plan", "B3.4") is None


def test_b3_5_and_b3_7_plan_flags(con):
    night = Night(AS_OF)
    start = d("2006-05-02")
    night.case("yes", start, diversity_needs=("LNG",)).plan(d("2006-05-12"))
    night.case("no", start, diversity_needs=("DIS", "CAR")).plan(
        d("2006-05-12"), diversity_addressed="N", offender_involved="N"
    )
    night.case("blank", start, diversity_needs=("FTH",)).plan(
        d("2006-05-12"), diversity_addressed=None, offender_involved=None
    )
    night.case("no_needs", start).plan(d("2006-05-12"), diversity_addressed="N")
    night.run(con)
    plan_day = d("2006-05-12")
    assert outcome(con, "yes", "B3.5") == ("MET", None, plan_day, None)
    assert outcome(con, "no", "B3.5") == ("NOT_MET", None, plan_day, "diversity_not_addressed")
    assert outcome(con, "blank", "B3.5") == ("NOT_MET", None, plan_day, "diversity_not_addressed")
    assert outcome(con, "no_needs", "B3.5") is None
    assert outcome(con, "yes", "B3.7") == ("MET", None, plan_day, None)
    assert outcome(con, "no", "B3.7") == ("NOT_MET", None, plan_day, "offender_not_involved")
    assert outcome(con, "blank", "B3.7") == ("NOT_MET", None, plan_day, "offender_not_involved")


# start, WD(start, 5), the next working day after it
FIRST_CONTACT = [
    pytest.param(d("2006-05-02"), d("2006-05-09"), d("2006-05-10"), id="midweek"),
    pytest.param(d("2006-06-02"), d("2006-06-09"), d("2006-06-12"), id="weekend"),
    pytest.param(d("2006-04-06"), d("2006-04-13"), d("2006-04-18"), id="easter-2006"),
    pytest.param(d("2006-12-15"), d("2006-12-22"), d("2006-12-27"), id="christmas-2006"),
]


@pytest.mark.parametrize(("start", "due", "next_day"), FIRST_CONTACT)
def test_b3_6_attended_induction_by_the_deadline(con, start, due, next_day):
    night = Night(d("2007-03-01"))
    night.case("on_time", start).contact(due, "COAI")
    night.case("late", start).contact(next_day, "COAI")
    unattended = night.case("unattended", start)
    unattended.contact(start, "COAI", attended="N")
    night.case("other_type", start).contact(start, "COAP")
    night.case("before_start", start).contact(d("2006-01-02"), "COAI")
    night.run(con)
    assert outcome(con, "on_time", "B3.6") == ("MET", due, due, None)
    assert outcome(con, "late", "B3.6") == ("NOT_MET", due, next_day, "late:1wd")
    assert outcome(con, "unattended", "B3.6") == ("NOT_MET", due, None, "not_attended")
    assert outcome(con, "other_type", "B3.6") == ("NOT_MET", due, None, "missing")
    assert outcome(con, "before_start", "B3.6") == ("NOT_MET", due, None, "missing")


@pytest.mark.parametrize(("start", "due", "next_day"), FIRST_CONTACT)
def test_b3_6_not_due_on_the_deadline_day_then_missing(con, start, due, next_day):
    for as_of, expected in (
        (due, ("NOT_DUE", due, None, None)),
        (next_day, ("NOT_MET", due, None, "missing")),
    ):
        night = Night(as_of)
        night.case("k", start).contact(start, "COAI", attended="N")
        night.run(con)
        expected_reason = expected if expected[0] == "NOT_DUE" else (*expected[:3], "not_attended")
        assert outcome(con, "k", "B3.6") == expected_reason


def test_b3_8_registrations_around_the_plan_date(con):
    night = Night(AS_OF)
    start, plan_day = d("2006-05-02"), d("2006-05-12")
    cases = {
        "starts_on_plan_day": ("MAPP", plan_day, None, "Y"),
        "starts_day_after": ("MAPP", d("2006-05-13"), None, "Y"),
        "ends_on_plan_day": ("RCPR", d("2006-01-01"), plan_day, "N"),
        "ends_day_after": ("RCCO", d("2006-01-01"), d("2006-05-13"), "N"),
        "ends_after_as_of": ("MAPP", d("2006-01-01"), d("2006-11-02"), None),
        "not_multiagency": ("ADVP", d("2006-01-01"), None, "N"),
    }
    for key, (register_type, registered, deregistered, integrated) in cases.items():
        case = night.case(key, start)
        case.plan(plan_day, multiagency_integrated=integrated)
        case.registration(register_type, registered, deregistered)
    other_event = night.case("other_event", start, event_number=2)
    other_event.plan(plan_day, multiagency_integrated="Y")
    night.case("other_event", d("2006-02-01"), event_number=1).registration("MAPP", d("2006-02-01"))
    night.run(con)
    assert outcome(con, "starts_on_plan_day", "B3.8") == ("MET", None, plan_day, None)
    assert outcome(con, "starts_day_after", "B3.8") is None
    assert outcome(con, "ends_on_plan_day", "B3.8") is None
    assert outcome(con, "ends_day_after", "B3.8") == (
        "NOT_MET",
        None,
        plan_day,
        "multiagency_not_integrated",
    )
    assert outcome(con, "ends_after_as_of", "B3.8") == (
        "NOT_MET",
        None,
        plan_day,
        "multiagency_not_integrated",
    )
    assert outcome(con, "not_multiagency", "B3.8") is None
    assert outcome(con, "other_event", "B3.8", event_number=2) == ("MET", None, plan_day, None)
