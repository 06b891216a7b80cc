"""The night's data-quality file: per area, rows quarantined and the cases they touch.

Published unsuppressed, unlike the scorecard: these count defective export rows
and the cases they belong to, not any case's outcome, so a small count says
nothing about a person.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from pipelines import publish

DATA_QUALITY_COLUMNS = (
    "as_of_date",
    "area_code",
    "area_name",
    "region",
    "scope",
    "rows_quarantined",
    "cases_touched",
    "cases_scored",
    "scored_cases_touched",
)


def write_data_quality(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, path: Path, scope: str = "census"
) -> Path:
    """marts.data_quality of the night as a CSV, in area order."""
    frame = con.execute(
        """SELECT dq.as_of_date, dq.area_code, ar.area_name, ar.region, dq.scope,
               dq.rows_quarantined, dq.cases_touched, dq.cases_scored, dq.scored_cases_touched
           FROM marts.data_quality AS dq LEFT JOIN ref.areas AS ar USING (area_code)
           WHERE dq.as_of_date = ? AND dq.scope = ?
           ORDER BY dq.area_code""",
        [as_of, scope],
    ).df()
    return publish.write_csv(frame, DATA_QUALITY_COLUMNS, path)
