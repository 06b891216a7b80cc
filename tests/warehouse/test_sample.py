"""The inspection sample: who is drawn, reproducibly, and its scores beside the census.

One hand-built night of three areas, all cases' B1.1 met except LEI's
out-of-window ones (no assessment), so sample and census differ there by a
known amount:
- WAR: 50 cases starting in the window, 5 with initial RoH H or V; outside
  the window 10 more (3 high); in the window an unpaid-work-only high case and
  a case whose initial level is M but a later one H.
- STA: 40 in the window, only 2 high.
- LEI: 20 in the window, 20 outside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

import duckdb
import pytest

from pipelines.publish import report
from pipelines.publish.tables import sample_vs_census
from pipelines.warehouse import models
from pipelines.warehouse.sample import draw_sample, score_sample
from tests.warehouse.models.builder import Night, d

AS_OF = d("2006-11-01")
WINDOW = (d("2006-06-01"), d("2006-06-30"))
OUTSIDE = d("2006-03-01")  # in the cohort, before the window
Z = 1.959964


def _start(i: int) -> dt.date:
    """Starts spread over the whole window, both ends included."""
    return WINDOW[0] + dt.timedelta(days=i % 30)


def build_night() -> tuple[list[Night], dict[str, list[tuple[str, int, bool]]]]:
    """The nights of the three areas and, per area, its eligible (key, event, is_high)."""
    ids = itertools.count(1)  # oasys_set_pk unique across the areas
    nights, eligible = [], {}
    for area, in_window, high, outside, outside_assessed in (
        ("WAR", 50, 5, 10, True),
        ("STA", 40, 2, 0, True),
        ("LEI", 20, 0, 20, False),
    ):
        night = Night(AS_OF, area=area, ids=ids)
        eligible[area] = []
        for i in range(in_window):
            key, start = f"{area}-{i:02d}", _start(i)
            is_high = i < high
            level = ("H", "V")[i % 2] if is_high else "M"
            night.case(key, start).assessment(start + dt.timedelta(days=5), rosh_level=level)
            eligible[area].append((key, 1, is_high))
        for i in range(outside):
            case = night.case(f"{area}-out-{i:02d}", OUTSIDE)
            if outside_assessed:
                case.assessment(OUTSIDE + dt.timedelta(days=5), rosh_level="H" if i < 3 else "M")
        nights.append(night)
    war = nights[0]
    upw = war.case("WAR-upw", WINDOW[0], requirements=("UPW",))
    upw.assessment(WINDOW[0] + dt.timedelta(days=5), rosh_level="H")
    later_high = war.case("WAR-later-high", WINDOW[1])
    later_high.assessment(WINDOW[1] + dt.timedelta(days=5), rosh_level="M")
    later_high.assessment(WINDOW[1] + dt.timedelta(days=60), rosh_level="H")
    eligible["WAR"].append(("WAR-later-high", 1, False))
    return nights, eligible


def expected_draw(
    cases: list[tuple[str, int, bool]], seed: int, size: int, min_high: int
) -> set[tuple[str, int]]:
    """The draw recomputed independently of DuckDB: md5 order, first min_high highs first."""

    def draw_key(case: tuple[str, int, bool]) -> tuple[str, str, int]:
        key, event, _ = case
        return hashlib.md5(f"{seed}|{key}|{event}".encode()).hexdigest(), key, event

    highs = sorted((c for c in cases if c[2]), key=draw_key)[:min_high]
    ordered = sorted(cases, key=lambda c: (c not in highs, *draw_key(c)))
    return {(key, event) for key, event, _ in ordered[:size]}


@pytest.fixture
def night(blank_warehouse):
    """The night loaded and its census scored; returns (con, eligible)."""
    con = blank_warehouse
    nights, eligible = build_night()
    for each in nights:
        each.load(con)
    models.run_models(con, AS_OF, "census")
    return con, eligible


def drawn(con: duckdb.DuckDBPyConnection, area: str) -> set[tuple[str, int]]:
    rows = con.execute(
        "SELECT case_key, event_number FROM marts.sample_cases "
        "WHERE as_of_date = ? AND area_code = ?",
        [AS_OF, area],
    ).fetchall()
    assert len(rows) == len(set(rows)), "a case drawn twice"
    return set(rows)


def high_keys(eligible: list[tuple[str, int, bool]]) -> set[tuple[str, int]]:
    return {(key, event) for key, event, is_high in eligible if is_high}


def test_rulebook_defaults_draw_30_with_at_least_3_high_from_the_window(night):
    con, eligible = night
    assert draw_sample(con, AS_OF, *WINDOW) == 30 + 30 + 20
    war = drawn(con, "WAR")
    assert len(war) == 30
    assert len(war & high_keys(eligible["WAR"])) >= 3
    assert war <= {(k, e) for k, e, _ in eligible["WAR"]}  # all start in the window, no UPW
    assert war == expected_draw(eligible["WAR"], seed=0, size=30, min_high=3)
    starts = con.execute(
        "SELECT min(ev.sentence_date), max(ev.sentence_date) FROM marts.sample_cases AS sc "
        "JOIN staging.events AS ev USING (as_of_date, area_code, case_key, event_number)"
    ).fetchone()
    assert WINDOW[0] <= starts[0] and starts[1] <= WINDOW[1]


def test_an_area_with_two_high_cases_gets_both_and_a_small_area_gets_all(night):
    con, eligible = night
    draw_sample(con, AS_OF, *WINDOW)
    sta = drawn(con, "STA")
    assert len(sta) == 30
    assert high_keys(eligible["STA"]) <= sta and len(high_keys(eligible["STA"])) == 2
    assert sta == expected_draw(eligible["STA"], seed=0, size=30, min_high=3)
    assert drawn(con, "LEI") == {(f"LEI-{i:02d}", 1) for i in range(20)}


def test_min_high_is_met_even_when_random_order_would_miss_them(night):
    con, eligible = night
    assert draw_sample(con, AS_OF, *WINDOW, size=6, min_high_rosh=5, seed=7) == 6 + 6 + 6
    war = drawn(con, "WAR")
    assert high_keys(eligible["WAR"]) <= war  # all 5 highs, one case at random
    assert war == expected_draw(eligible["WAR"], seed=7, size=6, min_high=5)
    # asking for more highs than the size: the size wins, the draw is all high
    draw_sample(con, AS_OF, *WINDOW, size=2, min_high_rosh=5, seed=7)
    assert drawn(con, "WAR") <= high_keys(eligible["WAR"]) and len(drawn(con, "WAR")) == 2


def test_same_seed_same_sample_other_seed_other_sample_and_redraw_replaces(night):
    con, _ = night
    draw_sample(con, AS_OF, *WINDOW, seed=42)
    first = drawn(con, "WAR")
    draw_sample(con, AS_OF, *WINDOW, seed=42)
    assert drawn(con, "WAR") == first
    assert draw_sample(con, AS_OF, *WINDOW, seed=43) == 80  # replaced, not added
    assert drawn(con, "WAR") != first


def draws(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("SELECT * FROM marts.sample_draws ORDER BY ALL").fetchall()


def test_each_draw_is_recorded_and_a_redraw_replaces_its_record(night):
    con, _ = night
    draw_sample(con, AS_OF, *WINDOW)
    assert draws(con) == [(AS_OF, *WINDOW, 30, 3, 0, 80, "esi-2006.1")]
    assert draw_sample(con, AS_OF, *WINDOW, size=6, min_high_rosh=5, seed=7) == 18
    assert draws(con) == [(AS_OF, *WINDOW, 6, 5, 7, 18, "esi-2006.1")]
    # another night's draw is kept beside it
    later = AS_OF + dt.timedelta(days=7)
    assert draw_sample(con, later, *WINDOW, size=2, min_high_rosh=1, seed=3) == 0
    assert draws(con) == [
        (AS_OF, *WINDOW, 6, 5, 7, 18, "esi-2006.1"),
        (later, *WINDOW, 2, 1, 3, 0, "esi-2006.1"),
    ]


def test_window_end_before_start_is_refused(night):
    con, _ = night
    with pytest.raises(ValueError, match="window"):
        draw_sample(con, AS_OF, WINDOW[1], WINDOW[0])
    assert draws(con) == []


def _rows(con: duckdb.DuckDBPyConnection, table: str, scope: str) -> list[tuple]:
    return con.execute(
        f"SELECT * EXCLUDE (scope) FROM marts.{table} WHERE scope = ? ORDER BY ALL", [scope]
    ).fetchall()


def test_scoring_the_sample_leaves_the_census_and_matches_it_case_by_case(night):
    con, _ = night
    census = {t: _rows(con, t, "census") for t in ("case_outcomes", "scorecard", "benchmark")}
    assert census["case_outcomes"] and census["scorecard"]
    assert score_sample(con, AS_OF, *WINDOW) == 80
    for table, rows in census.items():
        assert _rows(con, table, "census") == rows, table
    # the sample's case outcomes are the census's outcomes of the drawn cases
    sampled = con.execute(
        "SELECT * EXCLUDE (scope) FROM marts.case_outcomes WHERE scope = 'census' "
        "AND (area_code, case_key, event_number) IN "
        "(SELECT (area_code, case_key, event_number) FROM marts.sample_cases) ORDER BY ALL"
    ).fetchall()
    assert _rows(con, "case_outcomes", "sample") == sampled
    assert {r[1] for r in sampled} == {"WAR", "STA", "LEI"}
    scorecard = con.execute(
        "SELECT area_code, met, evaluated, pct FROM marts.scorecard "
        "WHERE scope = 'sample' AND question_id = 'B1.1' ORDER BY area_code"
    ).fetchall()
    assert scorecard == [("LEI", 20, 20, 100.0), ("STA", 30, 30, 100.0), ("WAR", 30, 30, 100.0)]
    (rows_per_area,) = con.execute(
        "SELECT DISTINCT count(*) FROM marts.scorecard WHERE scope = 'sample' GROUP BY area_code"
    ).fetchone()
    assert rows_per_area == len(_rows(con, "scorecard", "census")) // 3


def test_sample_vs_census_shows_the_difference_and_the_interval(night):
    con, _ = night
    assert sample_vs_census(con, AS_OF) == []  # nothing sampled yet
    score_sample(con, AS_OF, *WINDOW)
    rows = sample_vs_census(con, AS_OF)
    assert len(rows) == len(_rows(con, "scorecard", "census"))
    by_key = {(r["area_code"], r["question_id"]): r for r in rows}
    lei = by_key[("LEI", "B1.1")]
    low = 100 * 20 / (20 + Z * Z)  # Wilson lower bound of 20/20
    assert lei["sample_ci_low"] == pytest.approx(low)
    assert round(low, 1) == 83.9
    assert {k: v for k, v in lei.items() if k not in ("sample_ci_low",)} == {
        "area_code": "LEI",
        "criterion_id": "B1",
        "question_id": "B1.1",
        "sample_met": 20,
        "sample_evaluated": 20,
        "sample_pct": 100.0,
        "sample_ci_high": 100.0,
        "census_met": 20,
        "census_evaluated": 40,
        "census_pct": 50.0,
        "diff_pts": 50.0,
        "census_in_interval": False,
    }
    war = by_key[("WAR", "B1.1")]
    assert (war["sample_pct"], war["census_pct"], war["diff_pts"]) == (100.0, 100.0, 0.0)
    assert war["census_in_interval"] is True
    # criterion rows come first in each area, then its questions in order
    lei_rows = [r for r in rows if r["area_code"] == "LEI"]
    assert lei_rows[0]["question_id"] is None and lei_rows[0]["criterion_id"] == "B1"
    assert lei_rows[1]["question_id"] == "B1.1"


def test_the_nights_report_shows_how_the_sample_was_drawn_and_its_scores(night, tmp_path):
    con, _ = night
    score_sample(con, AS_OF, *WINDOW, seed=5)
    text = report.build_report(con, AS_OF, tmp_path / "report.html").read_text(encoding="utf-8")
    assert (
        "80 cases drawn: in each area up to 30 cases starting between 2006-06-01 and "
        "2006-06-30 (unpaid work only excluded), at least 3 of them (or all there were) with "
        "an initial RoH level of high or very high, the rest at random from seed 5;" in text
    )
    assert (
        '<td class="text">Leicestershire and Rutland</td><td class="text">B1.1</td>'
        "<td>100.0</td><td>83.9–100.0</td><td>20</td><td>50.0</td><td>40</td><td>+50.0</td>"
        '<td><span class="sig">no</span></td>' in text
    )
