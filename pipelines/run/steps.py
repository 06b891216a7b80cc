"""The steps of a night, which the DAG's tasks and the command line both call.

plan_night -> prepare_validation -> ingest_area (one per area, independent)
-> load_night (the one writer) and build_data_docs -> publish_night ->
night_outcome. The DAG runs each as a task (areas mapped); the local runner
(run/local.py) runs the same functions in the same order and only decides where
(a pool of processes for the areas). Failure semantics are the steps':
night_outcome raises NightFailed after the others were loaded and published,
so `caseaudit run` exits 1 and the DAG run fails on the same nights.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from upath import UPath

from pipelines import storage
from pipelines.contract import identity
from pipelines.contract.handoff import MISSING, RESULT_NAME, AreaIngest, read_result
from pipelines.ingest import landing
from pipelines.ingest.area import ingest_area as ingest_one_area
from pipelines.publish import files as publish_files
from pipelines.run import settings
from pipelines.validate import data_docs, known_values
from pipelines.warehouse import audit, writer
from pipelines.warehouse.connection import WarehouseLocked

log = logging.getLogger(__name__)
DATA_DOCS_FOLDER = "data_docs"
FINISHED = "finished"  # marks a run's work folder whose night ended (night_outcome)
ABANDONED_AFTER = dt.timedelta(days=1)  # an unfinished run folder older than this is dead
LOWEST_PRIORITY = 19  # the nice value of steps that should only use idle cores


class NightFailed(RuntimeError):
    """An export or a landing folder was rejected, or nothing landed: exit 1, DAG failed."""


class NightNotLoaded(RuntimeError):
    """The writer failed: nothing of the night was committed (exit 4, DAG failed)."""


@dataclass(frozen=True)
class NightPlan:
    """One run of one night: the areas it ingests, those it misses, its own work folder.

    Passed between steps (an XCom in Airflow), so it holds plain values only and
    nothing personal: a refused folder's name appears only by its shape.
    """

    as_of: dt.date
    run_id: str
    areas: list[str]
    work_root: str
    key_fingerprint: str
    missing: list[str] = field(default_factory=list)  # expected, but no export landed
    refused: list[str] = field(default_factory=list)  # landing entries that are not areas
    unexpected: list[str] = field(default_factory=list)  # landed, not expected: not run

    @property
    def work_dir(self) -> UPath:
        """`<work root>/<as_of>/<run>`: this run's area folders and Data Docs."""
        root = storage.location(self.work_root)
        return root / self.as_of.isoformat() / self.run_id.rsplit("/", 1)[1]

    def area_dir(self, area_code: str) -> UPath:
        return self.work_dir / area_code

    @property
    def stores(self) -> UPath:
        """The values validated before tonight (validate/known_values.py)."""
        return storage.location(self.work_root) / known_values.STORE_FOLDER

    def to_dict(self) -> dict[str, Any]:
        """For an XCom: plain values only (no path objects, nothing personal)."""
        return asdict(self) | {"as_of": self.as_of.isoformat()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NightPlan:
        return cls(**(data | {"as_of": dt.date.fromisoformat(data["as_of"])}))


class KeyChanged(RuntimeError):
    """The case-key secret differs from the one the warehouse's last run used."""


def plan_night(
    landing_root: Path,
    as_of: dt.date,
    expected: Sequence[str] | None = None,
    work_root: Path | None = None,
    warehouse_path: Path | None = None,
    accept_new_key: bool = False,
) -> NightPlan:
    """The night's plan: the expected areas that landed (all 42 unless told otherwise),
    those missing, and landing entries refused; its own work folder.

    Raises NightFailed when no expected area landed, and KeyChanged when the
    case-key secret is not the one of the warehouse's last run (unless
    accept_new_key).
    """
    landed, refused = landing.discover_areas(landing_root, as_of)
    wanted = set(expected or settings.expected_areas())
    areas = sorted(set(landed) & wanted)
    missing = sorted(wanted - set(landed))
    for entry in refused:
        log.error("%s: landing entry %s refused", as_of, entry)
    if not areas:
        raise NightFailed(
            f"no expected area's export landed for {as_of} under {landing_root}"
            f"{_listed(' (refused: ', refused)}: nothing was scored or published; check the "
            "transfer, then run the night again"
        )
    fingerprint = identity.key_fingerprint(settings.case_key_secret())
    previous = audit.last_key_fingerprint(warehouse_path) if warehouse_path else None
    if previous not in (None, fingerprint) and not accept_new_key:
        raise KeyChanged(
            f"CASEAUDIT_CASE_KEY_SECRET is not the secret the warehouse's last night was "
            f"keyed with (fingerprint {fingerprint}, last {previous}): its case_keys would "
            "share nothing with earlier nights, so baselines, trends and explain across "
            "them would quietly stop matching. Set the secret the warehouse uses, or, if "
            "the key was rotated on purpose, run again with --accept-new-key (DAG param "
            "accept_new_key) and backfill the nights you compare with"
        )
    root = storage.location(work_root or settings.work_root())
    run_id = f"{as_of.isoformat()}/{uuid.uuid4().hex[:12]}"
    plan = NightPlan(
        as_of,
        run_id,
        areas,
        str(root),
        fingerprint,
        missing=missing,
        refused=refused,
        unexpected=sorted(set(landed) - wanted),
    )
    _remove_finished_runs(plan.work_dir.parent)
    plan.work_dir.mkdir(parents=True, exist_ok=True)
    return plan


def _listed(opening: str, items: Sequence[str]) -> str:
    return f"{opening}{', '.join(items)})" if items else ""


def _remove_finished_runs(night: UPath) -> None:
    """Earlier runs' work folders of the night, once finished (or, on a local disk,
    abandoned a day ago): a run in progress keeps its folder, so two runs of a night
    never collide, and their writers take turns."""
    if not night.is_dir():
        return
    abandoned = time.time() - ABANDONED_AFTER.total_seconds()
    for run in night.iterdir():
        if not run.is_dir():
            continue
        old = storage.is_local(run) and run.stat().st_mtime < abandoned
        if (run / FINISHED).exists() or old:
            storage.remove(run)


def prepare_validation(work_root: Path | str) -> list[str]:
    """The stores of values the contract names, built once per suite version.

    Before the areas, so each area's GX run sees the same stores whichever runner
    or scheduler ordered the tasks (the first night after a suite change waits
    about 8 s for it; later nights find it built).
    """
    stores = storage.location(work_root) / known_values.STORE_FOLDER
    with storage.staged(stores) as local:
        built = known_values.ensure_domain(local)
        if built and not storage.is_local(stores):
            storage.replace(local, stores)
    return built


def ingest_area(plan: NightPlan, landing_root: Path | str, area_code: str) -> AreaIngest:
    """One area's ingest into its folder of this run, independent of every other area: it
    reads the area's landing folder and the stores committed before the night."""
    landed = landing.night_dir(landing_root, plan.as_of) / area_code
    with (
        storage.staged(landed) as area_in,
        storage.staged(plan.stores, download=known_values.store_names()) as stores,
        storage.staged(
            plan.area_dir(area_code), download=False, upload=True, last=RESULT_NAME
        ) as out,
    ):
        secret = settings.case_key_secret()
        result = ingest_one_area(area_in, plan.as_of, area_code, out, secret, stores)
    if not result.loaded:
        log.error("%s %s rejected: %s", area_code, plan.as_of, result.message)
    return result


def load_night(
    plan: NightPlan, warehouse_path: Path, started_at: dt.datetime | None = None
) -> writer.LoadSummary:
    """The writer step: load what the area ingests left, then grow the cross-night store."""
    started_at = started_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    missing = [
        AreaIngest(
            code, plan.as_of, MISSING, f"{code} {plan.as_of}: expected, but no export landed"
        )
        for code in plan.missing
    ]
    with ExitStack() as stack:
        folders = [stack.enter_context(storage.staged(plan.area_dir(c))) for c in plan.areas]
        ingested = [(read_result(folder), folder) for folder in folders]
        try:
            summary = writer.load_night(
                warehouse_path,
                plan.as_of,
                ingested,
                plan.run_id,
                started_at,
                missing=missing,
                key_fingerprint=plan.key_fingerprint,
            )
        except WarehouseLocked:
            raise
        except (writer.ReconciliationError, duckdb.Error, OSError) as error:
            raise NightNotLoaded(
                f"{plan.as_of} was not loaded, the warehouse {warehouse_path} is as it was: {error}"
            ) from error
        with storage.staged(plan.stores, upload=True) as stores:
            known_values.merge(stores, [folder for result, folder in ingested if result.loaded])
    return summary


def build_data_docs(plan: NightPlan) -> None:
    """The Data Docs site of this run's areas and landed files, into its work folder: the
    night's validation result each area's ingest left (validate/night.py), rendered once.

    It runs beside the writer and yields the CPU to it (yielding_cpu): rendering
    a national night's pages is some 11 s of one core (and 4 s importing GX),
    which at the writer's priority takes cores the writer's DuckDB wants.
    """
    yielding_cpu(lambda: _build_data_docs(plan))


def yielding_cpu(work: Callable[[], None]) -> None:
    """Run `work` in a thread of its own at the lowest CPU priority, so it takes only
    cores no other step wants. On Linux a thread's nice value is its own (threads it
    starts inherit it): this process's other threads, and the thread itself once it
    ends, keep theirs. Elsewhere `work` runs at the usual priority."""

    def lowered() -> None:
        if sys.platform == "linux":
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWEST_PRIORITY)
        work()

    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(lowered).result()


def _build_data_docs(plan: NightPlan) -> None:
    with ExitStack() as stack:
        folders = [
            stack.enter_context(
                storage.staged(plan.area_dir(code), download=data_docs.result_files())
            )
            for code in plan.areas
            if plan.area_dir(code).exists()
        ]
        site = stack.enter_context(
            storage.staged(plan.work_dir / DATA_DOCS_FOLDER, download=False, upload=True)
        )
        data_docs.publish_data_docs(folders, site)


def publish_night(
    plan: NightPlan,
    warehouse_path: Path,
    publish_root: Path | str,
    site_built: Callable[[], object] | None = None,
) -> dict[str, UPath]:
    """The night's public files and the Data Docs site build_data_docs left, published.

    The files are rendered aside first; `site_built`, where the Data Docs step
    still runs beside (caseaudit run), waits for it meanwhile and raises if it
    failed, and then nothing is published, as when the DAG's publish task does
    not run after a failed build_data_docs.
    """
    target = storage.location(publish_root) / plan.as_of.isoformat()
    site = plan.work_dir / DATA_DOCS_FOLDER
    beside = Path(target.parent.path) if storage.is_local(target) else None
    if beside is not None:
        beside.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".rendering-", dir=beside) as aside:
        rendered = publish_files.publish_night(warehouse_path, plan.as_of, Path(aside))
        if site_built is not None:
            site_built()
        with storage.staged(target, download=False, upload=True) as night:
            published = {n: publish_files.move(path, night) for n, path in rendered.items()}
            if site.is_dir():
                with storage.staged(site) as built:
                    published["data_docs"] = publish_files.publish_site(built, night)
    return {name: target / Path(path).relative_to(night) for name, path in published.items()}


def night_outcome(plan: NightPlan, results: Sequence[AreaIngest]) -> None:
    """The night's end: its work folder is marked finished, and NightFailed is raised when
    an expected area is missing or rejected, or a landing entry was refused."""
    (plan.work_dir / FINISHED).write_text(plan.run_id)
    problems = [f"landing entry {entry} refused" for entry in plan.refused]
    problems += [f"{code} missing (no export landed)" for code in plan.missing]
    problems += [f"{r.area_code} rejected" for r in results if not r.loaded]
    if problems:
        raise NightFailed(
            f"{plan.as_of}: {'; '.join(problems)} (the other areas were loaded and "
            "published; see audit.runs and the report)"
        )


def area_results(plan: NightPlan) -> list[AreaIngest]:
    """The results the area ingests of this run left in their folders."""
    return [read_result(plan.area_dir(code)) for code in plan.areas]


def rebuild_benchmark(
    warehouse_path: Path, as_of: dt.date, publish_root: Path | str
) -> dict[str, UPath]:
    """The regional benchmark of a night again (regional_benchmark DAG), and its files.

    The benchmark pools every area's scores, so it is rebuilt after any change to
    the night's scorecard; the rewrite is one transaction and idempotent.
    """
    writer.rebuild_benchmark(warehouse_path, as_of)
    target = storage.location(publish_root) / as_of.isoformat()
    with storage.staged(target, upload=True) as night:
        published = publish_files.publish_benchmark(warehouse_path, as_of, night)
    return {name: target / Path(path).relative_to(night) for name, path in published.items()}
