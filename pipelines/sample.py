"""Inspection sample (rulebook "Inspection sample"): score a few cases per area like inspectors.

Inspectors read about 30 cases per area, including the high RoH ones; the
census scores every case. Drawing that sample from the census's own cases and
scoring it as scope 'sample' beside the census shows how far a sample-based
judgement can stray. The draw is SQL in sql/sampling, which derive does not
run, so a census night never draws a sample.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from pipelines import derive, reference_data, settings

# the census models the draw reads: which events are cases, and their initial RoH level
ELIGIBILITY_MODELS = ("stg_cases", "stg_valid_assessments", "stg_initial_assessment")


def _sampling_sql(name: str, sql_dir: Path | None) -> str:
    return ((sql_dir or settings.SQL_DIR) / "sampling" / f"{name}.sql").read_text(encoding="utf-8")


def draw_sample(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    window_start: dt.date,
    window_end: dt.date,
    *,
    size: int | None = None,
    min_high_rosh: int | None = None,
    seed: int = 0,
    sql_dir: Path | None = None,
) -> int:
    """Replace marts.sample_cases of `as_of` with a fresh draw, and its record in
    marts.sample_draws; returns the cases drawn.

    size and min_high_rosh default to the rulebook's [sample] numbers. Eligible
    cases are those the census scores that night, so the sample is a subset of it.
    """
    if window_start > window_end:
        raise ValueError(f"sample window starts after it ends: {window_start} > {window_end}")
    if size is None or min_high_rosh is None:
        numbers = reference_data.load_rulebook()["sample"]
        size = numbers["size"] if size is None else size
        min_high_rosh = numbers["min_high_rosh"] if min_high_rosh is None else min_high_rosh
    derive.run_models(con, as_of, "census", sql_dir, only=ELIGIBILITY_MODELS)
    for name, value in (
        ("sample_window_start", window_start),
        ("sample_window_end", window_end),
        ("sample_size", size),
        ("sample_min_high_rosh", min_high_rosh),
        ("sample_seed", seed),
    ):
        con.execute(f"SET VARIABLE {name} = ?", [value])
    for table in ("sample_cases", "sample_draws"):  # the draw, then its record
        con.execute(f"DELETE FROM marts.{table} WHERE as_of_date = ?", [as_of])
        con.execute(f"INSERT INTO marts.{table} BY NAME {_sampling_sql(table, sql_dir)}")
    counted = con.execute(
        "SELECT drawn FROM marts.sample_draws WHERE as_of_date = ?", [as_of]
    ).fetchone()
    return int(counted[0]) if counted else 0


def score_sample(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    window_start: dt.date,
    window_end: dt.date,
    *,
    size: int | None = None,
    min_high_rosh: int | None = None,
    seed: int = 0,
    sql_dir: Path | None = None,
) -> int:
    """Draw the sample and score it as scope 'sample'; the caller owns the transaction.

    Returns the cases drawn. The census rows of the night are not touched.
    """
    drawn = draw_sample(
        con,
        as_of,
        window_start,
        window_end,
        size=size,
        min_high_rosh=min_high_rosh,
        seed=seed,
        sql_dir=sql_dir,
    )
    derive.run_models(con, as_of, "sample", sql_dir)
    return drawn


def sample_vs_census(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, sql_dir: Path | None = None
) -> list[dict[str, Any]]:
    """Per area and criterion / question: sample and census scores, their difference in
    points, and whether the census score lies within the sample's Wilson interval."""
    con.execute("SET VARIABLE as_of = ?::DATE", [as_of])
    cursor = con.execute(_sampling_sql("sample_vs_census", sql_dir))
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
