"""explain: one case's outcomes found by crn and told in plain words."""

from __future__ import annotations

from pipelines.contract.identity import case_key
from pipelines.publish.explain import explain_case, format_explanation
from tests.warehouse.models.builder import Night, d

SECRET = b"test-secret"
CRN = "A123456"


def test_explain_finds_the_case_by_crn_and_translates_reasons(con):
    night = Night(d("2006-11-01"))
    case = night.case(case_key(CRN, SECRET), d("2006-05-02"), requirements=("DRR",))
    case.assessment(
        d("2006-05-26"), rosh_level="H", risk_grid_max="H", rmp="N", linked_sections=(9,)
    )
    case.plan(d("2006-05-12"), offender_involved="N")
    case.contact(d("2006-05-04"), "COAI")
    night.case(case_key("B654321", SECRET), d("2006-05-02"))
    night.run(con)

    rows = explain_case(con, CRN, d("2006-11-01"), SECRET)
    assert [r["question_id"] for r in rows] == [
        "B1.1",
        "B1.2",
        "B1.3",
        "B1.4",
        "B1.6",
        "B1.7",
        "B3.1",
        "B3.2",
        "B3.3",
        "B3.4",
        "B3.6",
        "B3.7",
        "C2.1",
    ]
    assert rows[0] == {
        "event_number": 1,
        "question_id": "B1.1",
        "title": "RoH assessment at start timely and of sufficient quality",
        "outcome": "NOT_MET",
        "due_date": d("2006-05-23"),
        "evidence_date": d("2006-05-26"),
        "reason": "late:3wd",
        "readings": None,
    }
    lines = format_explanation(rows).splitlines()
    assert lines[0] == "Event 1:"
    assert lines[1] == (
        "  B1.1 RoH assessment at start timely and of sufficient quality: NOT MET - "
        "completed 2006-05-26, 3 working days after the deadline 2006-05-23"
    )
    assert lines[2] == (
        "  B1.2 Content of the initial RoH assessment appropriate: MET - "
        "evidence 2006-05-26, due 2006-05-23"
    )
    assert lines[4] == (
        "  B1.4 RoH reviews timely: NOT MET - "
        "the review due by 2006-09-15 was not done in time; none followed"
    )
    assert lines[5] == (
        "  B1.6 Risk management plan for high RoH cases: NOT MET - "
        "completed 2006-05-26, 3 working days after the deadline 2006-05-23; "
        "no risk management plan completed"
    )
    assert lines[9] == (
        "  B3.3 Appropriate interventions identified: NOT MET - no plan objective for the "
        "need linked to offending in section 9 (alcohol misuse)"
    )
    assert lines[10] == (
        "  B3.4 Liaison with other workers defined: NOT MET - "
        "the drug service not named on the plan as doing the work"
    )
    assert lines[-1] == "Questions not listed do not apply to this case."


def test_explain_shows_what_readers_judged_beside_the_derived_outcome(con):
    night = Night(d("2006-11-01"))
    key = case_key(CRN, SECRET)
    night.case(key, d("2006-05-02")).assessment(d("2006-05-26"))
    for reader, judgement in (("R2", "NOT_MET"), ("R1", "MET")):
        night.rows["case_readings"].append(
            {
                "case_key": key,
                "event_number": 1,
                "question_id": "B1.1",
                "judgement": judgement,
                "reader": reader,
                "read_date": d("2006-10-30"),
            }
        )
    night.run(con)
    lines = format_explanation(explain_case(con, CRN, d("2006-11-01"), SECRET)).splitlines()
    assert lines[1].startswith(
        "  B1.1 RoH assessment at start timely and of sufficient quality: NOT MET"
    )
    assert lines[2] == "      read by R1: MET, R2: NOT MET"
    assert not lines[3].startswith("      read by")  # B1.2 was not read


def test_explain_an_unknown_crn_says_so(con):
    Night(d("2006-11-01")).run(con)
    rows = explain_case(con, "Z999999", d("2006-11-01"), SECRET)
    assert rows == []
    assert format_explanation(rows).startswith("No outcomes for this case")
