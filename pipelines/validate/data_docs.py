"""The night's Data Docs site, from the GX results the areas' ingests left."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pipelines import storage
from pipelines.contract.exports import LANDED_FILES
from pipelines.validate.gx import open_context
from pipelines.validate.suites import suite_path


def build_data_docs(gx_root: Path) -> Path:
    """Render the stored validation results of gx_root as Data Docs; returns index.html."""
    context = open_context(gx_root)
    context.build_data_docs()
    (index,) = gx_root.rglob("data_docs/local_site/index.html")
    return index


def publish_data_docs(gx_roots: Sequence[Path], site_dir: Path) -> Path:
    """One Data Docs site of the night's validations in site_dir; returns its index.html.

    Each area ingests into its own GX project (areas run in parallel); their stored
    validation results, kept apart by run name (the area code), are merged into a
    scratch project and rendered once, so the night has one site and one copy of
    GX's static files. The site replaces any earlier one in site_dir.
    """
    import great_expectations as gx

    with tempfile.TemporaryDirectory(prefix="data-docs-") as scratch:
        context = open_context(Path(scratch))
        for export in LANDED_FILES:
            suite_json = json.loads(suite_path(export).read_text(encoding="utf-8"))
            context.suites.add(gx.ExpectationSuite(**suite_json))
        merged = Path(scratch) / "gx" / "uncommitted" / "validations"
        for root in gx_roots:
            stored = Path(root) / "gx" / "uncommitted" / "validations"
            for suite_dir in sorted(p for p in stored.glob("*") if p.is_dir()):
                shutil.copytree(suite_dir, merged / suite_dir.name, dirs_exist_ok=True)
        context.build_data_docs()
        built = Path(scratch) / "gx" / "uncommitted" / "data_docs" / "local_site"
        storage.copy_folder(built, site_dir)
    return site_dir / "index.html"
