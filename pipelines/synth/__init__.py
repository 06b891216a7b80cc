"""Synthetic nightly exports (`caseaudit generate`) in the landing layout of exports.md.

Every value is a counter-based hash of (seed, area, row key, field), drawn by `rng`,
so a row never depends on which other areas or rows are generated and the same seed
gives the same bytes. For each area, in this order:

1. `history` draws the area's whole vectorised history once: offenders and their
   events (`events`, `event_text`), then registrations, contacts, assessments and
   needs, plans and objectives (`registrations`, `contacts`, `assessments`, `plans`),
   each against the area's practice quality of the month (`quality`) and the
   rulebook's deadlines (`calendar`);
2. `snapshots` cuts it into one snapshot per export date (rulebook.md "Dates after
   as_of");
3. `defects` injects row defects at the requested rate;
4. `files` writes the CSV files and the manifest of each night and area.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.contract import exports as c
from pipelines.contract import reference as reference_data
from pipelines.synth.calendar import to_day
from pipelines.synth.defects import DEFECT_KINDS, inject_defects
from pipelines.synth.event_text import FORENAMES, SURNAMES
from pipelines.synth.files import write_csv, write_manifest
from pipelines.synth.history import CASES_PER_MILLION, RETENTION_DAYS, build_history
from pipelines.synth.rng import Rng
from pipelines.synth.snapshots import cut_snapshots

# the constants are what tests/synth checks the output against
__all__ = [
    "CASES_PER_MILLION",
    "DEFECT_KINDS",
    "FORENAMES",
    "RETENTION_DAYS",
    "SURNAMES",
    "GenerateSummary",
    "generate",
]


@dataclass
class GenerateSummary:
    """What generate wrote, for the command to report."""

    files_written: int = 0
    rows_by_file: dict[str, int] = field(
        default_factory=lambda: {f.file_name: 0 for f in c.EXPORT_FILES}
    )
    cases: int = 0  # event rows written, summed over snapshots
    defects: int = 0  # rows written with an injected defect


def generate(
    out: Path,
    export_dates: Sequence[dt.date],
    area_codes: Sequence[str],
    *,
    scale: float = 1.0,
    seed: int = 0,
    defect_rate: float = 0.0,
    progress: Callable[[str], None] | None = None,
) -> GenerateSummary:
    """Write `<out>/<date>/<area>/` exports and manifests for every date and area."""
    known = {a.code: a for a in reference_data.areas()}
    unknown = sorted(set(area_codes) - set(known))
    if unknown:
        raise ValueError(f"unknown area codes: {', '.join(unknown)}")
    if not export_dates:
        raise ValueError("no export dates")
    if not 0.0 <= defect_rate <= 1.0:
        raise ValueError("defect_rate must be between 0 and 1")
    dates = sorted(set(export_dates))
    first, last = to_day(dates[0]), to_day(dates[-1])
    summary = GenerateSummary()
    # files are written on two threads while the main thread draws the next snapshot;
    # at most one snapshot's files are in flight, so memory stays at about two snapshots
    with ThreadPoolExecutor(max_workers=2) as pool:
        in_flight: list[tuple[Path, dict, dict[str, Future[str]], str]] = []
        for code in area_codes:
            rng = Rng(f"{seed}:{code}")
            history = build_history(rng, known[code], first, last, scale)
            for export_date in dates:
                as_of = to_day(export_date)
                folder = Path(out) / export_date.isoformat() / code
                folder.mkdir(parents=True, exist_ok=True)
                files: dict[str, dict] = {}
                manifest = {
                    "export_date": export_date.isoformat(),
                    "area_code": code,
                    "files": files,
                }
                writes = {}
                for name, snap in cut_snapshots(history, as_of).items():
                    table, misshapen, defects = inject_defects(name, snap, as_of, defect_rate, rng)
                    file_name = c.EXPORTS_BY_NAME[name].file_name
                    writes[file_name] = pool.submit(write_csv, folder / file_name, table, misshapen)
                    files[file_name] = {"rows": table.num_rows, "sha256": None}
                    summary.rows_by_file[file_name] += table.num_rows
                    summary.defects += defects
                    if name == "events":
                        summary.cases += len(snap.keys)
                in_flight.append((folder, manifest, writes, f"{export_date.isoformat()} {code}"))
                while len(in_flight) > 1:
                    _finish(*in_flight.pop(0), summary, progress)
        while in_flight:
            _finish(*in_flight.pop(0), summary, progress)
    return summary


def _finish(folder, manifest, writes, label, summary, progress) -> None:
    """Wait for one snapshot's files, then write its manifest."""
    for file_name, future in writes.items():
        manifest["files"][file_name]["sha256"] = future.result()
        summary.files_written += 1
    write_manifest(folder, manifest)
    summary.files_written += 1
    if progress:
        progress(label)
