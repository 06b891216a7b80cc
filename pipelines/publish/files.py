"""The public files of a night: `<publish>/<as_of>/` scorecard.csv, benchmark.csv,
data_quality.csv, report.html and the Data Docs site.

Publishing only reads the warehouse. Every score goes through the disclosure
rule (publish/disclosure.py); files are written atomically and formatted
identically on every run, so a rerun gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from pipelines import storage
from pipelines.publish import disclosure, report, tables
from pipelines.warehouse.connection import reading

SCORECARD_COLUMNS = (
    "as_of_date",
    "area_code",
    "area_name",
    "region",
    "scope",
    "criterion_id",
    "question_id",
    "met",
    "evaluated",
    "pct",
    "ci_low",
    "ci_high",
    "band",
    "suppressed",
    "rulebook_version",
)
BENCHMARK_COLUMNS = (
    "as_of_date",
    "scope",
    "criterion_id",
    "question_id",
    "area_code",
    "region",
    "pct",
    "region_pct",
    "national_pct",
    "rank_in_region",
    "rank_national",
    "diff_region_pts",
    "diff_national_pts",
    "flag",
    "composite_score",
    "composite_rank",
    "suppressed",
    "rulebook_version",
)
DATA_QUALITY_COLUMNS = (
    "as_of_date",
    "area_code",
    "area_name",
    "region",
    "scope",
    "rows_quarantined",
    "cases_touched",
    "cases_scored",
    "scored_cases_touched",
)
INTEGER_FIELDS = frozenset(
    {"met", "evaluated", "rank_in_region", "rank_national", "composite_rank"}
)


def _cell(column: str, value: object) -> str:
    """One CSV cell, the same text on every run: counts and ranks whole, scores to 0.1."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if column in INTEGER_FIELDS:
        return str(int(value))  # type: ignore[call-overload]
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv(frame: pd.DataFrame, columns: Sequence[str], path: Path) -> Path:
    """Write atomically, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in frame[list(columns)].itertuples(index=False, name=None):
            writer.writerow([_cell(c, v) for c, v in zip(columns, row, strict=True)])
    os.replace(partial, path)
    return path


def publish_night(
    warehouse_path: Path, as_of: dt.date, night: Path, scope: str = "census"
) -> dict[str, Path]:
    """Write the night's CSV files and report into its publish folder, the warehouse read-only."""
    with reading(warehouse_path) as con:
        return write_night(con, as_of, night, scope)


def write_night(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, night: Path, scope: str = "census"
) -> dict[str, Path]:
    """The night's CSV files and report, from a connection to the warehouse."""
    public = disclosure.public_night(con, as_of, scope)
    quality = tables.data_quality(con, as_of, scope)
    return {
        "scorecard": write_csv(public.scorecard, SCORECARD_COLUMNS, night / "scorecard.csv"),
        "benchmark": write_csv(public.benchmark, BENCHMARK_COLUMNS, night / "benchmark.csv"),
        "data_quality": write_csv(quality, DATA_QUALITY_COLUMNS, night / "data_quality.csv"),
        "report": report.build_report(con, as_of, night / "report.html", night=public),
    }


def publish_benchmark(
    warehouse_path: Path, as_of: dt.date, night: Path, scope: str = "census"
) -> dict[str, Path]:
    """benchmark.csv and the report of a night again, after its benchmark was rebuilt."""
    with reading(warehouse_path) as con:
        public = disclosure.public_night(con, as_of, scope)
        return {
            "benchmark": write_csv(public.benchmark, BENCHMARK_COLUMNS, night / "benchmark.csv"),
            "report": report.build_report(con, as_of, night / "report.html", night=public),
        }


def move(path: Path, night: Path) -> Path:
    """A file rendered aside, moved into the night's publish folder: a rename, so atomic,
    where the aside folder is beside that folder (a local publish folder)."""
    return Path(shutil.move(path, night / path.name))


def publish_site(site: Path, night: Path) -> Path:
    """A built Data Docs site copied into the night's publish folder; its index.html."""
    target = night / "data_docs"
    storage.copy_folder(site, target)
    return target / "index.html"
