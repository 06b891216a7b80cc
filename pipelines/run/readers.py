"""Synthetic readers (`caseaudit generate --readings`): readings of each night's sample.

A reader judges a case against the rulebook, so a synthetic reader starts from
the outcome the census derives for the case, found by auditing the generated
night in a scratch warehouse with the product's own steps (nothing published,
the scratch deleted), and disagrees as human readers do: more often on
questions of content quality, which call for judgement, than on dates, which
barely do (DISAGREE). The readings land as each area's case_readings.csv,
named in its manifest, for the real nights to ingest.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from pipelines.contract.exports import CASE_READINGS, MANIFEST_NAME
from pipelines.publish import reading_list, tables
from pipelines.run import local, settings
from pipelines.warehouse import writer
from pipelines.warehouse.connection import reading

# chance that a reader judges a scored question the other way round from the census
DATES, CONTENT, OTHER = 0.03, 0.15, 0.07
DISAGREE = {
    **dict.fromkeys(("B1.1", "B1.4", "B3.1", "C2.1", "C2.3"), DATES),
    **dict.fromkeys(("B1.2", "B1.3", "B3.2", "B3.3", "B3.5", "B3.7"), CONTENT),
}
READER_NA = 0.02  # a reader finds a scored question does not apply
READERS = 3  # staff codes per area, each case read by one of them


def write_readings(
    landing: Path,
    export_dates: Sequence[dt.date],
    area_codes: Sequence[str],
    *,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Write every area's case_readings.csv of every export date; returns the readings."""
    written = 0
    secret = settings.case_key_secret()
    with tempfile.TemporaryDirectory(prefix="caseaudit-readers-") as scratch:
        warehouse = Path(scratch) / "readers.duckdb"
        with local.workers() as pool:
            for as_of in export_dates:
                local.run_night(
                    pool, landing, warehouse, as_of, area_codes, work_root=Path(scratch) / "work"
                )
                with reading(warehouse) as con:
                    cohort_days = tables.config_value(con, "cohort_window_days")
                window_start = as_of - dt.timedelta(days=cohort_days)
                writer.score_sample(warehouse, as_of, window_start, as_of, seed=seed)
                for code in area_codes:
                    folder = landing / as_of.isoformat() / code
                    written += _write_area(warehouse, folder, as_of, code, secret, seed)
                    if progress:
                        progress(f"{as_of} {code} readings")
    return written


def _write_area(
    warehouse: Path, folder: Path, as_of: dt.date, code: str, secret: bytes, seed: int
) -> int:
    with reading(warehouse) as con:
        rows = reading_list.sample_questions(con, as_of, code)
    crns = reading_list.landed_crns(folder / "events.csv", secret)
    path = folder / CASE_READINGS.file_name
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(CASE_READINGS.column_names)
        for row in rows:
            if row["outcome"] == "NOT_DUE":
                continue  # nothing to judge yet
            crn = crns[row["case_key"]]
            draw = _uniform(seed, crn, row["event_number"], row["question_id"])
            out.writerow(
                [
                    crn,
                    row["event_number"],
                    row["question_id"],
                    _judgement(row["outcome"], row["question_id"], draw),
                    f"{code}R{1 + int(_uniform(seed, crn, 'reader') * READERS)}",
                    as_of - dt.timedelta(days=int(_uniform(seed, crn, "day") * 14)),
                ]
            )
            count += 1
    _add_to_manifest(folder, path, count)
    return count


def _judgement(outcome: str, question_id: str, draw: float) -> str:
    if draw < READER_NA:
        return "NA"
    if draw < READER_NA + DISAGREE.get(question_id, OTHER):
        return "NOT_MET" if outcome == "MET" else "MET"
    return outcome


def _uniform(*parts: object) -> float:
    """A reproducible draw in [0, 1) from what is being drawn for."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _add_to_manifest(folder: Path, path: Path, rows: int) -> None:
    manifest_path = folder / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest["files"][path.name] = {"rows": rows, "sha256": sha256}
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
