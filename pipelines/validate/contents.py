"""Great Expectations sees each distinct value it checks once, and none validated before.

Every expectation of a suite looks at one row of the check frame
(pipelines/validate/frame.py) and only at the columns it names (its column, and
those of its row condition), so its outcome on a line is a function of those
values alone. The check frame holds what the suite reads and nothing else: the
crn only as its shape (letters -> A, digits -> 0), booleans DuckDB computed over
the whole snapshot (key unique, parent exists, date not after the export date),
and the few plain values the suite compares, a code only when it is in its list
(otherwise its shape): a shifted field never carries a value into GX's results.
Columns read together by some expectation form a component (suites.components:
release_date__valid with sentence_type, say; most columns stand alone), and a
line's findings are the findings of its value in each component. So, on an area's DuckDB connection:

- contents_<export> holds each component's distinct values once, with the
  findings the stores give (pipelines/validate/known_values.py);
- pool_<export> the values still unknown; GX validates them in one frame whose
  row i carries the i-th unknown value of every component (a component with
  fewer repeats them), so the frame's `line` is its row, not a CSV line;
- findings fan out to every line with that value (failing_lines_select).

The result equals validating every row (tests/validate/test_contents.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from pipelines.contract.exports import ExportFile
from pipelines.sql_files import Statements
from pipelines.validate import gx
from pipelines.validate.suites import component_of, components, content_columns

SQL = Statements(Path(__file__).parent)
FINDINGS_TYPE = "STRUCT(rule VARCHAR, col VARCHAR, other VARCHAR, problem VARCHAR)[]"


def _grouping_mask(names: Sequence[str], members: Sequence[str]) -> int:
    """GROUPING(names...) of the grouping set `members`: a bit per column left out, first
    column the highest bit."""
    return sum(1 << (len(names) - 1 - i) for i, c in enumerate(names) if c not in members)


WELL_FORMED_SHAPE = "A000000"  # the shape of the contract's crn pattern, [A-Z][0-9]{6}


def install_shape(con: duckdb.DuckDBPyConnection) -> None:
    """The macro value_shape(v), which the check frame and the quarantine details use."""
    con.execute(SQL.text("shape_macro"))


def create_check_view(con: duckdb.DuckDBPyConnection, export: ExportFile) -> None:
    """check_<export>: each line's check-frame values and case_key, over checked_<export>."""
    names = content_columns(export)
    coded = {
        c.name: c.codes
        for c in export.columns
        if c.name in names and c.codes is not None and c.kind in ("text", "yn")
    }
    con.execute(
        SQL.render(
            "check_view", name=export.name, names=names, coded=coded, well_formed=WELL_FORMED_SHAPE
        )
    )


def create(con: duckdb.DuckDBPyConnection, export: ExportFile) -> int:
    """contents_<export> and pool_<export> of check_<export>.

    known_<export> must exist (known_values.read_known). Returns the number of
    values GX has still to see.
    """
    name, names = export.name, content_columns(export)
    groups = components(export)
    con.execute(
        SQL.render(
            "contents",
            name=name,
            names=names,
            masks=[(_grouping_mask(names, m), g) for g, m in groups.items()],
            sets=["(" + ", ".join(m) + ")" for m in groups.values()],
        )
    )
    return create_pool(con, export)


def create_pool(con: duckdb.DuckDBPyConnection, export: ExportFile) -> int:
    """pool_<export> from contents_<export>: the values without findings, numbered."""
    con.execute(SQL.render("pool", name=export.name))
    ((new,),) = con.execute(SQL.render("pool_count", name=export.name)).fetchall()
    if new:
        con.execute(SQL.render("pool_fill", name=export.name))
    return int(new)


def frame_select(export: ExportFile) -> str:
    """The check frame GX validates: row i holds each component's i-th new value.

    A component with fewer new values repeats them; one with none holds a value
    of tonight whose findings are known. Without new values the frame is empty.
    """
    groups = list(components(export))
    alias = {c: f"p{n}" for n, m in enumerate(components(export).values()) for c in m}
    columns = [f"{alias[c]}.{c}" for c in content_columns(export)]
    return SQL.render("frame", name=export.name, groups=groups, columns=columns)


def validate_pool(
    con: duckdb.DuckDBPyConnection, export: ExportFile, context, run_name: str
) -> None:
    """GX on the pool's frame; each new value takes its findings in contents_<export>."""
    frame = con.sql(frame_select(export)).arrow().read_all()
    found = gx.validate_frame(context, export, to_pandas(frame), run_name)
    record_findings(con, export, found)


def to_pandas(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def record_findings(
    con: duckdb.DuckDBPyConnection, export: ExportFile, found: list[gx.Finding]
) -> None:
    """Give each new value GX's findings (found: by frame row) in contents_<export>."""
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
    owner = [(c, component_of(export, c)) for c in content_columns(export)]
    con.register("found", table)
    try:
        con.execute(SQL.render("record_findings", name=export.name, component_of=owner))
    finally:
        con.unregister("found")


def failing_components(con: duckdb.DuckDBPyConnection, export: ExportFile) -> list[str]:
    """The components some value of which has findings tonight."""
    rows = con.execute(SQL.render("failing_components", name=export.name)).fetchall()
    return [row[0] for row in rows]


def failing_lines_select(export: ExportFile, failing: Sequence[str]) -> str:
    """Every line (its check row) with each finding of its values in the `failing` components."""
    members = [(group, components(export)[group]) for group in failing]
    return SQL.render("failing_lines", name=export.name, failing=members)
