"""Inspection sample (rulebook "Inspection sample"): score a few cases per area like inspectors.

Inspectors read about 30 cases per area, including the high RoH ones; the
census scores every case. Drawing that sample from the census's own cases and
scoring it as scope 'sample' beside the census shows how far a sample-based
judgement can stray. The draw is SQL in sql/sampling, which the nightly models
do not run, so a census night never draws a sample. Called inside a writer
transaction (pipelines/warehouse/writer.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from pipelines.contract.reference import load_rulebook
from pipelines.sql_files import Statements
from pipelines.warehouse import models

SQL = Statements(Path(__file__).parent)
# the census models the draw reads: which events are cases, and their initial RoH level
ELIGIBILITY_MODELS = ("stg_cases", "stg_valid_assessments", "stg_initial_assessment")


def draw_sample(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    window_start: dt.date,
    window_end: dt.date,
    *,
    size: int | None = None,
    min_high_rosh: int | None = None,
    seed: int = 0,
) -> int:
    """Replace marts.sample_cases of `as_of` with a fresh draw, and its record in
    marts.sample_draws; returns the cases drawn.

    size and min_high_rosh default to the rulebook's [sample] numbers. Eligible
    cases are those the census scores that night, so the sample is a subset of it.
    """
    if window_start > window_end:
        raise ValueError(f"sample window starts after it ends: {window_start} > {window_end}")
    if size is None or min_high_rosh is None:
        numbers = load_rulebook()["sample"]
        size = numbers["size"] if size is None else size
        min_high_rosh = numbers["min_high_rosh"] if min_high_rosh is None else min_high_rosh
    models.run_models(con, as_of, "census", only=ELIGIBILITY_MODELS)
    for name, value in (
        ("sample_window_start", window_start),
        ("sample_window_end", window_end),
        ("sample_size", size),
        ("sample_min_high_rosh", min_high_rosh),
        ("sample_seed", seed),
    ):
        con.execute(models.SQL.render("derive/set_variable", name=name), [value])
    for table in ("sample_cases", "sample_draws"):  # the draw, then its record
        con.execute(SQL.render("sampling/clear_draw", table=table), [as_of])
        select = SQL.text(f"sampling/{table}")
        con.execute(SQL.render("sampling/insert_draw", table=table, select=select))
    counted = con.execute(SQL.text("sampling/drawn"), [as_of]).fetchall()
    return int(counted[0][0]) if counted else 0


def score_sample(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    window_start: dt.date,
    window_end: dt.date,
    *,
    size: int | None = None,
    min_high_rosh: int | None = None,
    seed: int = 0,
) -> int:
    """Draw the sample and score it as scope 'sample'; the caller owns the transaction.

    Returns the cases drawn. The census rows of the night are not touched.
    """
    drawn = draw_sample(
        con, as_of, window_start, window_end, size=size, min_high_rosh=min_high_rosh, seed=seed
    )
    models.run_models(con, as_of, "sample")
    return drawn
