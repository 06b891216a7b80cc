"""Values validated before tonight, so Great Expectations sees each value once.

A line's findings are a function of its check-frame values in each component
(pipelines/validate/contents.py), so a value's findings, once known, hold for
every line, area and night under the same suite digest (suites.suite_digest).
Two stores under `<work root>/validated/` hold them, and an area's ingest only
reads them:

- `<export>.domain.parquet`, built from the contract alone (`ensure_domain`):
  every value of each component that the contract can name (each code, Y/N,
  flag and blank; integers in their range), validated by GX once per suite
  version. A clean export finds all its values here.
- `<export>.known.parquet`, the cross-night store: values some area's GX
  validated on an earlier committed night (an unknown code's shape, say). An
  area writes the values its GX validated into its own work folder
  (`validated_<export>.parquet`); only the writer step adds them here
  (`merge`), after the night commits.

So an area's ingest reads its own landing folder and state committed before the
night began, never another area's output of the same night. Store files are
written under a temporary name and renamed; one written under another digest is
ignored, and one that cannot be read is skipped (its values go to GX again).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from pipelines.contract.exports import CRN, LANDED_FILES, ExportFile
from pipelines.sql_files import Statements, literal
from pipelines.validate import contents, gx
from pipelines.validate.suites import components, content_columns, suite_digest

SQL = Statements(Path(__file__).parent)
STORE_FOLDER = "validated"
# an integer with no maximum names this many values from its minimum (event numbers)
OPEN_RANGE_VALUES = 20


def store_dir(work_root: Path) -> Path:
    return Path(work_root) / STORE_FOLDER


def domain_path(stores: Path, export: ExportFile) -> Path:
    return Path(stores) / f"{export.name}.domain.parquet"


def known_path(stores: Path, export: ExportFile) -> Path:
    return Path(stores) / f"{export.name}.known.parquet"


def store_names() -> list[str]:
    """The file names of both stores, every export: what an area's ingest reads."""
    return [p(Path(), e).name for e in LANDED_FILES for p in (domain_path, known_path)]


def area_store_name(export: ExportFile) -> str:
    return f"validated_{export.name}.parquet"


def column_domain(export: ExportFile, name: str) -> tuple[str, list[Any]]:
    """(SQL type, values) a check-frame column can hold in a well-formed export."""
    if name.endswith("__unknown"):
        return "VARCHAR", [None]
    if "__" in name:  # every other derived column is a flag (validate/frame.py)
        return "BOOLEAN", [True, False, None]
    if name == CRN.name:
        return "VARCHAR", [contents.WELL_FORMED_SHAPE, None]
    column = export.column(name)
    sql_type = "BIGINT" if column.kind == "int" else "VARCHAR"
    if column.codes is not None:
        return sql_type, [*column.codes, None]
    if column.kind == "int" and column.minimum is not None:
        last = column.maximum if column.maximum is not None else column.minimum + OPEN_RANGE_VALUES
        return sql_type, [*range(column.minimum, last + 1), None]
    raise ValueError(f"{export.name}.{name}: no domain for a check-frame column")


def _sql_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return literal(value)


def _is_current(path: Path, export: ExportFile) -> bool:
    if not path.is_file():
        return False
    with duckdb.connect() as con:
        try:
            rows = con.execute(SQL.text("store_suite"), [str(path)]).fetchall()
        except duckdb.Error:
            return False
    return rows == [(suite_digest(export),)]


def ensure_domain(stores: Path) -> list[str]:
    """Build the domain store of every export whose suite changed; the exports built."""
    stale = [e for e in LANDED_FILES if not _is_current(domain_path(stores, e), e)]
    if not stale:
        return []
    Path(stores).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gx-domain-") as scratch, duckdb.connect() as con:
        context = gx.open_context(Path(scratch), fresh=True)
        for export in stale:
            names = content_columns(export)
            domains = {c: column_domain(export, c) for c in names}
            con.execute(
                SQL.render(
                    "domain_values",
                    name=export.name,
                    names=names,
                    components=list(components(export).items()),
                    types={c: t for c, (t, _) in domains.items()},
                    values={
                        c: "[" + ", ".join(map(_sql_value, v)) + "]"
                        for c, (_, v) in domains.items()
                    },
                    findings_type=contents.FINDINGS_TYPE,
                )
            )
            contents.create_pool(con, export)
            contents.validate_pool(con, export, context, "contract")
            _write(con, export, domain_path(stores, export), None)
    return [e.name for e in stale]


def read_known(con: duckdb.DuckDBPyConnection, export: ExportFile, stores: Path | None) -> None:
    """TEMP TABLE known_<export>: each stored value once, from the domain and known stores.

    A store of another suite (other columns too) is read by name and dropped by
    its digest. If a store cannot be read, they are read one by one, skipping it.
    """
    columns = ["component", *content_columns(export)]
    template = {"name": export.name, "columns": columns}
    con.execute(SQL.render("known_empty", findings_type=contents.FINDINGS_TYPE, **template))
    if stores is None:
        return
    present = [str(p) for p in (domain_path(stores, export), known_path(stores, export))]
    present = [p for p in present if Path(p).is_file()]
    insert = SQL.render("known_insert", **template)
    try:
        if present:
            con.execute(insert, [present, suite_digest(export)])
    except duckdb.Error:
        con.execute(SQL.render("known_clear", **template))
        for store in present:
            try:
                con.execute(insert, [[store], suite_digest(export)])
            except duckdb.Error:
                continue
        con.execute(SQL.render("known_dedupe", **template))


def write_area_store(
    con: duckdb.DuckDBPyConnection, export: ExportFile, out_dir: Path, as_of: dt.date
) -> None:
    """The values this area's GX validated tonight, for the writer step to merge."""
    _write(con, export, Path(out_dir) / area_store_name(export), as_of)


def _write(
    con: duckdb.DuckDBPyConnection, export: ExportFile, store: Path, as_of: dt.date | None
) -> None:
    partial = store.with_name(f".{store.name}.partial")
    columns = [f"c.{c}" for c in ["component", *content_columns(export)]]
    statement = SQL.render("write_store", name=export.name, columns=columns, path=str(partial))
    con.execute(statement, [suite_digest(export), as_of])
    os.replace(partial, store)


def merge(stores: Path, area_dirs: Sequence[Path]) -> None:
    """Add the loaded areas' validated values to the cross-night store.

    Only the writer step calls this, after the night's load committed, so only
    committed nights feed it; values of another suite digest are dropped.
    """
    Path(stores).mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        for export in LANDED_FILES:
            store = known_path(stores, export)
            sources = [store, *(Path(d) / area_store_name(export) for d in area_dirs)]
            present = [str(p) for p in sources if p.is_file()]
            if not present:
                continue
            partial = store.with_name(f".{store.name}.partial")
            columns = ["component", *content_columns(export)]
            statement = SQL.render("merge_store", columns=columns, path=str(partial))
            con.execute(statement, [present, suite_digest(export)])
            os.replace(partial, store)
