"""What one stage hands the next: an area's work folder, between ingest and the writer.

An area's ingest writes, into its own work folder `<work>/<as_of>/<run>/<area>/`,
one `<export>.parquet` of typed staging rows per export file (no PII, crn
replaced by case_key), `quarantine.parquet`, the stores of values GX validated
that the writer adds to the cross-night store, each landed file's night as a
validation result (`validation_<export>.json`, which only the Data Docs step
reads), and `result.json` (AreaIngest), last, so a folder with a result is
complete. The writer reads nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from upath import UPath

RESULT_NAME = "result.json"
QUARANTINE_NAME = "quarantine.parquet"
LOADED, REJECTED, MISSING = "loaded", "rejected", "missing"  # an area's status in audit.runs


def staging_name(export_name: str) -> str:
    return f"{export_name}.parquet"


@dataclass(frozen=True)
class FileAudit:
    """One export file's counts: rows_in is counted from the file itself."""

    file: str
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    sha256: str | None  # None: an optional file that did not land (contract ExportFile)


@dataclass
class AreaIngest:
    area_code: str
    as_of: dt.date
    status: str  # LOADED | REJECTED | MISSING (expected, but nothing landed)
    message: str = ""
    files: list[FileAudit] = field(default_factory=list)
    rows_validated: int = 0  # values GX validated tonight (not found in a store)

    @property
    def loaded(self) -> bool:
        return self.status == LOADED

    def to_json(self) -> str:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        return json.dumps(data, indent=2)

    @classmethod
    def from_json(cls, text: str) -> AreaIngest:
        data = json.loads(text)
        return cls(
            area_code=data["area_code"],
            as_of=dt.date.fromisoformat(data["as_of"]),
            status=data["status"],
            message=data["message"],
            files=[FileAudit(**f) for f in data["files"]],
            rows_validated=data["rows_validated"],
        )


def write_result(result: AreaIngest, area_dir: Path) -> None:
    (area_dir / RESULT_NAME).write_text(result.to_json(), encoding="utf-8")


def read_result(area_dir: Path | UPath) -> AreaIngest:
    """The result an area's ingest left in its folder (local, or a storage location)."""
    return AreaIngest.from_json((area_dir / RESULT_NAME).read_text(encoding="utf-8"))
