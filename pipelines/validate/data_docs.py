"""The night's Data Docs site: every area's and landed file's validation, rendered by GX.

Each area's ingest (a process of its own, in parallel) leaves in its work folder
the night's validation result of each landed file (validate/night.py), in GX's
validation-result JSON. The build_data_docs step alone opens one GX project for
the night, puts each result into its validation results store through the
store's own API (`deserialize` to check that GX reads it, then the store
backend's `set` with the key the store makes: no GX folder is copied between
projects, and only this step writes the store, so parallel areas never race on
it; `store.set` would re-serialize each result, a third of the step), adds
the suites, and has GX build the site once; the site's pages are then rewritten
to load only files shipped with it (offline.py). A result's key is its suite
(the export), run name (the area code) and run time (the export date), so the
site lists `validations/<export>/<area>/<date>/` per area and file.

The night's project and store hold only that night (it is made afresh in a
scratch folder), so a site never grows with the nights: GX renders every stored
result on each build, and sites with thousands of stored results hang.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pipelines import storage
from pipelines.contract.exports import LANDED_FILES
from pipelines.validate import night, offline
from pipelines.validate.gx import open_context
from pipelines.validate.suites import suite_path


def build_data_docs(gx_root: Path) -> Path:
    """Render the stored validation results of gx_root as Data Docs; returns index.html."""
    context = open_context(gx_root)
    context.build_data_docs()
    (index,) = gx_root.rglob("data_docs/local_site/index.html")
    return index


def result_files() -> list[str]:
    """The names of the night's validation results an area's folder may hold."""
    return [night.result_name(e) for e in LANDED_FILES]


def publish_data_docs(area_dirs: Sequence[Path], site_dir: Path) -> Path:
    """One Data Docs site of the night's validations in site_dir; returns its index.html.

    The site replaces any earlier one in site_dir (module doc).
    """
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    with tempfile.TemporaryDirectory(prefix="data-docs-") as scratch:
        context = open_context(Path(scratch))
        for export in LANDED_FILES:
            suite_json = json.loads(suite_path(export).read_text(encoding="utf-8"))
            context.suites.add(gx.ExpectationSuite(**suite_json))
        store = context.validation_results_store
        for area_dir in area_dirs:
            for export in LANDED_FILES:
                path = Path(area_dir) / night.result_name(export)
                if not path.is_file():
                    continue
                text = path.read_text(encoding="utf-8")
                run = store.deserialize(text).meta["run_id"]  # refuses what GX cannot read
                run_id = RunIdentifier(
                    run_name=run["run_name"], run_time=dt.datetime.fromisoformat(run["run_time"])
                )
                key = ValidationResultIdentifier(
                    ExpectationSuiteIdentifier(export.name), run_id, run["run_name"]
                )
                store.store_backend.set(store.key_to_tuple(key), text)
        context.build_data_docs()
        built = Path(scratch) / "gx" / "uncommitted" / "data_docs" / "local_site"
        offline.vendor(built)
        storage.copy_folder(built, site_dir)
    return site_dir / "index.html"
