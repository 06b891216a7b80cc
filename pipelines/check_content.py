"""Great Expectations sees each distinct check row once, and never one it saw last night.

Every expectation of a suite looks at one row of the check frame (validate.py),
so its outcome is a function of that row's content: rows with equal content get
equal findings. The content is what the suite reads and nothing else: the crn
only as its shape (letters -> A, digits -> 0), booleans DuckDB computed over the
whole snapshot (key unique, parent exists, date not after the export date), and
the few plain values the suite compares. So:

- within a night, GX validates one row per distinct content, named by the first
  line that has it, and its findings apply to every line sharing that content;
- across nights (performance.md), each area's work folder keeps the night's
  distinct contents with their findings (`validated_<export>.parquet`, no PII:
  nothing there is more than the check frame already is), and the next night
  takes the findings of any content seen before instead of asking GX again.
  A date that moves past the export date changes its `__not_future` flag, and a
  key that becomes shared changes `key__unique`, so such a row is new content
  and goes to GX. The store is only read under the same suite digest (suite
  JSON, frame columns and GX version); anything else starts cold.

The result equals validating every row (tests/pipelines/test_check_content.py).
Data Docs show what GX was asked: the night's new contents.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines import validate
from pipelines.contract import ExportFile

_LETTERS, _DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
_SHAPE = "A" * len(_LETTERS) + "0" * len(_DIGITS)


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


def create(con: duckdb.DuckDBPyConnection, export: ExportFile, known: Path | None) -> int:
    """TEMP tables check_<export> (content and first line per line) and its reused findings.

    `known` is an earlier night's work folder of the same area. Returns the
    number of distinct contents GX still has to see.
    """
    name = export.name
    columns = [
        f"translate(crn, '{_LETTERS}{_DIGITS}', '{_SHAPE}') AS crn" if c == "crn" else c
        for c in _content_columns(export)
    ]
    con.execute(
        f"CREATE TEMP TABLE check_{name} AS SELECT *, min(line) OVER (PARTITION BY "
        f"{', '.join(_content_columns(export))}) AS first_line "
        f"FROM (SELECT line, {', '.join(columns)} FROM checked_{name})"
    )
    stored = known / store_name(export) if known else None
    source = f"read_parquet('{stored}')" if stored and stored.is_file() else None
    if source is None:
        con.execute(
            f"CREATE TEMP TABLE reused_{name} (line BIGINT, "
            "findings STRUCT(rule VARCHAR, col VARCHAR, other VARCHAR, problem VARCHAR)[])"
        )
    else:
        on = " AND ".join(f"k.{c} IS NOT DISTINCT FROM c.{c}" for c in _content_columns(export))
        con.execute(
            f"CREATE TEMP TABLE reused_{name} AS SELECT c.line, k.findings "
            f"FROM check_{name} AS c JOIN {source} AS k ON {on} "
            f"WHERE c.line = c.first_line AND k.suite = ?",
            [suite_digest(export)],
        )
    ((new,),) = con.execute(
        f"SELECT count(*) FROM check_{name} WHERE line = first_line "
        f"AND line NOT IN (SELECT line FROM reused_{name})"
    ).fetchall()
    return int(new)


def frame_select(export: ExportFile) -> str:
    """The check frame GX validates: each new content once, named by its first line."""
    name = export.name
    return (
        f"SELECT {', '.join(validate.frame_columns(export))} FROM check_{name} "
        f"WHERE line = first_line AND line NOT IN (SELECT line FROM reused_{name}) ORDER BY line"
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
    """Every distinct content of the night with its findings (from the `findings` view)."""
    names = _content_columns(export)
    content = ", ".join(f"c.{c}" for c in names)
    con.execute(
        f"""COPY (SELECT {content}, ? AS suite,
        coalesce(list({{'rule': f.rule, 'col': f.col, 'other': f.other, 'problem': f.problem}}
        ORDER BY f.rule, f.col, f.other, f.problem) FILTER (WHERE f.rule IS NOT NULL), [])
        AS findings
        FROM check_{export.name} AS c LEFT JOIN findings AS f ON f.line = c.line
        WHERE c.line = c.first_line GROUP BY c.line, {content} ORDER BY c.line)
        TO '{Path(out_dir) / store_name(export)}' (FORMAT parquet)""",
        [suite_digest(export)],
    )
