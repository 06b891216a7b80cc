"""The landing layout of docs/exports.md: night folders, area folders, the manifest.

`<landing>/<export_date>/<area_code>/` holds an area's files of a night. Only
folders named by one of the 42 area codes are ever read; any other name is
reported, never used as a path fragment.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from pipelines.contract.exports import MANIFEST_NAME
from pipelines.contract.reference import area_codes


class FileRejected(Exception):
    """A file-level defect: the area's night is not loaded."""


def night_dir(landing_root: Path, as_of: dt.date) -> Path:
    return Path(landing_root) / as_of.isoformat()


def discover_areas(landing_root: Path, as_of: dt.date) -> tuple[list[str], list[str]]:
    """(area codes that landed for as_of, names of folders that are not area codes)."""
    night = night_dir(landing_root, as_of)
    if not night.is_dir():
        return [], []
    codes = set(area_codes())
    names = sorted(entry.name for entry in night.iterdir() if entry.is_dir())
    return [n for n in names if n in codes], [n for n in names if n not in codes]


def export_dates(landing_root: Path, first: dt.date, last: dt.date) -> list[dt.date]:
    """Export dates that landed in [first, last], oldest first."""
    dates = []
    for folder in Path(landing_root).iterdir():
        try:
            day = dt.date.fromisoformat(folder.name)
        except ValueError:
            continue
        if folder.is_dir() and first <= day <= last:
            dates.append(day)
    return sorted(dates)


def read_manifest(area_dir: Path, as_of: dt.date, area_code: str) -> dict[str, Any]:
    """The manifest's entry per file name ({} without a manifest); FileRejected if wrong."""
    path = Path(area_dir) / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = manifest["files"]
    except (ValueError, KeyError, TypeError) as error:
        raise FileRejected(
            f"{MANIFEST_NAME} is not a valid manifest ({type(error).__name__}); "
            "ask the area to resend the export with a correct manifest"
        ) from None
    if manifest.get("export_date") != as_of.isoformat() or manifest.get("area_code") != area_code:
        raise FileRejected(
            f"{MANIFEST_NAME} is for {manifest.get('area_code')!r} "
            f"{manifest.get('export_date')!r}, not {area_code} {as_of}: the transfer is "
            "mixed up; ask the area to resend"
        )
    return files
