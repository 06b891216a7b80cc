"""marts.scorecard: the Warwickshire follow-up figures, pooling, Wilson intervals, bands."""

from __future__ import annotations

import pytest

from tests.warehouse.models.builder import Night, d, score

AS_OF = d("2006-11-01")
START = d("2006-05-02")  # B1.1 and B3.1 due 2006-05-23, B3.6 due 2006-05-09
ON_TIME, LATE = d("2006-05-10"), d("2006-05-24")

# Warwickshire follow-up figures (rulebook brackets) reachable with a denominator of at
# most 30: (met, evaluated, pct). B1.3's 98% is not k/n for any n <= 30, so the sample
# scores 30/30 there; B3.4's 44% is taken as 4 of 9 (44.4%), the smallest denominator
# that rounds to it among the cases with a requirement delivered by others. C2.3 has no
# seed figure; every sample case is tier 3, so nothing is evaluated.
WARWICKSHIRE = {
    "B1.1": (16, 30, 53.3),
    "B1.2": (22, 30, 73.3),
    "B1.3": (30, 30, 100.0),
    "B1.4": (20, 30, 66.7),
    "B1.5": (1, 4, 25.0),
    "B1.6": (2, 3, 66.7),
    "B1.7": (25, 30, 83.3),
    "B3.1": (13, 30, 43.3),
    "B3.2": (19, 30, 63.3),
    "B3.3": (23, 30, 76.7),
    "B3.4": (4, 9, 44.4),
    "B3.5": (17, 30, 56.7),
    "B3.6": (25, 30, 83.3),
    "B3.7": (15, 30, 50.0),
    "B3.8": (3, 4, 75.0),
    "C2.1": (15, 30, 50.0),
    "C2.2": (1, 2, 50.0),
    "C2.3": (0, 0, None),
}
HIGH_RISK = {0: "MET", 1: "MET", 16: "late"}  # B1.6: 2 of 3
INCIDENTS = {2: d("2006-08-07"), 3: d("2006-07-03"), 4: d("2006-07-03"), 5: d("2006-07-03")}
MULTIAGENCY = {
    26: ("Y", None),
    27: ("Y", d("2006-06-01")),
    28: ("Y", d("2006-06-01")),
    29: ("N", None),
}  # integrated on the initial plan, deregistration


def _warwickshire_case(night: Night, i: int) -> None:
    """Case i of 30: each question's first k cases meet it (see WARWICKSHIRE)."""
    case = night.case(
        f"war{i:02d}",
        START,
        requirements=("SUP", "DRR") if i < 9 else ("SUP",),
        diversity_needs=("DIS",),
    )
    level = "H" if i in HIGH_RISK else "M"
    case.assessment(
        LATE if 16 <= i < 22 else ON_TIME,
        rosh_level=level,
        risk_grid_max=level,
        rosh_summary="Y" if i < 22 else "N",
        linked_sections=(7,),
    )
    if i < 20:  # B1.4: reviewed before 2006-08-30 (2006-09-13 when late)
        case.assessment(d("2006-08-15"), purpose_code=270)
    if i in INCIDENTS:  # B1.5: only the 2006-08-07 incident is reassessed (2006-08-15)
        case.incident(INCIDENTS[i])
    plan = case.plan(
        LATE if 13 <= i < 19 else d("2006-05-12"),
        offender_involved="Y" if i < 15 else "N",
        diversity_addressed="Y" if i < 17 else "N",
        multiagency_integrated=MULTIAGENCY.get(i, (None, None))[0],
        objectives=0,
    )
    case.objective(
        plan,
        need_section="7" if i < 23 else "3",
        addresses_rosh="Y" if i < 25 else "N",
        progress_measure="Attends weekly" if i < 19 else " ",
    )
    if i < 4:  # B3.4: the drug service named
        case.objective(plan, who_does_work="DRUG", addresses_rosh="N")
    if i in MULTIAGENCY:
        case.registration("MAPP", d("2006-04-01"), MULTIAGENCY[i][1])
    if i < 15 or i in MULTIAGENCY:  # C2.1: review due 2006-09-01 (2006-09-13 when late)
        case.plan(
            d("2006-08-25"),
            plan_type="REVIEW",
            progress_recorded="Y" if i < 15 else "N",
            multiagency_integrated="Y" if i == 26 else "N",
        )
    if i < 25:
        case.contact(d("2006-05-04"), "COAI")


def test_thirty_case_sample_reports_the_warwickshire_follow_up_figures(con):
    night = Night(AS_OF)
    for i in range(30):
        _warwickshire_case(night, i)
    night.run(con)
    reported = {question: score(con, question)[:3] for question in WARWICKSHIRE}
    assert reported == WARWICKSHIRE
    # criterion scores pool MET and MET + NOT_MET over their questions
    assert score(con, None, "B1") == (116, 157, 73.9, "Good")
    assert score(con, None, "B3") == (119, 193, 61.7, "Requires improvement")
    assert score(con, None, "C2") == (16, 32, 50.0, "Requires improvement")
    assert score(con, "C2.3") == (0, 0, None, None)


def test_every_area_question_and_criterion_has_a_row_and_wilson_bounds(con):
    night = Night(AS_OF)
    for i in range(30):
        _warwickshire_case(night, i)
    night.run(con)
    Night(AS_OF, area="DUR").case("outside_window", d("2000-01-03")).night.run(con)
    rows = con.execute(
        "SELECT area_code, count(*) FILTER (WHERE question_id IS NOT NULL), "
        "count(*) FILTER (WHERE question_id IS NULL), sum(evaluated) FROM marts.scorecard "
        "GROUP BY area_code ORDER BY area_code"
    ).fetchall()
    assert rows == [("DUR", 18, 3, 0), ("WAR", 18, 3, 2 * 382)]
    # 16/30 with z = 1.959964: hand-computed Wilson score interval, in percent
    low, high, version = con.execute(
        "SELECT ci_low, ci_high, rulebook_version FROM marts.scorecard "
        "WHERE area_code = 'WAR' AND question_id = 'B1.1'"
    ).fetchone()
    assert low == pytest.approx(36.1423, abs=1e-4)
    assert high == pytest.approx(69.7676, abs=1e-4)
    assert version == "esi-2006.1"
    assert con.execute(
        "SELECT pct, ci_low, ci_high, band FROM marts.scorecard "
        "WHERE area_code = 'DUR' AND question_id = 'B1.1'"
    ).fetchone() == (None, None, None, None)


@pytest.mark.parametrize(
    ("met", "evaluated", "pct", "band"),
    [
        (4, 5, 80.0, "Outstanding"),
        (107, 134, 79.9, "Good"),
        (13, 20, 65.0, "Good"),
        (1, 2, 50.0, "Requires improvement"),
        (0, 3, 0.0, "Inadequate"),
    ],
)
def test_band_edges(con, met, evaluated, pct, band):
    night = Night(AS_OF)
    for i in range(evaluated):
        night.case(f"k{i}", START).plan(d("2006-05-12"), offender_involved="Y" if i < met else "N")
    night.run(con)
    assert score(con, "B3.7") == (met, evaluated, pct, band)
