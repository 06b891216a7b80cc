"""Which events are cases, which rows exist on as_of, editions and tiers (rulebook Terms)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.contract.reference import DEFAULT_RULEBOOK
from pipelines.warehouse import models, reference, schema
from tests.warehouse.models.builder import Night, d, outcome

AS_OF = d("2006-11-01")


def test_cohort_window_includes_both_ends_and_excludes_outside(con):
    night = Night(AS_OF)
    night.case("oldest", d("2005-11-01"))  # as_of - 365 days
    night.case("too_old", d("2005-10-31"))
    night.case("today", AS_OF)
    night.case("future", d("2006-11-02"))  # start after as_of: the row is ignored
    night.run(con)
    assert outcome(con, "oldest", "B1.1")[0] == "NOT_MET"
    assert outcome(con, "today", "B1.1") == ("NOT_DUE", d("2006-11-22"), None, None)
    assert outcome(con, "too_old", "B1.1") is None
    assert outcome(con, "future", "B1.1") is None


def test_unpaid_work_only_and_other_sentence_types(con):
    night = Night(AS_OF)
    start = d("2006-06-01")
    night.case("upw_only", start, requirements=("UPW",))
    night.case("upw_and_sup", start, requirements=("UPW", "SUP"))
    night.case("no_requirements", start, requirements=None)
    night.case("licence", start, sentence_type="LIC")  # start is the release date
    night.case("suspended", start, sentence_type="SSO")
    night.run(con)
    assert outcome(con, "upw_only", "B1.1") is None
    for key in ("upw_and_sup", "no_requirements", "licence", "suspended"):
        assert outcome(con, key, "B1.1") == ("NOT_MET", d("2006-06-22"), None, "missing"), key


def test_voided_open_and_locked_incomplete_assessments_are_ignored(con):
    night = Night(AS_OF)
    case = night.case("k", d("2006-05-02"))  # B1.1 due 2006-05-23
    case.assessment(None, status="OPEN", initiation_date=d("2006-05-05"))
    case.assessment(None, status="LOCKED_INCOMPLETE", initiation_date=d("2006-05-06"))
    case.assessment(d("2006-05-08"), voided_date=d("2006-05-09"))
    case.assessment(d("2006-05-25"))
    night.run(con)
    assert outcome(con, "k", "B1.1") == ("NOT_MET", d("2006-05-23"), d("2006-05-25"), "late:2wd")


def test_a_voiding_after_as_of_is_read_as_blank(con):
    night = Night(d("2006-06-01"))
    case = night.case("k", d("2006-05-02"))
    case.assessment(d("2006-05-08"), voided_date=d("2006-06-02"))
    night.run(con)
    assert outcome(con, "k", "B1.1") == ("MET", d("2006-05-23"), d("2006-05-08"), None)


def test_rows_dated_after_as_of_are_ignored(con):
    as_of = d("2006-05-23")  # the B1.1 and B3.1 deadline day of a 2006-05-02 start
    night = Night(as_of)
    case = night.case("k", d("2006-05-02"), tier=3, termination_date=d("2006-06-30"))
    case.assessment(d("2006-05-24"))
    case.plan(d("2006-05-24"))
    case.contact(d("2006-05-24"), "COAI")
    night.run(con)
    assert outcome(con, "k", "B1.1") == ("NOT_DUE", d("2006-05-23"), None, None)
    assert outcome(con, "k", "B3.1") == ("NOT_DUE", d("2006-05-23"), None, None)
    assert outcome(con, "k", "B3.6") == ("NOT_MET", d("2006-05-09"), None, "missing")
    assert con.execute("SELECT horizon FROM stg_cases").fetchone() == (as_of,)


def test_registration_dated_after_as_of_is_ignored(con):
    night = Night(d("2006-06-01"))
    case = night.case("k", d("2006-05-02"))
    case.assessment(d("2006-05-10"))
    case.registration("RHRH", d("2006-06-02"))
    night.run(con)
    assert outcome(con, "k", "B1.3") == ("MET", None, d("2006-05-10"), None)


@pytest.mark.parametrize(
    ("start", "tier", "edition", "assessment_due", "contact_due"),
    [
        (d("2007-09-29"), 4, "NS2005", d("2007-10-19"), d("2007-10-05")),
        (d("2007-09-30"), 4, "NS2007", d("2007-10-05"), d("2007-10-02")),
        (d("2007-09-30"), 2, "NS2007", d("2007-10-19"), d("2007-10-05")),
    ],
)
def test_edition_is_chosen_by_start_and_numbers_by_tier(
    con, start, tier, edition, assessment_due, contact_due
):
    night = Night(d("2008-03-01"))
    night.case("k", start, tier=tier)
    night.run(con)
    assert con.execute("SELECT edition FROM stg_cases").fetchone() == (edition,)
    assert outcome(con, "k", "B1.1") == ("NOT_MET", assessment_due, None, "missing")
    assert outcome(con, "k", "B3.1") == ("NOT_MET", assessment_due, None, "missing")
    assert outcome(con, "k", "B3.6") == ("NOT_MET", contact_due, None, "missing")


def _rulebook_with_first_contact_days(tmp_path: Path, days: int) -> Path:
    text = DEFAULT_RULEBOOK.read_text(encoding="utf-8")
    old = "[editions.first_contact_wd]\n  value = 5\n"
    assert old in text
    changed = tmp_path / "rulebook.toml"
    changed.write_text(text.replace(old, f"[editions.first_contact_wd]\n  value = {days}\n"))
    return changed


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (d("2006-04-12"), 2, d("2006-04-18")),  # Good Friday and Easter Monday skipped
        (d("2006-12-22"), 1, d("2006-12-27")),  # Christmas and Boxing Day skipped
        (d("2006-12-23"), 1, d("2006-12-27")),  # from a Saturday
        (d("2006-04-13"), 1, d("2006-04-18")),
    ],
)
def test_working_day_deadlines_follow_the_configured_number(tmp_path, start, days, due):
    """WD(d, n) on the bank-holiday calendar; the number comes from the rulebook file."""
    con = duckdb.connect()
    schema.ensure_schema(con)
    reference.install(con, _rulebook_with_first_contact_days(tmp_path, days))
    night = Night(d("2007-01-31"))
    night.case("k", start)
    night.load(con)
    models.run_models(con, night.as_of)
    assert outcome(con, "k", "B3.6") == ("NOT_MET", due, None, "missing")


def test_sample_scope_scores_only_the_sampled_cases_beside_the_census(con):
    night = Night(AS_OF)
    for key in ("sampled", "not_sampled"):
        night.case(key, d("2006-06-01"))
    night.run(con)
    con.execute(
        "INSERT INTO marts.sample_cases VALUES (?, 'WAR', 'sampled', 1), "
        "(?, 'WAR', 'not_sampled', 2), (?, 'WAR', 'not_sampled', 1)",
        [AS_OF, AS_OF, d("2006-10-31")],
    )
    models.run_models(con, AS_OF, "sample")
    counts = con.execute(
        "SELECT scope, list(DISTINCT case_key ORDER BY case_key) FROM marts.case_outcomes "
        "GROUP BY scope ORDER BY scope"
    ).fetchall()
    assert counts == [("census", ["not_sampled", "sampled"]), ("sample", ["sampled"])]
    assert con.execute(
        "SELECT scope, evaluated FROM marts.scorecard WHERE question_id = 'B1.1' ORDER BY scope"
    ).fetchall() == [("census", 2), ("sample", 1)]


def test_termination_before_the_deadline_does_not_change_it(con):
    night = Night(AS_OF)
    night.case("k", d("2006-05-02"), termination_date=d("2006-05-10"))
    night.run(con)
    assert outcome(con, "k", "B1.1") == ("NOT_MET", d("2006-05-23"), None, "missing")
    assert outcome(con, "k", "B3.6") == ("NOT_MET", d("2006-05-09"), None, "missing")
