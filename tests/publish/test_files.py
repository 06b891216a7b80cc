"""Published files: small-number suppression, the public benchmark, the baseline z-test."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from pipelines.publish import files, tables
from tests.warehouse.test_benchmark import NIGHT_1, NIGHT_2, build_warehouse


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    build_warehouse(con, tmp_path_factory.mktemp("sql"))
    return con


@pytest.fixture(scope="module")
def published(con, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return files.write_night(con, NIGHT_2, tmp_path_factory.mktemp("publish") / NIGHT_2.isoformat())


def read(path: Path) -> dict[tuple[str, str, str], dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {
            (r["area_code"], r["criterion_id"], r["question_id"]): r for r in csv.DictReader(handle)
        }


def test_files_are_written_under_the_night(published):
    night = published["scorecard"].parent
    assert night.name == "2006-09-11"
    assert sorted(p.name for p in night.iterdir()) == [
        "benchmark.csv",
        "data_quality.csv",
        "report.html",
        "scorecard.csv",
    ]


def test_four_evaluated_is_suppressed_blank_and_five_is_shown(published):
    rows = read(published["scorecard"])
    lei = rows[("LEI", "B1", "")]  # 3 of 4
    assert lei["suppressed"] == "true"
    assert [lei[f] for f in ("met", "evaluated", "pct", "ci_low", "ci_high", "band")] == [""] * 6
    dby = rows[("DBY", "B1", "")]  # 5 of 5
    assert dby["suppressed"] == "false"
    assert (dby["met"], dby["evaluated"], dby["pct"]) == ("5", "5", "100.0")
    assert (dby["ci_low"], dby["ci_high"]) == ("56.6", "100.0")
    nothing = rows[("NOT", "B1", "")]  # nothing evaluated: blank, never a zero
    assert (nothing["suppressed"], nothing["evaluated"], nothing["pct"]) == ("true", "", "")


def test_a_lone_suppressed_question_takes_its_smallest_sibling_with_it(published):
    rows = read(published["scorecard"])
    # WAR B1: B1.5 4 evaluated (suppressed), B1.6 8 and B1.1 10 shown otherwise; the
    # criterion total is published, so B1.6 is suppressed too or subtraction reveals B1.5
    assert {q: rows[("WAR", "B1", q)]["suppressed"] for q in ("B1.1", "B1.5", "B1.6")} == {
        "B1.1": "false",
        "B1.5": "true",
        "B1.6": "true",
    }
    assert rows[("WAR", "B1", "B1.6")]["pct"] == ""
    assert rows[("WMD", "B1", "B1.1")]["suppressed"] == "false"


def test_public_benchmark_pools_and_ranks_published_scores_only(con, published):
    rows = read(published["benchmark"])
    b1 = {area: rows[(area, "B1", "")] for area in ("DBY", "WAR", "STA", "WME", "WMD", "LEI")}
    # published B1: DBY 5/5, WAR 40/50, STA 30/50, WME 30/50, WMD 25/50 -> 130/205 = 63.4
    assert {r["national_pct"] for r in b1.values()} == {"63.4"}
    assert b1["DBY"]["region_pct"] == "100.0"  # LEI's 3 of 4 is not pooled
    assert {a: r["rank_national"] for a, r in b1.items()} == {
        "DBY": "1", "WAR": "2", "STA": "3", "WME": "3", "WMD": "5", "LEI": "",
    }  # fmt: skip
    lei = b1["LEI"]
    assert lei["suppressed"] == "true"
    assert [lei[f] for f in ("pct", "rank_in_region", "rank_national", "flag")] == [""] * 4
    assert (lei["diff_region_pts"], lei["diff_national_pts"]) == ("", "")
    assert (lei["composite_score"], lei["composite_rank"]) == ("70.0", "2")
    assert (b1["WAR"]["diff_national_pts"], b1["WAR"]["flag"]) == ("16.6", "above")
    # the internal tables keep everything
    internal = con.execute(
        "SELECT b.pct, b.rank_national, b.region_pct, s.met, s.evaluated "
        "FROM marts.benchmark AS b JOIN marts.scorecard AS s USING (as_of_date, area_code, "
        "scope, criterion_id) WHERE b.as_of_date = ? AND b.area_code = 'LEI' "
        "AND b.criterion_id = 'B1' AND b.question_id IS NULL AND s.question_id IS NULL",
        [NIGHT_2],
    ).fetchone()
    assert internal == (75.0, 3, 88.9, 3, 4)


def test_rerun_writes_identical_files(con, published, tmp_path):
    again = files.write_night(con, NIGHT_2, tmp_path)
    for name, path in published.items():
        assert again[name].read_bytes() == path.read_bytes(), name


def test_baseline_change_z_test_against_hand_computed_values(con):
    changes = tables.baseline_changes(con, NIGHT_2)  # baseline: the earliest night
    criteria = changes[changes["question_id"].isna()]
    rows = {(r["area_code"], r["criterion_id"]): r for r in criteria.to_dict("records")}
    wmd = rows[("WMD", "B1")]
    # 10/50 -> 25/50: pooled p = 35/100; z = 0.3 / sqrt(0.35 * 0.65 * (1/50 + 1/50)) = 3.145
    assert (wmd["baseline_pct"], wmd["current_pct"], wmd["change_pts"]) == (20.0, 50.0, 30.0)
    assert round(wmd["z"], 3) == 3.145
    assert bool(wmd["significant"]) is True
    war = rows[("WAR", "B1")]
    # 45/50 -> 40/50: p = 85/100; z = -0.1 / sqrt(0.85 * 0.15 * 0.04) = -1.400
    assert war["change_pts"] == -10.0
    assert round(war["z"], 3) == -1.400
    assert bool(war["significant"]) is False
    assert {r["baseline_as_of_date"].date() for r in rows.values()} == {NIGHT_1}


def test_baseline_change_is_undefined_without_variance(con):
    changes = tables.baseline_changes(con, NIGHT_2, baseline_as_of=NIGHT_1)
    criteria = changes[changes["question_id"].isna()]
    rows = {(r["area_code"], r["criterion_id"]): r for r in criteria.to_dict("records")}
    nothing = rows[("NOT", "B1")]  # 0 of 0 twice
    assert nothing["z"] != nothing["z"] and not nothing["significant"]  # NaN, not significant
    all_met = rows[("DBY", "B1")]  # 5 of 5 twice: p = 1
    assert all_met["z"] != all_met["z"] and not all_met["significant"]
