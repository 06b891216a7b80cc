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
                for result, area_dir in results:
                    if result.status == "loaded":
                        _replace_area(con, as_of, result, area_dir)
                    _record_audit(con, run_id, as_of, result, started_at)
                derive.run_models(con, as_of)
        return LoadSummary(
            as_of=as_of,
            loaded_areas=tuple(r.area_code for r, _ in results if r.status == "loaded"),
            rejected_areas=tuple(r.area_code for r, _ in results if r.status != "loaded"),
            rulebook_version=version,
        )

    return warehouse.with_lock_retry(write)


def _replace_area(con, as_of: dt.date, result: AreaIngest, area_dir: Path) -> None:
    key = [as_of, result.area_code]
    loaded = {f.file: f for f in result.files}
    for export in EXPORT_FILES:
        audit = loaded[export.file_name]
        parquet = area_dir / f"{export.name}.parquet"
        con.execute(
            f"DELETE FROM staging.{export.name} WHERE as_of_date = ? AND area_code = ?", key
        )
        con.execute(
            f"INSERT INTO staging.{export.name} BY NAME SELECT * FROM read_parquet(?)",
            [str(parquet)],
        )
        (in_table,) = con.execute(
            f"SELECT count(*) FROM staging.{export.name} WHERE as_of_date = ? AND area_code = ?",
            key,
        ).fetchone()
        (quarantined,) = con.execute(
            "SELECT count(DISTINCT line) FROM read_parquet(?) WHERE file = ?",
            [str(area_dir / "quarantine.parquet"), export.file_name],
        ).fetchone()
        if (
            in_table != audit.rows_loaded
            or quarantined != audit.rows_quarantined
            or audit.rows_in != audit.rows_loaded + audit.rows_quarantined
        ):
            raise ReconciliationError(
                f"{result.area_code} {export.file_name}: rows_in {audit.rows_in}, "
                f"loaded {in_table} (ingest said {audit.rows_loaded}), "
                f"quarantined {quarantined} (ingest said {audit.rows_quarantined})"
            )
    con.execute("DELETE FROM quarantine.rows WHERE as_of_date = ? AND area_code = ?", key)
    con.execute(
        "INSERT INTO quarantine.rows BY NAME SELECT * FROM read_parquet(?)",
        [str(area_dir / "quarantine.parquet")],
    )


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
