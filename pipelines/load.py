"""The warehouse writer: one night's Parquet from every area, in one transaction.

Ingest runs per area in parallel and writes Parquet; this is the only code that
writes the warehouse file. It loads staging, quarantine and audit rows, checks
reconciliation, derives outcomes and scorecards and commits once, so a failure
anywhere leaves the previous night's state as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelines import derive, reference_data, warehouse
from pipelines.contract import EXPORT_FILES
from pipelines.ingest import AreaIngest

log = logging.getLogger(__name__)


class ReconciliationError(RuntimeError):
    """rows_in differs from rows_loaded + rows_quarantined: nothing is committed."""


@dataclass(frozen=True)
class LoadSummary:
    as_of: dt.date
    loaded_areas: tuple[str, ...]
    rejected_areas: tuple[str, ...]
    rulebook_version: str


def load_night(
    warehouse_path: Path,
    as_of: dt.date,
    results: Sequence[tuple[AreaIngest, Path]],
    started_at: dt.datetime | None = None,
) -> LoadSummary:
    """Replace the night's rows of every loaded area and rescore the night.

    A rejected area keeps whatever the warehouse already held for that night (a
    bad re-export never erases a good load); the run log records the rejection.
    """
    run_id = f"{as_of.isoformat()}/{uuid.uuid4().hex[:12]}"
    started_at = started_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)

    def write() -> LoadSummary:
        with warehouse.connect(warehouse_path) as con:
            warehouse.ensure_schema(con)
            with warehouse.transaction(con):
                version = reference_data.install(con)
                _replace_areas(con, as_of, [(r, d) for r, d in results if r.status == "loaded"])
                for result, _ in results:
                    _record_audit(con, run_id, as_of, result, started_at)
                derive.run_models(con, as_of)
        return LoadSummary(
            as_of=as_of,
            loaded_areas=tuple(r.area_code for r, _ in results if r.status == "loaded"),
            rejected_areas=tuple(r.area_code for r, _ in results if r.status != "loaded"),
            rulebook_version=version,
        )

    return warehouse.with_lock_retry(write)


def _replace_areas(con, as_of: dt.date, loaded: Sequence[tuple[AreaIngest, Path]]) -> None:
    """Swap in the loaded areas' rows: one statement per table reads every area's Parquet."""
    if not loaded:
        return
    codes = [result.area_code for result, _ in loaded]
    misplaced = [str(d) for r, d in loaded if d.name != r.area_code]
    if misplaced:  # the area_code of a staging row is its Parquet's folder name
        raise ValueError(f"not in a folder named for its area: {', '.join(misplaced)}")
    night = "as_of_date = ? AND list_contains(?, area_code)"
    quarantine = [str(area_dir / "quarantine.parquet") for _, area_dir in loaded]
    rows = con.execute(
        "SELECT area_code, file, count(DISTINCT line) FROM read_parquet(?) "
        "GROUP BY area_code, file",
        [quarantine],
    ).fetchall()
    quarantined = {(area, file): lines for area, file, lines in rows}
    for export in EXPORT_FILES:
        con.execute(f"DELETE FROM staging.{export.name} WHERE {night}", [as_of, codes])
        # in any order: rows are found by their keys, and every model orders by them
        con.execute("SET preserve_insertion_order = false")
        # an area's Parquet holds neither constant: its folder is named for the area
        con.execute(
            f"INSERT INTO staging.{export.name} BY NAME SELECT ? AS as_of_date, "
            "parse_filename(parse_dirpath(filename)) AS area_code, * EXCLUDE (filename) "
            "FROM read_parquet(?, filename = true)",
            [as_of, [str(area_dir / f"{export.name}.parquet") for _, area_dir in loaded]],
        )
        con.execute("RESET preserve_insertion_order")
        in_table = dict(
            con.execute(
                f"SELECT area_code, count(*) FROM staging.{export.name} WHERE {night} "
                "GROUP BY area_code",
                [as_of, codes],
            ).fetchall()
        )
        for result, _ in loaded:
            audit = next(f for f in result.files if f.file == export.file_name)
            loaded_rows = in_table.get(result.area_code, 0)
            lines = quarantined.get((result.area_code, export.file_name), 0)
            if (
                loaded_rows != audit.rows_loaded
                or lines != audit.rows_quarantined
                or audit.rows_in != audit.rows_loaded + audit.rows_quarantined
            ):
                raise ReconciliationError(
                    f"{result.area_code} {export.file_name}: rows_in {audit.rows_in}, "
                    f"loaded {loaded_rows} (ingest said {audit.rows_loaded}), "
                    f"quarantined {lines} (ingest said {audit.rows_quarantined})"
                )
    con.execute(f"DELETE FROM quarantine.rows WHERE {night}", [as_of, codes])
    con.execute("INSERT INTO quarantine.rows BY NAME SELECT * FROM read_parquet(?)", [quarantine])


def _record_audit(
    con, run_id: str, as_of: dt.date, result: AreaIngest, started_at: dt.datetime
) -> None:
    """Append to the run log: audit.runs keeps every run, so it is never replaced."""
    finished_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows: list[tuple[object, ...]] = [
        (
            run_id,
            as_of,
            result.area_code,
            result.status,
            started_at,
            finished_at,
            f.file,
            f.rows_in,
            f.rows_loaded,
            f.rows_quarantined,
            f.sha256,
            result.message,
        )
        for f in result.files
    ] or [
        (
            run_id,
            as_of,
            result.area_code,
            result.status,
            started_at,
            finished_at,
            None,
            None,
            None,
            None,
            None,
            result.message,
        )
    ]
    con.executemany("INSERT INTO audit.runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
