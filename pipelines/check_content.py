"""Great Expectations sees each distinct value it checks once, and none validated before.

Every expectation of a suite looks at one row of the check frame (validate.py)
and only at the columns it names (its column, and those of its row condition),
so its outcome on a line is a function of those values alone. The check frame
holds what the suite reads and nothing else: the crn only as its shape (letters
-> A, digits -> 0), booleans DuckDB computed over the whole snapshot (key
unique, parent exists, date not after the export date), and the few plain
values the suite compares. Columns read together by some expectation form a
component (release_date__valid with sentence_type, say; most columns stand
alone), and a line's findings are the findings of its value in each component.
So:

- within a night, GX validates each distinct value of each component once
  (a few hundred per export, where distinct whole rows run to thousands, since
  independent columns multiply): the frame's row i carries the i-th new value of
  every component, repeating a component's values when it has fewer, and its
  `line` is that frame row, not a CSV line;
- across areas and nights (performance.md), each area's work folder keeps, for
  each export where GX saw new values, the night's component values with their
  findings (`validated_<export>.parquet`, no PII: nothing there is more than the
  check frame already is); an export without new values took every value from
  stores already written, so it writes none, and later areas read a few stores,
  not one per area (about 5 s of a national night). The writer merges every
  loaded night's stores into one national store (`<work root>/validated/`).
  An area takes the findings of any value in the national store, or in the
  store of an area that finished earlier the same night, instead of asking GX
  again. No value depends on the area (area_code is a flag against the folder).
  A date that the export date passes changes its `__not_future` flag, and a
  key that becomes shared changes `key__unique`, so such a line takes the
  findings of its new value. Stores are only read under the same suite digest (suite JSON, frame
  columns, store layout and GX version); anything else starts cold.

The result equals validating every row (tests/pipelines/test_check_content.py).
Data Docs show what GX was asked: the night's new values.
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
def components(export: ExportFile) -> dict[str, tuple[str, ...]]:
    """{name: columns}: the frame's columns grouped so no expectation reads two groups.

    A column joins the group of every other column an expectation reads with it
    (union-find over the suite); the name is the group's columns, comma-joined.
    """
    group = {c: c for c in _content_columns(export)}

    def root(column: str) -> str:
        while group[column] != column:
            column = group[column]
        return column

    for read in validate.expectation_columns(export):
        for other in read[1:]:
            group[root(other)] = root(read[0])
    members: dict[str, list[str]] = {}
    for column in _content_columns(export):
        members.setdefault(root(column), []).append(column)
    return {",".join(columns): tuple(columns) for columns in members.values()}


def _component_of(export: ExportFile, column: str) -> str:
    return next(name for name, columns in components(export).items() if column in columns)


@cache
def suite_digest(export: ExportFile) -> str:
    """Changes with the suite, the frame's columns, the store layout or the GX release."""
    from importlib.metadata import version

    suite = validate.suite_path(export).read_bytes()
    columns = ",".join(_content_columns(export)).encode()
    layout = "|".join(components(export)).encode()
    release = version("great_expectations").encode()
    return hashlib.sha256(b"\0".join([suite, columns, layout, release])).hexdigest()


def create(con: duckdb.DuckDBPyConnection, export: ExportFile, known: Sequence[Path]) -> int:
    """check_<export> (view: each line's values and case_key), contents_<export>, pool_<export>.

    contents_<export> holds each component's distinct values once (other
    columns NULL) with the first line that has it, and the findings the stores
    in the `known` folders (known_folders) hold for it, if any; pool_<export>
    the values GX still has to see, numbered per component. Returns their number.
    """
    name, names = export.name, _content_columns(export)
    columns = [_CRN_SHAPE if c == "crn" else c for c in names]
    con.execute(
        f"CREATE TEMP VIEW check_{name} AS SELECT line, row_case_key, {', '.join(columns)} "
        f"FROM checked_{name}"
    )
    groups = components(export)
    which = " ".join(
        f"WHEN {_grouping_mask(names, members)} THEN '{group}'" for group, members in groups.items()
    )
    sets = ", ".join(f"({', '.join(members)})" for members in groups.values())
    _create_known(con, export, [d / store_name(export) for d in known])
    # whole rows first, then the components over those few thousand: a bit cheaper than
    # every grouping set over every line
    con.execute(
        f"""CREATE TEMP TABLE contents_{name} AS SELECT c.*, k.findings FROM
        (SELECT CASE GROUPING({", ".join(names)}) {which} END AS component, {", ".join(names)},
        min(first_line) AS first_line FROM
        (SELECT {", ".join(names)}, min(line) AS first_line FROM check_{name} GROUP BY ALL)
        GROUP BY GROUPING SETS ({sets})) AS c
        LEFT JOIN known_{name} AS k ON k.component = c.component
        AND {_same_content(names, "k", "c")}"""
    )
    con.execute(
        f"CREATE TEMP TABLE pool_{name} AS SELECT *, row_number() OVER w - 1 AS idx, "
        f"count(*) OVER w AS size FROM contents_{name} WHERE findings IS NULL "
        "WINDOW w AS (PARTITION BY component ORDER BY first_line "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
    )
    ((new,),) = con.execute(f"SELECT count(*) FROM pool_{name}").fetchall()
    if new:  # every component fills the frame: with a value of tonight GX need not report
        con.execute(
            f"INSERT INTO pool_{name} SELECT *, 0, 1 FROM contents_{name} "
            f"WHERE component NOT IN (SELECT component FROM pool_{name}) "
            "QUALIFY row_number() OVER (PARTITION BY component ORDER BY first_line) = 1"
        )
    return int(new)


def _grouping_mask(names: list[str], members: Sequence[str]) -> int:
    """GROUPING(names...) of the grouping set `members`: a bit per column left out, first
    column the highest bit."""
    return sum(1 << (len(names) - 1 - i) for i, c in enumerate(names) if c not in members)


def _create_known(con: duckdb.DuckDBPyConnection, export: ExportFile, stores: list[Path]) -> None:
    """TEMP TABLE known_<export>: each stored component value once, from the stores on disk.

    Stores of another suite (other columns too) are read by name and dropped by
    their digest. Another area's rerun may remove its store meanwhile: then the
    stores are read one by one, skipping any that cannot be read.
    """
    names = ", ".join(["component", *_content_columns(export)])
    con.execute(
        f"CREATE TEMP TABLE known_{export.name} AS SELECT {names}, "
        f"CAST([] AS {_FINDINGS}) AS findings FROM check_{export.name}, "
        "(SELECT '' AS component) LIMIT 0"
    )
    present = [str(p) for p in stores if p.is_file()]
    select = (
        f"INSERT INTO known_{export.name} SELECT {names}, any_value(findings) "
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
            f"CREATE OR REPLACE TEMP TABLE known_{export.name} AS SELECT {names}, "
            f"any_value(findings) AS findings FROM known_{export.name} GROUP BY ALL"
        )


def _same_content(names: Sequence[str], left: str, right: str) -> str:
    return " AND ".join(f"{left}.{c} IS NOT DISTINCT FROM {right}.{c}" for c in names)


def frame_select(export: ExportFile) -> str:
    """The check frame GX validates: row i holds each component's i-th new value.

    A component with fewer new values repeats them; one with none holds a value
    of tonight whose findings are known. Without new values the frame is empty.
    """
    name, pools = export.name, []
    for number, group in enumerate(components(export)):
        pools.append(
            f"JOIN pool_{name} AS p{number} ON p{number}.component = '{group}' "
            f"AND p{number}.idx = r.idx % p{number}.size"
        )
    alias = {c: f"p{n}" for n, m in enumerate(components(export).values()) for c in m}
    columns = [f"{alias[c]}.{c}" for c in _content_columns(export)]
    return (
        f"SELECT r.idx + 1 AS line, {', '.join(columns)} FROM "
        f"(SELECT DISTINCT idx FROM pool_{name}) AS r {' '.join(pools)} ORDER BY line"
    )


def record_findings(
    con: duckdb.DuckDBPyConnection, export: ExportFile, found: list[validate.Finding]
) -> None:
    """Give each new value GX's findings (found: by frame row) in contents_<export>."""
    name = export.name
    component = " ".join(
        f"WHEN '{c}' THEN '{_component_of(export, c)}'" for c in _content_columns(export)
    )
    table = pa.table(
        {
            "row": pa.array([f.line for f in found], pa.int64()),
            "checked": pa.array([f.checked for f in found], pa.string()),
            "rule": pa.array([f.rule for f in found], pa.string()),
            "col": pa.array([f.column for f in found], pa.string()),
            "other": pa.array([f.other for f in found], pa.string()),
            "problem": pa.array([f.problem for f in found], pa.string()),
        }
    )
    con.register("found", table)
    con.execute(
        f"""UPDATE contents_{name} AS c SET findings = n.findings FROM
        (SELECT p.component, p.first_line, coalesce(list(DISTINCT
        {{'rule': f.rule, 'col': f.col, 'other': f.other, 'problem': f.problem}})
        FILTER (WHERE f.rule IS NOT NULL), []) AS findings
        FROM pool_{name} AS p LEFT JOIN found AS f
        ON (CASE f.checked {component} END) = p.component AND (f.row - 1) % p.size = p.idx
        WHERE p.findings IS NULL GROUP BY p.component, p.first_line) AS n
        WHERE c.component = n.component AND c.first_line = n.first_line"""
    )
    con.unregister("found")


def failing_components(con: duckdb.DuckDBPyConnection, export: ExportFile) -> list[str]:
    """The components some value of which has findings tonight."""
    return [
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT component FROM contents_{export.name} WHERE len(findings) > 0 "
            "ORDER BY 1"
        ).fetchall()
    ]


def failing_lines_select(export: ExportFile, failing: Sequence[str]) -> str:
    """Every line (its check row) with each finding of its values in the `failing` components."""
    name, joins, lists = export.name, [], []
    for number, group in enumerate(failing):
        members = components(export)[group]
        joins.append(
            f"LEFT JOIN (SELECT * FROM contents_{name} WHERE component = '{group}' "
            f"AND len(findings) > 0) AS f{number} ON {_same_content(members, f'f{number}', 'g')}"
        )
        lists.append(f"f{number}.findings")
    return (
        f"SELECT * EXCLUDE (finding), finding.* FROM "
        f"(SELECT g.*, unnest(flatten([{', '.join(lists)}])) AS finding "
        f"FROM check_{name} AS g {' '.join(joins)} "
        f"WHERE {' OR '.join(f'{f} IS NOT NULL' for f in lists)})"
    )


def write_store(con: duckdb.DuckDBPyConnection, export: ExportFile, out_dir: Path) -> None:
    """Every component value of the night with its findings.

    Written under a temporary name and renamed, so another area never reads half a store.
    """
    names = ", ".join(["component", *_content_columns(export)])
    store = Path(out_dir) / store_name(export)
    partial = store.with_name(f".{store.name}.partial")
    con.execute(
        f"""COPY (SELECT {names}, ? AS suite, list_sort(findings) AS findings
        FROM contents_{export.name} ORDER BY component, first_line)
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
            names = ", ".join(["component", *_content_columns(export)])
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
