"""The spec's shape with nothing else: what any design of that shape pays before it validates.

The design (spec README) is per-area ingest writing its own Parquet, then one
writer loading the night into the warehouse. This does only that, on the same
files: each area's exports read by DuckDB and cast to the staging types
(TRY_CAST, no checks, no quarantine, the crn kept as it is instead of hashed),
written to Parquet by two processes of one DuckDB thread each (as `caseaudit
run` ingests), then every area's Parquet inserted into the staging tables of a fresh
warehouse (pipelines/warehouse/schema.py) in one transaction, as the writer
(pipelines/warehouse/writer.py) does. Timed by benchmarks/run.py like any other command:

    python -m benchmarks.shape areas NIGHT_DIR OUT_DIR  (NIGHT_DIR named by its export date)
    python -m benchmarks.shape writer OUT_DIR
"""

from __future__ import annotations

import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb

from pipelines.contract.exports import EXPORT_FILES
from pipelines.warehouse import schema

WORKERS = 2


def _cast(name: str, sql_type: str) -> str:
    source = "crn" if name == "case_key" else name
    if sql_type.endswith("[]"):
        return f"string_split({source}, '|') AS {name}"
    return f"TRY_CAST({source} AS {sql_type}) AS {name}"


def area_parquet(area_dir: Path, out_dir: Path) -> None:
    """One area's exports, typed, each to its own Parquet file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(config={"threads": 1}) as con:
        for export in EXPORT_FILES:
            columns = ", ".join(f"'{c.name}': 'VARCHAR'" for c in export.columns)
            typed = ", ".join(_cast(n, t) for n, t in export.staging_columns)
            con.execute(
                f"COPY (SELECT DATE '{area_dir.parent.name}' AS as_of_date, "
                f"'{area_dir.name}' AS area_code, {typed} FROM read_csv(?, "
                f"header = true, auto_detect = false, columns = {{{columns}}})) "
                f"TO '{out_dir / export.name}.parquet' (FORMAT parquet)",
                [str(area_dir / export.file_name)],
            )


def areas(night: Path, out: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
    dirs = sorted(
        (d for d in night.iterdir() if d.is_dir()),
        key=lambda d: -sum(f.stat().st_size for f in d.iterdir()),  # largest first, as ingest
    )
    with ProcessPoolExecutor(WORKERS) as pool:
        list(pool.map(area_parquet, dirs, [out / d.name for d in dirs]))


def writer(out: Path) -> None:
    warehouse = out / "shape.duckdb"
    warehouse.unlink(missing_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("BEGIN")
        for statement in schema.statements():
            con.execute(statement)
        for export in EXPORT_FILES:
            con.execute(
                f"INSERT INTO staging.{export.name} BY NAME SELECT * FROM read_parquet(?)",
                [str(out / "*" / f"{export.name}.parquet")],
            )
        con.execute("COMMIT")


if __name__ == "__main__":
    command, *paths = sys.argv[1:]
    if command == "areas":
        areas(Path(paths[0]), Path(paths[1]))
    else:
        writer(Path(paths[0]))
