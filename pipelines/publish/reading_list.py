"""The reading list: the inspection sample of a night as a CSV area staff can read cases from.

It holds case identifiers, so it is written only where the caller says, never
under the publish folder, and its first line says so. The crn is recovered by
keying the crns of the night's landed events.csv (case_key is a one-way HMAC),
never stored; the warehouse holds only the sample's case keys. Below the first
line the list is a case_readings.csv (docs/exports.md) with judgement, reader
and read_date left blank, plus each question's due date (a column ingest ignores).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from pipelines.contract import identity
from pipelines.contract.exports import CRN, EVENTS
from pipelines.sql_files import Statements

SQL = Statements(Path(__file__).parent)
WARNING = "# contains case identifiers (crn): keep it inside the area; never publish it"
COLUMNS = ("crn", "event_number", "question_id", "due_date", "judgement", "reader", "read_date")


def file_name(area_code: str, as_of: dt.date) -> str:
    return f"reading_list_{area_code}_{as_of.isoformat()}.csv"


def sample_questions(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, area_code: str
) -> list[dict[str, Any]]:
    """Per sampled case of the area, the questions that apply to it and their due dates."""
    cursor = con.execute(SQL.text("reading_list"), {"as_of": as_of, "area_code": area_code})
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def landed_crns(events_csv: Path, secret: bytes) -> dict[str, str]:
    """case_key -> crn of every well-formed crn of a landed events.csv."""
    if not events_csv.is_file():
        raise FileNotFoundError(
            f"no {EVENTS.file_name} at {events_csv}: pass the --landing the night was loaded from"
        )
    try:
        with duckdb.connect() as con:
            parameters = {"path": str(events_csv), "pattern": CRN.pattern}
            crns = [row[0] for row in con.execute(SQL.text("landed_crns"), parameters).fetchall()]
    except duckdb.Error as error:  # its message may quote a value: only its type is shown
        raise ValueError(
            f"{events_csv} could not be read as CSV ({type(error).__name__}): pass the "
            "landing the night was loaded from"
        ) from None
    return dict(zip(identity.case_keys(crns, secret), crns, strict=True))


def write_reading_list(rows: list[dict[str, Any]], crns: dict[str, str], path: Path) -> int:
    """Write the list; returns the cases on it. A sampled case whose crn is not in the
    landed events.csv (a different landing, or another secret) is a usage error."""
    unknown = {r["case_key"] for r in rows} - set(crns)
    if unknown:
        raise ValueError(
            f"{len(unknown)} sampled case(s) have no crn in the landed {EVENTS.file_name}: "
            "pass the landing and the case-key secret the night was loaded with"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write(WARNING + "\n")
        out = csv.writer(handle)
        out.writerow(COLUMNS)
        for r in rows:
            out.writerow(
                [crns[r["case_key"]], r["event_number"], r["question_id"], r["due_date"] or ""]
                + [""] * 3
            )
    return len({(r["case_key"], r["event_number"]) for r in rows})
