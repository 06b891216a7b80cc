"""The local runner: the steps of run/steps.py for `caseaudit run` and `backfill`.

It runs the same step functions as the DAG, in the same order, and decides only
where they run: areas (and the validation step) in a pool of worker processes
kept for the whole command, the Data Docs step in a process of its own at the
lowest CPU priority (it renders beside the writer, on the cores the writer
leaves), the writer and publishing in this process. Much of an area's ingest
is single-threaded (hashing, GX), so processes side by side beat threads; each
one's DuckDB takes its share of the cores (ingest/typed.share_cores) and is
capped at typed.MEMORY_LIMIT, so two large areas side by side stay well inside
the memory budget. Spawn, not fork: this process may hold DuckDB and GX threads
a fork would copy mid-state.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from upath import UPath

from pipelines.contract.handoff import AreaIngest
from pipelines.ingest import landing as landing_layout
from pipelines.ingest import typed
from pipelines.run import steps

WORKERS = 2  # two processes keep a national night's peak memory well under 4 GB
Progress = Callable[[str], None]


@dataclass
class NightResult:
    plan: steps.NightPlan
    areas: list[AreaIngest] = field(default_factory=list)
    published: dict[str, UPath] = field(default_factory=dict)
    failure: str = ""  # NightFailed's message: an export or folder was rejected

    @property
    def as_of(self) -> dt.date:
        return self.plan.as_of

    @property
    def rejected(self) -> list[AreaIngest]:
        return [a for a in self.areas if not a.loaded]

    @property
    def exit_code(self) -> int:
        """docs/outputs.md: 1 when an area was rejected or missing, or an entry refused."""
        return 1 if self.failure else 0


@dataclass(frozen=True)
class Workers:
    """Where a night's steps run: `areas` for the areas and the validation step;
    `data_docs` for the Data Docs step, which renders beside the writer."""

    areas: Executor
    data_docs: Executor


@contextmanager
def workers(count: int = WORKERS) -> Iterator[Workers]:
    """`count` area worker processes and one Data Docs process at the lowest CPU priority,
    or one thread of this process for both when count is 1."""
    count = max(1, min(count, os.cpu_count() or 1))
    if count == 1:
        with ThreadPoolExecutor(max_workers=1) as pool:
            yield Workers(pool, pool)
        return
    spawn = multiprocessing.get_context("spawn")
    with (
        ProcessPoolExecutor(
            max_workers=count, mp_context=spawn, initializer=typed.share_cores, initargs=(count,)
        ) as areas,
        ProcessPoolExecutor(
            max_workers=1, mp_context=spawn, initializer=_lowest_priority
        ) as data_docs,
    ):
        yield Workers(areas, data_docs)


def _lowest_priority() -> None:
    """The Data Docs process takes only cores no other step wants (steps.yielding_cpu)."""
    if hasattr(os, "nice"):
        os.nice(steps.LOWEST_PRIORITY)


def _import_gx() -> None:
    """Great Expectations imported in the Data Docs process while the areas ingest (some
    4 s of one core, otherwise spent after them), at its low priority."""
    import great_expectations  # noqa: F401


def run_night(
    pool: Workers,
    landing: Path,
    warehouse_path: Path,
    as_of: dt.date,
    areas: Sequence[str] | None = None,
    publish_root: Path | None = None,
    work_root: Path | None = None,
    progress: Progress | None = None,
    accept_new_key: bool = False,
) -> NightResult:
    """One night through every step; a rejection is reported in NightResult.failure.

    `areas`: the areas the night expects (default: CASEAUDIT_EXPECTED_AREAS, all 42).
    """
    plan = steps.plan_night(landing, as_of, areas, work_root, warehouse_path, accept_new_key)
    night = NightResult(plan)
    if publish_root is not None and pool.data_docs is not pool.areas:
        pool.data_docs.submit(_import_gx)
    pool.areas.submit(steps.prepare_validation, plan.work_root).result()
    night.areas = list(_ingest_areas(pool.areas, plan, landing, progress))
    data_docs = pool.data_docs.submit(steps.build_data_docs, plan) if publish_root else None
    steps.load_night(plan, warehouse_path)
    _advance(progress, f"{as_of} loaded and scored")
    if publish_root is not None and data_docs is not None:  # renders while the site builds
        night.published = steps.publish_night(plan, warehouse_path, publish_root, data_docs.result)
        _advance(progress, f"{as_of} published")
    try:
        steps.night_outcome(plan, night.areas)
    except steps.NightFailed as failure:
        night.failure = str(failure)
    return night


def _advance(progress: Progress | None, step: str) -> None:
    if progress:
        progress(step)


def _ingest_areas(
    pool: Executor, plan: steps.NightPlan, landing: Path, progress: Progress | None
) -> Iterator[AreaIngest]:
    """Each area's result in the plan's order; largest exports go first, so every worker
    stays busy to the end. An area that raises stops the night: areas not started
    yet are not ingested."""
    night = landing_layout.night_dir(landing, plan.as_of)
    largest_first = sorted(
        plan.areas,
        key=lambda c: sum(f.stat().st_size for f in (night / c).iterdir() if f.is_file()),
        reverse=True,
    )
    futures: dict[str, Future[AreaIngest]] = {
        code: pool.submit(steps.ingest_area, plan, landing, code) for code in largest_first
    }
    try:
        for code in plan.areas:
            result = futures[code].result()
            _advance(progress, f"{plan.as_of} ingested {code}")
            yield result
    finally:
        for future in futures.values():
            future.cancel()
