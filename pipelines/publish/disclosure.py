"""The small-numbers rule: what of a night's figures may be published. It exists here only.

Internal marts keep every score; whatever is published (the CSV files, the
report) is disclosed through this module. A score is
suppressed when fewer than config.rulebook.suppression_min_evaluated cases were
evaluated: its met, evaluated, pct, interval and band are published blank (never
a zero) and `suppressed` is true; counts are blanked too, because met of a tiny
denominator is as telling as the pct. A criterion row is the sum of its
questions, so when exactly one question of an area's criterion is suppressed
and has any cases, the smallest other question is suppressed with it
(complementary suppression), or subtraction would reveal it. The public
benchmark is the benchmark model run over the published scorecard, so neither
a pool nor a gap in the ranks gives a suppressed score away.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipelines.publish import tables
from pipelines.sql_files import Statements
from pipelines.warehouse import models

SQL = Statements(Path(__file__).parent)
SCORE_FIELDS = ("met", "evaluated", "pct", "ci_low", "ci_high", "band")
ROW_KEY = ["area_code", "criterion_id", "question_id"]
Key = tuple[str, str, str | None]  # area_code, criterion_id, question_id


def key_of(row: dict[str, Any]) -> Key:
    """A row's key; a criterion row's question_id is None however the frame held it (NaN)."""
    question = row["question_id"]
    return row["area_code"], row["criterion_id"], question if isinstance(question, str) else None


def suppressed(scorecard: pd.DataFrame, threshold: int) -> pd.Series:
    """True where a scorecard row may not be published (see module docstring)."""
    flags = [int(n) < threshold for n in scorecard["evaluated"]]
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    totals: dict[tuple[str, str], int] = {}
    rows = zip(
        scorecard["area_code"], scorecard["criterion_id"], scorecard["question_id"], strict=True
    )
    for i, (area, criterion, question) in enumerate(rows):
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


def threshold(con: duckdb.DuckDBPyConnection) -> int:
    return int(tables.config_value(con, "suppression_min_evaluated"))


@dataclass(frozen=True)
class PublicNight:
    """One night's published figures: the scorecard and the benchmark, computed once."""

    as_of: dt.date
    scope: str
    scorecard: pd.DataFrame  # every row, `suppressed`, SCORE_FIELDS blank where it is
    benchmark: pd.DataFrame  # the benchmark of the published scorecard, with `suppressed`

    @property
    def hidden(self) -> set[Key]:
        return {key_of(r) for r in self.scorecard.to_dict("records") if r["suppressed"]}


def public_night(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, scope: str = "census"
) -> PublicNight:
    card = tables.scorecard_frame(con, as_of, scope)
    card["suppressed"] = suppressed(card, threshold(con))
    # the benchmark pools and ranks published figures only: a suppressed row counts nothing
    for_benchmark = card.drop(columns=["area_name", "region", "suppressed"])
    for_benchmark.loc[card["suppressed"], ["met", "evaluated"]] = 0
    for_benchmark.loc[card["suppressed"], ["pct", "ci_low", "ci_high", "band"]] = None
    con.register("public_scorecard_frame", for_benchmark)
    try:
        con.execute(SQL.text("public_scorecard_table"))
    finally:
        con.unregister("public_scorecard_frame")
    models.set_night(con, as_of, scope)
    benchmark_model = models.render_model(
        models.SQL_DIR / "marts" / "benchmark.sql", scorecard="public_scorecard"
    )
    statement = SQL.render("public_benchmark", benchmark=benchmark_model)
    bench = con.execute(statement).df()
    bench = bench.merge(card[[*ROW_KEY, "suppressed"]], on=ROW_KEY, how="left", validate="1:1")
    public = card.astype({f: "object" for f in SCORE_FIELDS})
    public.loc[public["suppressed"], list(SCORE_FIELDS)] = None
    return PublicNight(as_of, scope, public, bench)


def blank(
    rows: Iterable[dict[str, Any]], hidden: set[Key], fields: Iterable[str], flag: str
) -> None:
    """Blank `fields` of each row whose key is hidden, and set row[flag] to whether it was."""
    fields = tuple(fields)
    for row in rows:
        row[flag] = key_of(row) in hidden
        if row[flag]:
            row.update(dict.fromkeys(fields))
