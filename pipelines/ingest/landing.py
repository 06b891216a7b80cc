"""The landing layout of docs/exports.md: night folders, area folders, the manifest.

`<landing>/<export_date>/<area_code>/` holds an area's files of a night. Only
folders named by one of the 42 area codes are ever read; any other name is
reported, never used as a path fragment.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from upath import UPath

from pipelines import storage
from pipelines.contract.exports import LANDED_FILES, MANIFEST_NAME
from pipelines.contract.identity import shown
from pipelines.contract.reference import area_codes


class FileRejected(Exception):
    """A file-level defect: the area's night is not loaded."""


def night_dir(landing_root: Path | str, as_of: dt.date) -> UPath:
    """`<landing>/<export_date>`: a local folder or a storage location (pipelines/storage.py)."""
    return storage.location(landing_root) / as_of.isoformat()


def discover_areas(landing_root: Path | str, as_of: dt.date) -> tuple[list[str], list[str]]:
    """(area codes whose folder landed for as_of, landing entries refused, described).

    A folder not named by an area code is refused (its name shown only by its shape:
    it is never used as a path or a code), and so is a file where an area's folder
    should be; other files beside the area folders are left alone.
    """
    night = night_dir(landing_root, as_of)
    if not night.is_dir():
        return [], []
    codes = set(area_codes())
    landed, refused = [], []
    for entry in sorted(night.iterdir(), key=lambda e: e.name):
        if entry.is_dir() and entry.name in codes:
            landed.append(entry.name)
        elif entry.is_dir():
            refused.append(f"{shown(entry.name)} (a folder not named by an area code)")
        elif entry.name in codes:
            refused.append(f"{entry.name} (a file where the area's folder should be)")
    return landed, refused


def export_dates(landing_root: Path | str, first: dt.date, last: dt.date) -> list[dt.date]:
    """Export dates that landed in [first, last], oldest first."""
    dates = []
    for folder in storage.location(landing_root).iterdir():
        try:
            day = dt.date.fromisoformat(folder.name)
        except ValueError:
            continue
        if folder.is_dir() and first <= day <= last:
            dates.append(day)
    return sorted(dates)


def read_manifest(area_dir: Path, as_of: dt.date, area_code: str) -> dict[str, dict[str, Any]]:
    """The manifest's entry per file name ({} without a manifest); FileRejected if it is not
    a manifest of this area and night: `{"export_date", "area_code", "files": {name:
    {"rows": int, "sha256": hex}}}`, naming only the contract's files, at least one."""
    path = Path(area_dir) / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise FileRejected(
            f"{MANIFEST_NAME} is not JSON: ask the area to resend the export with its manifest"
        ) from None
    problem = _manifest_problem(manifest)
    if problem:
        raise FileRejected(
            f"{MANIFEST_NAME} is not a valid manifest ({problem}): ask the area to resend the "
            "export with a correct manifest"
        )
    if manifest["export_date"] != as_of.isoformat() or manifest["area_code"] != area_code:
        raise FileRejected(
            f"{MANIFEST_NAME} is for {_shown(manifest['area_code'])} "
            f"{_shown(manifest['export_date'])}, not {area_code} {as_of}: the transfer is "
            "mixed up; ask the area to resend"
        )
    return manifest["files"]


def _shown(value: object) -> str:
    """A manifest's value in a message: a code or date as it is, anything else its shape."""
    text = str(value)
    return repr(text) if re.fullmatch(r"[A-Z]{3}|\d{4}-\d{2}-\d{2}", text) else shown(text)


def _manifest_problem(manifest: Any) -> str:
    """What is wrong with a parsed manifest's shape, or ''."""
    if not isinstance(manifest, dict):
        return "not a JSON object"
    for key in ("export_date", "area_code"):
        if not isinstance(manifest.get(key), str):
            return f"{key} is not a string"
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        return "files is not an object naming at least one file"
    known = {e.file_name for e in LANDED_FILES}
    for name, entry in files.items():
        if name not in known:
            return f"files names {shown(name)}, which is not an export file"
        if not isinstance(entry, dict) or set(entry) - {"rows", "sha256"}:
            return f"files.{name} is not an object of rows and sha256"
        rows, digest = entry.get("rows"), entry.get("sha256")
        if "rows" in entry and (type(rows) is not int or rows < 0):
            return f"files.{name}.rows is not a count"
        if "sha256" in entry and not (
            isinstance(digest, str) and re.fullmatch(r"[0-9a-f]{64}", digest)
        ):
            return f"files.{name}.sha256 is not a SHA-256 in hex"
    return ""
