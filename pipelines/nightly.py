"""One night end to end, and backfills: the functions both the CLI and the DAGs call.

The DAG runs the same steps as separate tasks (areas in parallel, one writer);
`run_night` runs them in-process in the same order for the command line.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pipelines import check_content, ingest, load, settings
from pipelines.ingest import AreaIngest

log = logging.getLogger(__name__)
# Ingest is mostly single-threaded pandas/GX work per area, so areas run side by
# side; two processes keep peak memory well under the 4 GB budget (performance.md).
INGEST_WORKERS = 2
Progress = Callable[[str], None]


class NoExportError(LookupError):
    """An area or date was asked for that did not land: a usage error, not a failure."""


@dataclass
class NightResult:
    as_of: dt.date
    areas: list[AreaIngest] = field(default_factory=list)
    bad_folders: list[str] = field(default_factory=list)
    published: dict[str, Path] = field(default_factory=dict)
    stage_timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

    @property
    def rejected(self) -> list[AreaIngest]:
        return [a for a in self.areas if a.status != "loaded"]

    @property
    def exit_code(self) -> int:
        """outputs.md: 1 when an area's export or a landing folder was rejected."""
        return 1 if self.rejected or self.bad_folders else 0


def work_dir(as_of: dt.date, area_code: str, root: Path | None = None) -> Path:
    """Where an area's night of Parquet lands between ingest and load."""
    return (root or settings.work_root()) / as_of.isoformat() / area_code


def plan_areas(
    landing: Path, as_of: dt.date, areas: Sequence[str] | None = None
) -> tuple[list[str], list[str]]:
    """Areas to ingest for the night (those landed, optionally narrowed) and bad folders."""
    landed, bad_folders = ingest.discover_areas(landing, as_of)
    if areas:
        unknown = sorted(set(areas) - set(landed))
        if unknown:
            raise NoExportError(
                f"no export landed for {', '.join(unknown)} on {as_of} under {landing}"
            )
        landed = [a for a in landed if a in set(areas)]
    for folder in bad_folders:
        log.error("landing folder %r on %s is not a probation area code: ignored", folder, as_of)
    return landed, bad_folders


def ingest_one(
    landing: Path, as_of: dt.date, area_code: str, work_root: Path | None = None
) -> tuple[AreaIngest, Path]:
    out = work_dir(as_of, area_code, work_root)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    known = check_content.known_folders(work_root or settings.work_root(), out.parent)
    secret = settings.case_key_secret()
    result = ingest.ingest_area(landing, as_of, area_code, out, secret, known)
    if result.status != "loaded":
        log.error("%s %s rejected: %s", area_code, as_of, result.message)
    return result, out


def run_night(
    landing: Path,
    warehouse_path: Path,
    as_of: dt.date,
    areas: Sequence[str] | None = None,
    publish_root: Path | None = None,
    work_root: Path | None = None,
    progress: Progress | None = None,
    ingest_workers: int = INGEST_WORKERS,
) -> NightResult:
    started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    codes, bad_folders = plan_areas(landing, as_of, areas)
    night = NightResult(as_of=as_of, bad_folders=bad_folders)
    scratch = Path(tempfile.mkdtemp(prefix="data-docs-"))
    try:
        with _workers(min(ingest_workers, len(codes), os.cpu_count() or 1)) as workers:
            clock = time.perf_counter()
            ingested = _ingest_areas(workers, landing, as_of, codes, work_root)
            for code, result in zip(codes, ingested, strict=True):
                night.areas.append(result)
                if progress:
                    progress(f"ingested {code}")
            night.stage_timings["ingest"] = time.perf_counter() - clock
            if publish_root is None:
                _load(night, warehouse_path, codes, work_root, started_at, progress)
                return night
            # The Data Docs site needs only the areas' GX results, not the warehouse: it is
            # built into scratch while this process runs the writer, and published with the
            # night's other files only once the writer has committed. Built where GX is
            # imported already (about 6 s of one core): by a worker on a night with new
            # values, else on a thread here, where GX stays imported across a backfill's
            # nights (workers are new each night: 30 nights 7.7x -> 17.6x one night).
            validated = any(area.rows_validated for area in night.areas)
            with ThreadPoolExecutor(max_workers=1) as beside_writer:
                builder = workers if validated else beside_writer
                data_docs = builder.submit(build_data_docs, as_of, scratch / "site", work_root)
                _load(night, warehouse_path, codes, work_root, started_at, progress)
                clock = time.perf_counter()
                night.published = publish_night(
                    warehouse_path, as_of, publish_root, work_root, data_docs.result()
                )
                night.stage_timings["publish"] = time.perf_counter() - clock
    finally:  # after the workers: a failed writer waits for the site, then drops it
        shutil.rmtree(scratch, ignore_errors=True)
    if progress:
        progress("published")
    return night


def _load(
    night: NightResult,
    warehouse_path: Path,
    codes: Sequence[str],
    work_root: Path | None,
    started_at: dt.datetime,
    progress: Progress | None,
) -> None:
    clock = time.perf_counter()
    load_ingested(warehouse_path, night.as_of, codes, work_root, started_at)
    night.stage_timings["load"] = time.perf_counter() - clock
    if progress:
        progress("loaded and scored")


def _workers(count: int) -> Executor:
    """Where areas ingest and the Data Docs site is built: `count` processes, or one thread.

    Much of an area's ingest is single-threaded (hashing, GX), so processes side by
    side beat threads; each one's DuckDB takes its share of the cores
    (ingest.share_cores) and is capped at ingest.MEMORY_LIMIT, so two large areas
    side by side stay well inside the memory budget (performance.md). Spawn, not
    fork: this process may hold DuckDB and GX threads a fork would copy mid-state.
    """
    if count <= 1:
        return ThreadPoolExecutor(max_workers=1)
    return ProcessPoolExecutor(
        max_workers=count,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=ingest.share_cores,
        initargs=(count,),
    )


def _ingest_areas(
    workers: Executor,
    landing: Path,
    as_of: dt.date,
    codes: Sequence[str],
    work_root: Path | None,
) -> Iterator[AreaIngest]:
    """Each area's ingest result in the order of codes.

    Areas are independent until the writer, so the result is the same in any
    order. Largest exports go first: longest first keeps every worker busy to the end.
    """
    night = Path(landing) / as_of.isoformat()
    submit_order = sorted(
        codes,
        key=lambda c: sum(f.stat().st_size for f in (night / c).iterdir() if f.is_file()),
        reverse=True,
    )
    futures = {
        code: workers.submit(ingest_one, landing, as_of, code, work_root) for code in submit_order
    }
    try:
        for code in codes:
            yield futures[code].result()[0]
    finally:  # an area that raised stops the night: areas not started yet are not ingested
        for future in futures.values():
            future.cancel()


def load_ingested(
    warehouse_path: Path,
    as_of: dt.date,
    area_codes: Sequence[str],
    work_root: Path | None = None,
    started_at: dt.datetime | None = None,
) -> load.LoadSummary:
    """The writer step of the DAG: load what the per-area ingest tasks left on disk."""
    ingested = []
    for code in area_codes:
        out = work_dir(as_of, code, work_root)
        ingested.append((ingest.read_result(out), out))
    summary = load.load_night(warehouse_path, as_of, ingested, started_at=started_at)
    loaded = [out for result, out in ingested if result.status == "loaded"]
    check_content.merge_national(work_root or settings.work_root(), loaded)
    return summary


def publish_night(
    warehouse_path: Path,
    as_of: dt.date,
    publish_root: Path,
    work_root: Path | None = None,
    data_docs: Path | None = None,
) -> dict[str, Path]:
    """Write the night's public files; waits while another run's writer holds the warehouse.

    Besides publish.publish_night's files: data_quality.csv and the night's Data Docs
    site (build_data_docs), built here unless data_docs is the index of one built
    already elsewhere, which is moved into place.
    """
    from pipelines import publish, quality, warehouse

    out = Path(publish_root) / as_of.isoformat()

    def write() -> dict[str, Path]:
        with warehouse.connect(warehouse_path, read_only=True) as con:
            published = publish.publish_night(con, as_of, publish_root)
            published["data_quality"] = quality.write_data_quality(
                con, as_of, out / "data_quality.csv"
            )
        return published

    published = warehouse.with_lock_retry(write)
    site = out / "data_docs"
    if data_docs is None:
        published["data_docs"] = build_data_docs(as_of, site, work_root)
    else:
        shutil.rmtree(site, ignore_errors=True)
        shutil.move(data_docs.parent, site)
        published["data_docs"] = site / data_docs.name
    return published


def build_data_docs(as_of: dt.date, site: Path, work_root: Path | None = None) -> Path:
    """A Data Docs site in `site` of the GX validations the areas' ingests left under
    work_root (an area rejected at its latest ingest has none); returns its index."""
    from pipelines import validate

    night_work = (work_root or settings.work_root()) / as_of.isoformat()
    return validate.publish_data_docs(sorted(night_work.glob("*/gx")), site)


def export_dates(landing: Path, first: dt.date, last: dt.date) -> list[dt.date]:
    """Export dates that landed in [first, last], oldest first."""
    dates = []
    for folder in landing.iterdir():
        try:
            day = dt.date.fromisoformat(folder.name)
        except ValueError:
            continue
        if folder.is_dir() and first <= day <= last:
            dates.append(day)
    return sorted(dates)
