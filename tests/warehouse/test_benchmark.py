"""marts.benchmark from hand-made scorecards: pooling, ranks with ties, flags, composite.

Seven areas in two regions over two nights. The benchmark model runs through
derive.run_models on a SQL folder holding only sql/marts/benchmark.sql, exactly
as the nightly writer runs it after the scorecard.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.warehouse import models, reference, schema

NIGHT_1 = dt.date(2006, 9, 4)
NIGHT_2 = dt.date(2006, 9, 11)
Z = 1.959964  # only to give the hand-made scorecard rows realistic intervals

# (area, criterion, question, met, evaluated). West Midlands: WAR STA WME WMD;
# East Midlands: LEI DBY NOT.
NIGHT_1_COUNTS = [
    ("WAR", "B1", None, 45, 50),
    ("STA", "B1", None, 30, 50),
    ("WME", "B1", None, 30, 50),
    ("WMD", "B1", None, 10, 50),
    ("LEI", "B1", None, 3, 4),
    ("DBY", "B1", None, 5, 5),
    ("NOT", "B1", None, 0, 0),
    ("WAR", "B3", None, 20, 40),
    ("STA", "B3", None, 35, 50),
    ("WME", "B3", None, 30, 40),
    ("WMD", "B3", None, 25, 50),
    ("LEI", "B3", None, 8, 10),
    ("DBY", "B3", None, 4, 4),
    ("NOT", "B3", None, 0, 0),
    ("WAR", "C2", None, 10, 20),
    ("STA", "C2", None, 10, 20),
    ("WME", "C2", None, 5, 20),
    ("WMD", "C2", None, 40, 50),
    ("LEI", "C2", None, 6, 10),
    ("DBY", "C2", None, 5, 10),
    ("NOT", "C2", None, 3, 5),
    ("WAR", "B1", "B1.1", 5, 10),
    ("WMD", "B1", "B1.1", 5, 10),
    ("WAR", "B1", "B1.5", 4, 4),
    ("WAR", "B1", "B1.6", 6, 8),
]
REJECTION = 'events.csv line 1: column "<crn>" missing & file rejected'
# night 2: WAR falls 90% -> 80%, WMD rises 20% -> 50%; the rest as night 1
NIGHT_2_CHANGES = {("WAR", "B1", None): (40, 50), ("WMD", "B1", None): (25, 50)}


def wilson(met: int, evaluated: int) -> tuple[float | None, float | None]:
    if evaluated == 0:
        return None, None
    p, n = met / evaluated, evaluated
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return 100 * max(centre - half, 0), 100 * min(centre + half, 1)


def insert_scorecard(con, as_of: dt.date, counts, scope: str = "census") -> None:
    rows = []
    for area, criterion, question, met, evaluated in counts:
        pct = round(100 * met / evaluated, 1) if evaluated else None
        low, high = wilson(met, evaluated)
        rows.append(
            (as_of, area, scope, criterion, question, met, evaluated, pct, low, high, "esi-2006.1")
        )
    con.executemany(
        "INSERT INTO marts.scorecard (as_of_date, area_code, scope, criterion_id, question_id, "
        "met, evaluated, pct, ci_low, ci_high, rulebook_version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def night_2_counts():
    return [(a, c, q, *NIGHT_2_CHANGES.get((a, c, q), (m, e))) for a, c, q, m, e in NIGHT_1_COUNTS]


def build_warehouse(con: duckdb.DuckDBPyConnection, sql_dir: Path) -> None:
    """Both nights scored and benchmarked with B1 weighted 2, B3 and C2 1."""
    schema.ensure_schema(con)
    reference.install(con)
    con.execute("UPDATE config.criterion_weights SET weight = 2 WHERE criterion_id = 'B1'")
    (sql_dir / "marts").mkdir(parents=True, exist_ok=True)
    shutil.copy(models.SQL_DIR / "marts" / "benchmark.sql", sql_dir / "marts")
    for night, counts in ((NIGHT_1, NIGHT_1_COUNTS), (NIGHT_2, night_2_counts())):
        insert_scorecard(con, night, counts)
        models.run_models(con, night, sql_dir=sql_dir)
    con.execute(
        "INSERT INTO audit.runs (run_id, as_of_date, area_code, status, file, rows_in, "
        "rows_loaded, rows_quarantined, message) VALUES "
        "('r2', ?, 'NTH', 'rejected', NULL, NULL, NULL, NULL, ?),"
        "('r2', ?, 'WAR', 'loaded', 'events.csv', 120, 118, 2, NULL)",
        [NIGHT_2, REJECTION, NIGHT_2],
    )


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    build_warehouse(con, tmp_path_factory.mktemp("sql"))
    return con


def bench(con, as_of=NIGHT_1, criterion="B1", question=None) -> dict[str, dict]:
    result = con.execute(
        "SELECT * FROM marts.benchmark WHERE as_of_date = ? AND scope = 'census' "
        "AND criterion_id = ? AND question_id IS NOT DISTINCT FROM ?",
        [as_of, criterion, question],
    )
    names = [column[0] for column in result.description]
    return {
        row["area_code"]: row
        for row in (dict(zip(names, r, strict=True)) for r in result.fetchall())
    }


def test_one_row_per_scorecard_row_and_nothing_else(con):
    counts = con.execute(
        "SELECT as_of_date, count(*) FROM marts.benchmark GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert counts == [(NIGHT_1, len(NIGHT_1_COUNTS)), (NIGHT_2, len(NIGHT_1_COUNTS))]


def test_region_and_national_scores_pool_counts(con):
    rows = bench(con)
    # West Midlands 115 of 200; East Midlands 8 of 9; nation 123 of 209 = 58.85%
    assert {a: r["region_pct"] for a, r in rows.items()} == {
        "WAR": 57.5, "STA": 57.5, "WME": 57.5, "WMD": 57.5,
        "LEI": 88.9, "DBY": 88.9, "NOT": 88.9,
    }  # fmt: skip
    assert {r["national_pct"] for r in rows.values()} == {58.9}
    assert rows["WAR"]["region"] == "West Midlands"
    assert rows["DBY"]["region"] == "East Midlands"


def test_ranks_share_the_lower_number_on_ties_and_skip_null_scores(con):
    rows = bench(con)
    national = {a: r["rank_national"] for a, r in rows.items()}
    regional = {a: r["rank_in_region"] for a, r in rows.items()}
    # DBY 100, WAR 90, LEI 75, STA 60 = WME 60, WMD 20, NOT nothing evaluated
    assert {a: v for a, v in national.items() if a != "NOT"} == {
        "DBY": 1, "WAR": 2, "LEI": 3, "STA": 4, "WME": 4, "WMD": 6,
    }  # fmt: skip
    assert {a: v for a, v in regional.items() if a != "NOT"} == {
        "WAR": 1, "STA": 2, "WME": 2, "WMD": 4, "DBY": 1, "LEI": 2,
    }  # fmt: skip
    assert national["NOT"] is None and regional["NOT"] is None


def test_differences_in_points(con):
    rows = bench(con)
    assert (rows["WAR"]["diff_region_pts"], rows["WAR"]["diff_national_pts"]) == (32.5, 31.1)
    assert (rows["DBY"]["diff_region_pts"], rows["DBY"]["diff_national_pts"]) == (11.1, 41.1)
    assert (rows["WMD"]["diff_region_pts"], rows["WMD"]["diff_national_pts"]) == (-37.5, -38.9)


def test_flag_compares_the_wilson_interval_with_the_national_score(con):
    rows = bench(con)
    # national 58.85%: WAR 45/50 interval 78.6-95.7 above; WMD 10/50 11.2-33.0 below;
    # STA 30/50 46.2-72.4 and DBY 5/5 56.6-100 straddle it; NOT has no score
    assert {a: r["flag"] for a, r in rows.items()} == {
        "WAR": "above", "WMD": "below", "STA": "similar", "WME": "similar",
        "LEI": "similar", "DBY": "similar", "NOT": None,
    }  # fmt: skip


def test_question_rows_are_benchmarked_among_their_question(con):
    rows = bench(con, question="B1.1")
    assert set(rows) == {"WAR", "WMD"}
    assert [(r["rank_national"], r["rank_in_region"]) for r in rows.values()] == [(1, 1), (1, 1)]
    assert {r["region_pct"] for r in rows.values()} == {50.0}


def test_composite_is_weighted_over_criteria_with_enough_cases(con):
    rows = bench(con)
    composite = {a: (r["composite_score"], r["composite_rank"]) for a, r in rows.items()}
    # weights B1 2, B3 1, C2 1; criteria with fewer than 5 evaluated left out
    assert composite == {
        "DBY": (83.3, 1),  # (2*100 + 50) / 3; B3 4 of 4 left out
        "WAR": (70.0, 2),  # (2*90 + 50 + 50) / 4
        "LEI": (70.0, 2),  # (80 + 60) / 2; B1 3 of 4 left out
        "STA": (60.0, 4),  # (2*60 + 70 + 50) / 4
        "NOT": (60.0, 4),  # C2 only
        "WME": (55.0, 6),  # (2*60 + 75 + 25) / 4
        "WMD": (42.5, 7),  # (2*20 + 50 + 80) / 4
    }
    for criterion in ("B3", "C2"):
        assert {a: r["composite_score"] for a, r in bench(con, criterion=criterion).items()} == {
            a: score for a, (score, _) in composite.items()
        }


def test_rerunning_a_night_replaces_its_rows(con, tmp_path):
    (tmp_path / "marts").mkdir()
    shutil.copy(models.SQL_DIR / "marts" / "benchmark.sql", tmp_path / "marts")
    before = con.execute("SELECT * FROM marts.benchmark ORDER BY ALL").fetchall()
    models.run_models(con, NIGHT_2, sql_dir=tmp_path)
    assert con.execute("SELECT * FROM marts.benchmark ORDER BY ALL").fetchall() == before
    assert bench(con, NIGHT_2)["WMD"]["pct"] == 50.0
