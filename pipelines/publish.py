"""The public files of a night: scorecard and benchmark CSVs with small numbers suppressed.

Internal marts keep every score; only what leaves the warehouse is suppressed.
A score is suppressed when fewer than config.rulebook.suppression_min_evaluated
cases were evaluated: its met, evaluated, pct, interval, band, ranks, diffs and
flag are published blank (never a zero) and `suppressed` is true. Counts are
blanked too, because met of a tiny denominator is as telling as the pct.
A criterion row is the sum of its questions, so when exactly one question of an
area's criterion is suppressed and has any cases, the smallest other question
is suppressed with it (complementary suppression), or subtraction would reveal
it. The published benchmark is recomputed from the published scorecard (see
public_benchmark). Files are sorted and formatted identically on every run.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipelines import settings

SCORECARD_COLUMNS = (
    "as_of_date",
    "area_code",
    "area_name",
    "region",
    "scope",
    "criterion_id",
    "question_id",
    "met",
    "evaluated",
    "pct",
    "ci_low",
    "ci_high",
    "band",
    "suppressed",
    "rulebook_version",
)
BENCHMARK_COLUMNS = (
    "as_of_date",
    "scope",
    "criterion_id",
    "question_id",
    "area_code",
    "region",
    "pct",
    "region_pct",
    "national_pct",
    "rank_in_region",
    "rank_national",
    "diff_region_pts",
    "diff_national_pts",
    "flag",
    "composite_score",
    "composite_rank",
    "suppressed",
    "rulebook_version",
)
SCORE_FIELDS = ("met", "evaluated", "pct", "ci_low", "ci_high", "band")
ROW_KEY = ["area_code", "criterion_id", "question_id"]


def config_value(con: duckdb.DuckDBPyConnection, column: str) -> Any:
    """One value of config.rulebook (threshold, z, version): the only place they are kept."""
    row = con.execute(f"SELECT {column} FROM config.rulebook").fetchone()
    assert row is not None, "config.rulebook is empty: run reference_data.install"
    return row[0]


def nights(con: duckdb.DuckDBPyConnection, scope: str = "census") -> list[dt.date]:
    rows = con.execute(
        "SELECT DISTINCT as_of_date FROM marts.scorecard WHERE scope = ? ORDER BY 1", [scope]
    ).fetchall()
    return [r[0] for r in rows]


def scorecard_frame(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, scope: str = "census"
) -> pd.DataFrame:
    """The night's internal scorecard with area names and regions, in publication order."""
    return con.execute(
        """SELECT sc.as_of_date, sc.area_code, ar.area_name, ar.region, sc.scope,
               sc.criterion_id, sc.question_id, sc.met, sc.evaluated, sc.pct, sc.ci_low,
               sc.ci_high, sc.band, sc.rulebook_version
           FROM marts.scorecard AS sc LEFT JOIN ref.areas AS ar USING (area_code)
           WHERE sc.as_of_date = ? AND sc.scope = ?
           ORDER BY sc.area_code, sc.criterion_id, sc.question_id NULLS FIRST""",
        [as_of, scope],
    ).df()


def suppressed_flags(scorecard: pd.DataFrame, threshold: int) -> pd.Series:
    """True where a scorecard row may not be published (see module docstring)."""
    flags = [int(n) < threshold for n in scorecard["evaluated"]]
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    totals: dict[tuple[str, str], int] = {}
    for i, (area, criterion, question) in enumerate(
        zip(
            scorecard["area_code"], scorecard["criterion_id"], scorecard["question_id"], strict=True
        )
    ):
        if isinstance(question, str):
            groups[(area, criterion)].append(i)
        else:
            totals[(area, criterion)] = i
    evaluated = [int(n) for n in scorecard["evaluated"]]
    for key, members in groups.items():
        if key not in totals or flags[totals[key]]:
            continue  # the total is hidden, so nothing can be subtracted from it
        if sum(1 for i in members if flags[i] and evaluated[i] > 0) != 1:
            continue
        shown = [i for i in members if not flags[i] and evaluated[i] > 0]
        if shown:
            flags[min(shown, key=lambda i: (evaluated[i], scorecard["question_id"].iat[i]))] = True
    return pd.Series(flags, index=scorecard.index, dtype=bool)


def public_scorecard(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, scope: str = "census"
) -> pd.DataFrame:
    frame = scorecard_frame(con, as_of, scope)
    frame["suppressed"] = suppressed_flags(
        frame, int(config_value(con, "suppression_min_evaluated"))
    )
    frame = frame.astype({field: "object" for field in SCORE_FIELDS})
    frame.loc[frame["suppressed"], list(SCORE_FIELDS)] = None
    return frame[list(SCORECARD_COLUMNS)]


def public_benchmark(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, scope: str = "census"
) -> pd.DataFrame:
    """sql/marts/benchmark.sql run over the published scorecard, in a private database.

    Pooled region and national scores, ranks and flags then come from published
    figures only, so neither a pool nor a gap in the ranks gives a suppressed
    score away; the composite is unchanged (it only uses unsuppressed criteria).
    """
    card = scorecard_frame(con, as_of, scope)
    card["suppressed"] = suppressed_flags(card, int(config_value(con, "suppression_min_evaluated")))
    public = card.copy()
    public.loc[public["suppressed"], ["met", "evaluated"]] = 0
    public.loc[public["suppressed"], ["pct", "ci_low", "ci_high", "band"]] = None
    tables = {
        "marts.scorecard": public.drop(columns=["area_name", "region", "suppressed"]),
        "ref.areas": con.execute("SELECT * FROM ref.areas").df(),
        "config.rulebook": con.execute("SELECT * FROM config.rulebook").df(),
        "config.criterion_weights": con.execute("SELECT * FROM config.criterion_weights").df(),
    }
    with duckdb.connect() as private:
        for name, frame in tables.items():
            private.execute(f"CREATE SCHEMA IF NOT EXISTS {name.split('.')[0]}")
            private.register("frame", frame)
            private.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
            private.unregister("frame")
        private.execute("SET VARIABLE as_of = ?::DATE", [as_of])
        private.execute("SET VARIABLE scope = ?", [scope])
        sql = (settings.SQL_DIR / "marts" / "benchmark.sql").read_text(encoding="utf-8")
        bench = private.execute(
            f"SELECT * FROM ({sql.strip().rstrip(';')}) "
            "ORDER BY criterion_id, question_id NULLS FIRST, area_code"
        ).df()
    frame = bench.merge(card[[*ROW_KEY, "suppressed"]], on=ROW_KEY, how="left", validate="1:1")
    return frame[list(BENCHMARK_COLUMNS)]


def baseline_changes(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    baseline_as_of: dt.date | None = None,
    scope: str = "census",
) -> pd.DataFrame:
    """Each area's change per criterion and question since a baseline night, with its z-test.

    z = (p_now - p_base) / sqrt(p (1 - p) (1/n_base + 1/n_now)), p the pooled
    proportion of both nights; significant at 5% when |z| >= config confidence_z.
    z is NULL when either night evaluated nothing or p is 0 or 1 (no variance).
    The baseline defaults to the earliest night in the warehouse. Successive
    census nights share cases, so the test is a guide, not an exact p-value.
    """
    if baseline_as_of is None:
        earlier = nights(con, scope)
        baseline_as_of = earlier[0] if earlier else as_of
    frame = con.execute(
        """WITH now AS (SELECT * FROM marts.scorecard WHERE as_of_date = $as_of AND scope = $scope),
           base AS (SELECT * FROM marts.scorecard WHERE as_of_date = $base AND scope = $scope),
           pairs AS (
               SELECT coalesce(now.area_code, base.area_code) AS area_code,
                   coalesce(now.criterion_id, base.criterion_id) AS criterion_id,
                   coalesce(now.question_id, base.question_id) AS question_id,
                   base.met AS baseline_met, base.evaluated AS baseline_evaluated,
                   base.pct AS baseline_pct, now.met AS current_met,
                   now.evaluated AS current_evaluated, now.pct AS current_pct
               FROM now FULL OUTER JOIN base
                   ON now.area_code = base.area_code AND now.criterion_id = base.criterion_id
                   AND now.question_id IS NOT DISTINCT FROM base.question_id),
           tested AS (
               SELECT pairs.*,
                   (baseline_met + current_met) / (baseline_evaluated + current_evaluated) AS p
               FROM pairs)
           SELECT $as_of AS as_of_date, $base AS baseline_as_of_date, area_code, criterion_id,
               question_id, baseline_met, baseline_evaluated, baseline_pct, current_met,
               current_evaluated, current_pct, round(current_pct - baseline_pct, 1) AS change_pts,
               CASE WHEN p > 0 AND p < 1 THEN
                   (current_met / current_evaluated - baseline_met / baseline_evaluated)
                   / sqrt(p * (1 - p) * (1 / baseline_evaluated + 1 / current_evaluated))
               END AS z
           FROM tested
           ORDER BY area_code, criterion_id, question_id NULLS FIRST""",
        {"as_of": as_of, "base": baseline_as_of, "scope": scope},
    ).df()
    z_critical = config_value(con, "confidence_z")
    frame["significant"] = frame["z"].abs() >= z_critical
    return frame


INTEGER_FIELDS = frozenset(
    {"met", "evaluated", "rank_in_region", "rank_national", "composite_rank"}
)


def _cell(column: str, value: object) -> str:
    """One CSV cell, the same text on every run: counts and ranks whole, scores to 0.1."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if column in INTEGER_FIELDS:
        return str(int(value))  # type: ignore[call-overload]
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv(frame: pd.DataFrame, columns: Sequence[str], path: Path) -> Path:
    """Write atomically, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in frame[list(columns)].itertuples(index=False, name=None):
            writer.writerow([_cell(c, v) for c, v in zip(columns, row, strict=True)])
    os.replace(partial, path)
    return path


def publish_night(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, publish_root: Path, scope: str = "census"
) -> dict[str, Path]:
    """Write <publish_root>/<as_of>/scorecard.csv, benchmark.csv and report.html."""
    from pipelines import report  # report reads this module's public frames

    out = Path(publish_root) / as_of.isoformat()
    return {
        "scorecard": write_csv(
            public_scorecard(con, as_of, scope), SCORECARD_COLUMNS, out / "scorecard.csv"
        ),
        "benchmark": write_csv(
            public_benchmark(con, as_of, scope), BENCHMARK_COLUMNS, out / "benchmark.csv"
        ),
        "report": report.build_report(con, as_of, out / "report.html", scope=scope),
    }
