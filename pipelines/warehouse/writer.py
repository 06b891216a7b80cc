"""The one writer of the warehouse: every write is a function here, in one transaction.

A night's load (staging, quarantine and run log from every area's work folder,
the reference tables, then the SQL models), a rebuild of a night's benchmark,
and an inspection sample each open the file through `connection.writing`, so a
failure anywhere leaves the warehouse as it was, and two writers never meet
(DuckDB allows one writing process; `connect` waits for the other to finish).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.contract.exports import LANDED_FILES
from pipelines.contract.handoff import QUARANTINE_NAME, AreaIngest, staging_name
from pipelines.sql_files import Statements
from pipelines.warehouse import models, reference, sample, schema
from pipelines.warehouse.connection import writing

SQL = Statements(Path(__file__).parent)


class ReconciliationError(RuntimeError):
    """rows_in differs from rows_loaded + rows_quarantined: nothing is committed."""


@dataclass(frozen=True)
class LoadSummary:
    as_of: dt.date
    loaded_areas: tuple[str, ...]
    rejected_areas: tuple[str, ...]
    missing_areas: tuple[str, ...]
    rulebook_version: str


def load_night(
    warehouse_path: Path,
    as_of: dt.date,
    ingested: Sequence[tuple[AreaIngest, Path]],
    run_id: str,
    started_at: dt.datetime,
    missing: Sequence[AreaIngest] = (),
    key_fingerprint: str | None = None,
) -> LoadSummary:
    """Replace the night's rows of every loaded area and rescore the night.

    `ingested` pairs each area's result with its work folder; `missing` are the
    expected areas that did not land. A rejected or missing area keeps whatever
    the warehouse already held for that night (a bad re-export never erases a
    good load); the run log records it, and the case-key fingerprint of the run.
    """
    loaded = [(r, d) for r, d in ingested if r.loaded]
    with writing(warehouse_path) as con:
        schema.ensure_schema(con)
        version = reference.install(con)
        _replace_areas(con, as_of, loaded)
        finished_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        for result in [r for r, _ in ingested] + list(missing):
            _record_run(con, run_id, result, started_at, finished_at, key_fingerprint)
        models.run_models(con, as_of)
    return LoadSummary(
        as_of=as_of,
        loaded_areas=tuple(r.area_code for r, _ in loaded),
        rejected_areas=tuple(r.area_code for r, _ in ingested if not r.loaded),
        missing_areas=tuple(r.area_code for r in missing),
        rulebook_version=version,
    )


def rebuild_benchmark(warehouse_path: Path, as_of: dt.date, scope: str = "census") -> None:
    """Recompute marts.benchmark of the night from its scorecard (idempotent)."""
    with writing(warehouse_path) as con:
        models.run_models(con, as_of, scope, only={"benchmark"})


def score_sample(
    warehouse_path: Path,
    as_of: dt.date,
    window_start: dt.date,
    window_end: dt.date,
    *,
    size: int | None = None,
    min_high_rosh: int | None = None,
    seed: int = 0,
) -> int:
    """Draw the night's inspection sample and score it (warehouse/sample.py); returns its size."""
    with writing(warehouse_path) as con:
        return sample.score_sample(
            con, as_of, window_start, window_end, size=size, min_high_rosh=min_high_rosh, seed=seed
        )


def _replace_areas(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, loaded: Sequence[tuple[AreaIngest, Path]]
) -> None:
    """Swap in the loaded areas' rows: one statement per table reads every area's Parquet."""
    if not loaded:
        return
    codes = [result.area_code for result, _ in loaded]
    misplaced = [str(d) for r, d in loaded if d.name != r.area_code]
    if misplaced:  # the area_code of a staging row is its Parquet's folder name
        raise ValueError(f"not in a folder named for its area: {', '.join(misplaced)}")
    quarantine = [str(area_dir / QUARANTINE_NAME) for _, area_dir in loaded]
    rows = con.execute(SQL.text("load/quarantined_lines"), [quarantine]).fetchall()
    quarantined = {(area, file): lines for area, file, lines in rows}
    for export in LANDED_FILES:
        con.execute(SQL.render("load/clear_staging", export=export), [as_of, codes])
        # in any order: rows are found by their keys, and every model orders by them
        models.keep_insertion_order(con, False)
        parquet = [str(area_dir / staging_name(export.name)) for _, area_dir in loaded]
        con.execute(SQL.render("load/insert_staging", export=export), [as_of, parquet])
        models.keep_insertion_order(con, True)
        counts = con.execute(SQL.render("load/staging_counts", export=export), [as_of, codes])
        in_table = dict(counts.fetchall())
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
                    f"quarantined {lines} (ingest said {audit.rows_quarantined}): nothing "
                    "of the night was loaded; rerun the night, and report it if it recurs"
                )
    con.execute(SQL.text("load/clear_quarantine"), [as_of, codes])
    con.execute(SQL.text("load/insert_quarantine"), [quarantine])


def _record_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    result: AreaIngest,
    started_at: dt.datetime,
    finished_at: dt.datetime,
    key_fingerprint: str | None,
) -> None:
    """Append to the run log: audit.runs keeps every run, so it is never replaced."""
    head = (run_id, result.as_of, result.area_code, result.status, started_at, finished_at)
    tail = (result.message, key_fingerprint)
    rows: list[tuple[object, ...]] = [
        (*head, f.file, f.rows_in, f.rows_loaded, f.rows_quarantined, f.sha256, *tail)
        for f in result.files
    ] or [(*head, None, None, None, None, None, *tail)]
    con.executemany(SQL.text("load/insert_run"), rows)
