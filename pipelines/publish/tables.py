"""Reads of the marts that publishing needs, as frames: internal figures, unsuppressed.

Nothing here leaves the warehouse as it is: pipelines/publish/disclosure.py
applies the small-numbers rule to every figure before it is published.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipelines.sql_files import Statements

SQL = Statements(Path(__file__).parent)


def config_value(con: duckdb.DuckDBPyConnection, column: str) -> Any:
    """One value of config.rulebook (threshold, z, version): the only place they are kept."""
    rows = con.execute(SQL.render("rulebook_value", column=column)).fetchall()
    assert rows, "config.rulebook is empty: the warehouse has no night loaded"
    return rows[0][0]


def nights(con: duckdb.DuckDBPyConnection, scope: str = "census") -> list[dt.date]:
    return [r[0] for r in con.execute(SQL.text("nights"), {"scope": scope}).fetchall()]


def scorecard_frame(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, scope: str = "census"
) -> pd.DataFrame:
    """The night's internal scorecard with area names and regions, in publication order."""
    return con.execute(SQL.text("scorecard_night"), {"as_of": as_of, "scope": scope}).df()


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
        SQL.text("baseline_changes"), {"as_of": as_of, "base": baseline_as_of, "scope": scope}
    ).df()
    frame["significant"] = frame["z"].abs() >= config_value(con, "confidence_z")
    return frame


def data_quality(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, scope: str = "census"
) -> pd.DataFrame:
    """marts.data_quality of the night: rows quarantined and the cases they touch.

    Published unsuppressed: these count defective export rows and the cases they
    belong to, not any case's outcome, so a small count says nothing about a person.
    """
    return con.execute(SQL.text("data_quality"), {"as_of": as_of, "scope": scope}).df()


def sample_vs_census(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[dict[str, Any]]:
    """Per area and criterion / question: sample and census scores, their difference in
    points, and whether the census score lies within the sample's Wilson interval."""
    cursor = con.execute(SQL.text("sample_vs_census"), {"as_of": as_of})
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def quarantine_alerts(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[dict[str, Any]]:
    """The files of the night that lost more than config quarantine_alert_share of their
    rows to quarantine, worst first."""
    cursor = con.execute(SQL.text("quarantine_alerts"), {"as_of": as_of})
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


# marts.agreement's figures of one row: its confusion cells, then the statistics
AGREEMENT_CELLS = (
    "met_met",
    "met_not_met",
    "not_met_met",
    "not_met_not_met",
    "reader_na_derived_scored",
    "reader_scored_derived_na",
    "derived_not_due",
)
AGREEMENT_FIGURES = (
    "read",
    "both_scored",
    "agree",
    *AGREEMENT_CELLS,
    "pct_agreement",
    "kappa",
    "kappa_ci_low",
    "kappa_ci_high",
)


def agreement(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, area_code: str | None = None
) -> list[dict[str, Any]]:
    """marts.agreement of the night's census, nation first: every area's rows, or one
    area's (area_code), or the nation's (area_code 'national')."""
    cursor = con.execute(SQL.text("agreement"), {"as_of": as_of})
    names = [c[0] for c in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return [r for r in rows if area_code is None or r["area_code"] == area_code]


def _rows(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def quality_quarantine(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[dict[str, Any]]:
    """What each area's quarantine held on the night: per file and rule, the rows and their
    share of the file (a row failing several rules counts under each)."""
    return _rows(con.execute(SQL.text("quality_quarantine"), {"as_of": as_of}))


def quality_rejected(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[dict[str, Any]]:
    """The night's rejected and missing areas, with the message naming file, reason and
    what to do."""
    return _rows(con.execute(SQL.text("quality_rejected"), {"as_of": as_of}))


def quality_trend(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[dict[str, Any]]:
    """Each area's quarantine rate on every night scored up to as_of, oldest first."""
    return _rows(con.execute(SQL.text("quality_trend"), {"as_of": as_of}))
