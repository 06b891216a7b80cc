"""Great Expectations sees each distinct check row once, and none validated before.

Every expectation of a suite looks at one row of the check frame (validate.py),
so its outcome is a function of that row's content: rows with equal content get
equal findings. The content is what the suite reads and nothing else: the crn
only as its shape (letters -> A, digits -> 0), booleans DuckDB computed over the
whole snapshot (key unique, parent exists, date not after the export date), and
the few plain values the suite compares. So:

- within a night, GX validates one row per distinct content, named by the first
  line that has it, and its findings apply to every line sharing that content;
- across areas and nights (performance.md), each area's work folder keeps the
  night's distinct contents with their findings (`validated_<export>.parquet`,
  no PII: nothing there is more than the check frame already is); the writer
  merges every loaded night's into one national store (`<work root>/validated/`).
  An area takes the findings of any content in the national store, or in the
  store of an area that finished earlier the same night, instead of asking GX
  again. No content depends on the area (area_code is a flag against the
  folder). A date that moves past the export date changes its `__not_future`
  flag, and a key that becomes shared changes `key__unique`, so such a row is
  new content and goes to GX. Stores are only read under the same suite digest
  (suite JSON, frame columns and GX version); anything else starts cold.

The result equals validating every row (tests/pipelines/test_check_content.py).
Data Docs show what GX was asked: the night's new contents.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines import validate
from pipelines.contract import EXPORT_FILES, ExportFile

_LETTERS, _DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
_SHAPE = "A" * len(_LETTERS) + "0" * len(_DIGITS)
WELL_FORMED_SHAPE = "A000000"  # the shape of the contract's crn pattern, [A-Z][0-9]{6}
# a row of an export with a crn has a case_key exactly when its crn matches that pattern
# (ingest._install_case_keys), so only malformed crns need translate, which is slow
_CRN_SHAPE = (
    f"CASE WHEN row_case_key IS NOT NULL THEN '{WELL_FORMED_SHAPE}' "
    f"ELSE translate(crn, '{_LETTERS}{_DIGITS}', '{_SHAPE}') END AS crn"
)
_FINDINGS = "STRUCT(rule VARCHAR, col VARCHAR, other VARCHAR, problem VARCHAR)[]"
NATIONAL = "validated"  # the national store's folder under the work root


def store_name(export: ExportFile) -> str:
    return f"validated_{export.name}.parquet"


def _content_columns(export: ExportFile) -> list[str]:
    return validate.frame_columns(export)[1:]  # all but `line`


@cache
def suite_digest(export: ExportFile) -> str:
    """Changes with the suite, the frame's columns or the GX release: stored findings expire."""
    from importlib.metadata import version

    suite = validate.suite_path(export).read_bytes()
    columns = ",".join(_content_columns(export)).encode()
    release = version("great_expectations").encode()
    return hashlib.sha256(suite + b"\0" + columns + b"\0" + release).hexdigest()


def create(con: duckdb.DuckDBPyConnection, export: ExportFile, known: Sequence[Path]) -> int:
    """check_<export> (view: each line's content and case_key), contents_<export>, reused_<export>.

    contents_<export> holds each distinct content once with the first line that
    has it; reused_<export> the findings the stores in the `known` folders
    (known_folders) hold for some of them. Returns the number of distinct
    contents GX still has to see.
    """
    name, names = export.name, _content_columns(export)
    columns = [_CRN_SHAPE if c == "crn" else c for c in names]
    con.execute(
        f"CREATE TEMP VIEW check_{name} AS SELECT line, row_case_key, {', '.join(columns)} "
        f"FROM checked_{name}"
    )
    con.execute(
        f"CREATE TEMP TABLE contents_{name} AS SELECT {', '.join(names)}, min(line) AS first_line "
        f"FROM check_{name} GROUP BY ALL"
    )
    _create_known(con, export, [d / store_name(export) for d in known])
    con.execute(
        f"CREATE TEMP TABLE reused_{name} AS SELECT c.first_line AS line, k.findings "
        f"FROM contents_{name} AS c JOIN known_{name} AS k ON {_same_content(names, 'k', 'c')}"
    )
    ((new,),) = con.execute(
        f"SELECT count(*) FROM contents_{name} "
        f"WHERE first_line NOT IN (SELECT line FROM reused_{name})"
    ).fetchall()
    return int(new)


def _create_known(con: duckdb.DuckDBPyConnection, export: ExportFile, stores: list[Path]) -> None:
    """TEMP TABLE known_<export>: each stored content once, from the stores still on disk.

    Stores of another suite (other columns too) are read by name and dropped by
    their digest. Another area's rerun may remove its store meanwhile: then the
    stores are read one by one, skipping any that cannot be read.
    """
    names = _content_columns(export)
    con.execute(
        f"CREATE TEMP TABLE known_{export.name} AS SELECT {', '.join(names)}, "
        f"CAST([] AS {_FINDINGS}) AS findings FROM contents_{export.name} LIMIT 0"
    )
    present = [str(p) for p in stores if p.is_file()]
    select = (
        f"INSERT INTO known_{export.name} SELECT {', '.join(names)}, any_value(findings) "
        f"FROM read_parquet(?, union_by_name = true) WHERE suite = ? GROUP BY ALL"
    )
    try:
        if present:
            con.execute(select, [present, suite_digest(export)])
    except duckdb.Error:
        con.execute(f"DELETE FROM known_{export.name}")
        for store in present:
            try:
                con.execute(select, [[store], suite_digest(export)])
            except duckdb.Error:
                continue
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE known_{export.name} AS SELECT {', '.join(names)}, "
            f"any_value(findings) AS findings FROM known_{export.name} GROUP BY ALL"
        )


def _same_content(names: list[str], left: str, right: str) -> str:
    return " AND ".join(f"{left}.{c} IS NOT DISTINCT FROM {right}.{c}" for c in names)


def frame_select(export: ExportFile) -> str:
    """The check frame GX validates: each new content once, named by its first line."""
    name = export.name
    columns = ["first_line AS line"] + _content_columns(export)
    return (
        f"SELECT {', '.join(columns)} FROM contents_{name} "
        f"WHERE first_line NOT IN (SELECT line FROM reused_{name}) ORDER BY first_line"
    )


def failing_lines_select(export: ExportFile) -> str:
    """Every line (its check row) with the findings of its content (`findings`, by first line)."""
    name, names = export.name, _content_columns(export)
    return (
        f"SELECT g.*, f.rule, f.col, f.other, f.problem FROM check_{name} AS g "
        f"JOIN (contents_{name} AS c JOIN findings AS f ON f.line = c.first_line) "
        f"ON {_same_content(names, 'g', 'c')}"
    )


def reused_findings(con: duckdb.DuckDBPyConnection, export: ExportFile) -> list[validate.Finding]:
    """Stored findings of the contents seen on the earlier night, named by tonight's first line."""
    rows = con.execute(
        f"SELECT line, f.rule, f.col, f.other, f.problem FROM "
        f"(SELECT line, unnest(findings) AS f FROM reused_{export.name}) ORDER BY ALL"
    ).fetchall()
    return [validate.Finding(int(line), *rest) for line, *rest in rows]


def register_findings(con: duckdb.DuckDBPyConnection, findings: list[validate.Finding]) -> None:
    """The night's findings of one export as the view `findings` (by first line)."""
    table = pa.table(
        {
            "line": pa.array([f.line for f in findings], pa.int64()),
            "rule": pa.array([f.rule for f in findings], pa.string()),
            "col": pa.array([f.column for f in findings], pa.string()),
            "other": pa.array([f.other for f in findings], pa.string()),
            "problem": pa.array([f.problem for f in findings], pa.string()),
        }
    )
    con.register("findings", table)


def write_store(con: duckdb.DuckDBPyConnection, export: ExportFile, out_dir: Path) -> None:
    """Every distinct content of the night with its findings (from the `findings` view).

    Written under a temporary name and renamed, so another area never reads half a store.
    """
    names = _content_columns(export)
    content = ", ".join(f"c.{c}" for c in names)
    store = Path(out_dir) / store_name(export)
    partial = store.with_name(f".{store.name}.partial")
    con.execute(
        f"""COPY (SELECT {content}, ? AS suite,
        coalesce(list({{'rule': f.rule, 'col': f.col, 'other': f.other, 'problem': f.problem}}
        ORDER BY f.rule, f.col, f.other, f.problem) FILTER (WHERE f.rule IS NOT NULL), [])
        AS findings
        FROM contents_{export.name} AS c LEFT JOIN findings AS f ON f.line = c.first_line
        GROUP BY c.first_line, {content} ORDER BY c.first_line)
        TO '{partial}' (FORMAT parquet)""",
        [suite_digest(export)],
    )
    os.replace(partial, store)


def merge_national(work_root: Path, area_dirs: Sequence[Path]) -> None:
    """Add the loaded areas' stores to the national store under the work root.

    Only contents under the current suite digest are kept; the writer calls this
    after the night's load committed, so only loaded nights feed it.
    """
    national = Path(work_root) / NATIONAL
    national.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        for export in EXPORT_FILES:
            store = national / store_name(export)
            sources = [str(p) for p in [store, *(d / store_name(export) for d in area_dirs)]]
            sources = [p for p in sources if Path(p).is_file()]
            if not sources:
                continue
            names = ", ".join(_content_columns(export))
            partial = store.with_name(f".{store.name}.partial")
            con.execute(
                f"COPY (SELECT {names}, suite, any_value(findings) AS findings "
                f"FROM read_parquet(?, union_by_name = true) WHERE suite = ? "
                f"GROUP BY ALL ORDER BY ALL) "
                f"TO '{partial}' (FORMAT parquet)",
                [sources, suite_digest(export)],
            )
            os.replace(partial, store)


def known_folders(work_root: Path, night: Path) -> list[Path]:
    """Where an area of `night` (its work folder's parent) finds validated contents."""
    return [Path(work_root) / NATIONAL, *sorted(p for p in Path(night).iterdir() if p.is_dir())]
