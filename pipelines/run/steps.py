"""The steps of a night, which the DAG's tasks and the command line both call.

plan_night -> prepare_validation and ingest_area (one per area, independent)
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
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipelines.contract.handoff import AreaIngest, read_result
from pipelines.ingest import landing
from pipelines.ingest.area import ingest_area as ingest_one_area
from pipelines.publish import files as publish_files
from pipelines.run import settings
from pipelines.validate import data_docs, known_values
from pipelines.warehouse import writer
from pipelines.warehouse.connection import WarehouseLocked

log = logging.getLogger(__name__)
DATA_DOCS_FOLDER = "data_docs"


class NoExportError(LookupError):
    """An area or date was asked for that did not land: a usage error, not a failure."""


class NightFailed(RuntimeError):
    """An export or a landing folder was rejected, or nothing landed: exit 1, DAG failed."""


class NightNotLoaded(RuntimeError):
    """The writer failed: nothing of the night was committed (exit 4, DAG failed)."""


@dataclass(frozen=True)
class NightPlan:
    """One run of one night: which areas it ingests, and its own work folder."""

    as_of: dt.date
    run_id: str
    areas: list[str]
    bad_folders: list[str] = field(default_factory=list)
    work_root: str = ""

    @property
    def work_dir(self) -> Path:
        """`<work root>/<as_of>/<run>`: this run's area folders and Data Docs."""
        return Path(self.work_root) / self.as_of.isoformat() / self.run_id.rsplit("/", 1)[1]

    def area_dir(self, area_code: str) -> Path:
        return self.work_dir / area_code

    def to_dict(self) -> dict[str, Any]:
        """For an XCom: plain values only (no path objects, nothing personal)."""
        return asdict(self) | {"as_of": self.as_of.isoformat()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NightPlan:
        return cls(**(data | {"as_of": dt.date.fromisoformat(data["as_of"])}))


def plan_night(
    landing_root: Path,
    as_of: dt.date,
    areas: Sequence[str] | None = None,
    work_root: Path | None = None,
) -> NightPlan:
    """The areas to ingest (those landed, optionally narrowed) and the folders refused.

    A rerun of the night supersedes earlier runs' work folders, removed here.
    """
    landed, bad_folders = landing.discover_areas(landing_root, as_of)
    if areas:
        unknown = sorted(set(areas) - set(landed))
        if unknown:
            raise NoExportError(
                f"no export landed for {', '.join(unknown)} on {as_of} under {landing_root}"
            )
        landed = [a for a in landed if a in set(areas)]
    for folder in bad_folders:
        log.error("landing folder %r on %s is not a probation area code: refused", folder, as_of)
    if not landed:
        refused = f" (refused: {', '.join(map(repr, bad_folders))})" if bad_folders else ""
        raise NightFailed(
            f"no area's export landed for {as_of} under {landing_root}{refused}: nothing was "
            "scored or published; check the transfer, then run the night again"
        )
    root = Path(work_root or settings.work_root())
    plan = NightPlan(
        as_of, f"{as_of.isoformat()}/{uuid.uuid4().hex[:12]}", landed, bad_folders, str(root)
    )
    night = plan.work_dir.parent
    if night.is_dir():
        for earlier in night.iterdir():
            if earlier.is_dir() and earlier != plan.work_dir:
                shutil.rmtree(earlier, ignore_errors=True)
    plan.work_dir.mkdir(parents=True, exist_ok=True)
    return plan


def prepare_validation(work_root: Path | str) -> list[str]:
    """The stores of values the contract names, built once per suite version."""
    return known_values.ensure_domain(known_values.store_dir(Path(work_root)))


def ingest_area(plan: NightPlan, landing_root: Path, area_code: str) -> AreaIngest:
    """One area's ingest into its folder of this run (independent of every other area)."""
    out = plan.area_dir(area_code)
    stores = known_values.store_dir(Path(plan.work_root))
    result = ingest_one_area(
        landing_root, plan.as_of, area_code, out, settings.case_key_secret(), stores
    )
    if not result.loaded:
        log.error("%s %s rejected: %s", area_code, plan.as_of, result.message)
    return result


def load_night(
    plan: NightPlan, warehouse_path: Path, started_at: dt.datetime | None = None
) -> writer.LoadSummary:
    """The writer step: load what the area ingests left, then grow the cross-night store."""
    ingested = [(read_result(plan.area_dir(code)), plan.area_dir(code)) for code in plan.areas]
    started_at = started_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    try:
        summary = writer.load_night(warehouse_path, plan.as_of, ingested, plan.run_id, started_at)
    except WarehouseLocked:
        raise
    except (writer.ReconciliationError, duckdb.Error, OSError) as error:
        raise NightNotLoaded(
            f"{plan.as_of} was not loaded, the warehouse {warehouse_path} is as it was: {error}"
        ) from error
    loaded = [folder for result, folder in ingested if result.loaded]
    known_values.merge(known_values.store_dir(Path(plan.work_root)), loaded)
    return summary


def build_data_docs(plan: NightPlan) -> Path:
    """The Data Docs site of this run's GX validations, in its work folder; its index."""
    site = plan.work_dir / DATA_DOCS_FOLDER
    return data_docs.publish_data_docs(sorted(plan.work_dir.glob("*/gx")), site)


def publish_night(plan: NightPlan, warehouse_path: Path, publish_root: Path) -> dict[str, Path]:
    """The night's public files, and the Data Docs site build_data_docs left."""
    published = publish_files.publish_night(warehouse_path, plan.as_of, Path(publish_root))
    site = plan.work_dir / DATA_DOCS_FOLDER
    if site.is_dir():
        published["data_docs"] = publish_files.publish_site(site, plan.as_of, Path(publish_root))
    return published


def night_outcome(plan: NightPlan, results: Sequence[AreaIngest]) -> None:
    """Raise NightFailed when an area's export or a landing folder was rejected."""
    problems = [f"landing folder {name!r} is not an area code" for name in plan.bad_folders]
    problems += [f"{r.area_code} rejected" for r in results if not r.loaded]
    if problems:
        raise NightFailed(
            f"{plan.as_of}: {'; '.join(problems)} (the other areas were loaded and "
            "published; see audit.runs and the report)"
        )


def area_results(plan: NightPlan) -> list[AreaIngest]:
    """The results the area ingests of this run left in their folders."""
    return [read_result(plan.area_dir(code)) for code in plan.areas]


def rebuild_benchmark(warehouse_path: Path, as_of: dt.date, publish_root: Path) -> dict[str, Path]:
    """The regional benchmark of a night again (regional_benchmark DAG), and its files.

    The benchmark pools every area's scores, so it is rebuilt after any change to
    the night's scorecard; the rewrite is one transaction and idempotent.
    """
    writer.rebuild_benchmark(warehouse_path, as_of)
    return publish_files.publish_benchmark(warehouse_path, as_of, Path(publish_root))
