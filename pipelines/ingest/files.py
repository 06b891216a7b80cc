"""Read an export file once: the file-level gate, then its records with their lines.

File-level defects (FileRejected) reject the whole area for the night: missing
file, empty file without a header, not UTF-8, missing or repeated required
column, manifest mismatch (rows, sha256).

Line numbers are physical lines of the CSV (header = 1; a record spanning lines
has the line it starts on), which DuckDB's reject tables do not give (they
count records). A file without quotes or blank lines whose every line has the
header's width is typed straight from DuckDB's parallel CSV reader (record n is
line n + 1); any other file is split line by line (by DuckDB without quotes, by
Python's csv module with them) so each misshapen line is named.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.contract.exports import MANIFEST_NAME, ExportFile
from pipelines.ingest import typed
from pipelines.ingest.landing import FileRejected
from pipelines.sql_files import Statements

SQL = Statements(Path(__file__).parent)
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass
class Parsed:
    """One export file read and typed: TEMP table typed_rows_<export> and raw_<export>, its
    records' text with their lines (a table, or for a plain file a view that reads it
    again: only a night with findings quotes raw values)."""

    misshapen: list[tuple[int, int]]  # (line, number of fields)
    header_width: int
    rows_in: int
    sha256: str
    extra_columns: list[str]
    plain: bool  # read by _read_plain: a typed row's line is its rowid + 2


def parse(
    con: duckdb.DuckDBPyConnection, path: Path, export: ExportFile, expected: dict[str, Any]
) -> Parsed:
    """Read the file once: checksum, UTF-8, header, records with their physical lines."""
    name = export.file_name
    if not path.is_file():
        raise FileRejected(f"{name} is missing: ask the area to resend the full export")
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    if "sha256" in expected and expected["sha256"] != sha256:
        raise FileRejected(
            f"{name}: sha256 differs from {MANIFEST_NAME} (truncated or corrupted "
            "transfer): ask the area to resend"
        )
    ascii_only = data.isascii()  # ASCII is UTF-8: only other files need the strict decode
    if not ascii_only:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise FileRejected(
                f"{name} is not valid UTF-8 (byte 0x{data[error.start]:02x} on line {line}): "
                "ask the area to re-export it as UTF-8"
            ) from None
    data = data.removeprefix(UTF8_BOM)
    unquoted = b'"' not in data and (b"\r" not in data or data.count(b"\r") == data.count(b"\r\n"))
    if unquoted:
        end = data.find(b"\n")
        first = (data if end < 0 else data[:end]).decode("utf-8")
        header = first.removesuffix("\r").split(",") if first else None
    else:
        records = _quoted_records(data.decode("utf-8"))
        header = next(records, (1, None))[1]
    if not header or not any(h.strip() for h in header):
        raise FileRejected(f"{name} is empty (no header row): ask the area to resend it")
    names = [h.strip().lower() for h in header]
    missing = [c for c in export.column_names if c not in names]
    repeated = sorted({c for c in export.column_names if names.count(c) > 1})
    if missing or repeated:
        problem = f"missing required column(s) {', '.join(missing)}" if missing else ""
        problem += "; " if missing and repeated else ""
        problem += f"column(s) {', '.join(repeated)} appear more than once" if repeated else ""
        raise FileRejected(f"{name}: {problem}: ask the area to fix the export layout")
    positions = [names.index(c) for c in export.column_names]
    selected = list(zip(export.column_names, positions, strict=True))
    misshapen: list[tuple[int, int]] = []
    is_padded = padded(data, ascii_only)
    plain = unquoted and _read_plain(con, path, data, export, selected, len(names), is_padded)
    if not plain:
        if unquoted:
            text = data.decode("utf-8")
            lines = pc.split_pattern(pa.array([text], pa.large_string()), "\n").flatten()
            misshapen = _split_lines(con, lines, export, selected, len(names))
        else:
            misshapen = _split_records(con, records, export, positions, len(names))
        typed.create_typed(con, export, f"raw_{export.name}", padded=True, lines=True)
    rows_in = typed.count_typed(con, export) + len(misshapen)
    if "rows" in expected and expected["rows"] != rows_in:
        raise FileRejected(
            f"{name} has {rows_in} rows but {MANIFEST_NAME} says {expected['rows']} "
            "(truncated transfer): ask the area to resend"
        )
    extra = [h for h in names if h and h not in export.column_names]
    return Parsed(misshapen, len(names), rows_in, sha256, extra, plain)


def padded(data: bytes, ascii_only: bool) -> bool:
    """Whether typing must trim a plain file's values (trim() was about a fifth of typing).

    In ASCII the only character trim() removes is the space, so a plain file
    with no space next to a delimiter or line end has no value to trim. (Trimming
    only values that hold a space costs more than trimming all, where free text
    has spaces.) Files read the other way are always trimmed.
    """
    if not ascii_only:
        return True
    if b" " not in data:  # one fast scan; the pairs below cost about five
        return False
    edges = (b" ,", b", ", b" \n", b"\n ", b" \r")
    return data.startswith(b" ") or data.endswith(b" ") or any(e in data for e in edges)


def _count_byte(data: bytes, byte: bytes) -> int:
    """bytes.count of a one-byte needle, in numpy: 3x faster for the frequent , and \\n."""
    return int(np.count_nonzero(np.frombuffer(data, np.uint8) == ord(byte)))


def _read_plain(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    data: bytes,
    export: ExportFile,
    selected: Sequence[tuple[str, int]],
    width: int,
    is_padded: bool,
) -> bool:
    """The common case, typed straight from DuckDB's parallel CSV reader: True if it applied.

    It applies to a file without quotes or blank lines whose every line has the
    header's number of fields (DuckDB stops at a short or long line; a long line
    it accepts, `1,2,3,` for three columns, the comma count catches; a blank line
    it skips, so the record count falls short), so record n is physical line
    n + 1: the reader and the typing keep the file's order, so a typed row's
    rowid is its line - 2. Its text is not kept (raw_<export> reads the file
    again if a night has findings to quote). Anything else goes the slower way
    that names each misshapen line.
    """
    lines = _count_byte(data, b"\n") + (0 if data.endswith(b"\n") else 1)
    if _count_byte(data, b",") != (width - 1) * lines:
        return False
    records = SQL.render("plain_records", path=str(path), selected=selected, width=width)
    try:
        typed.create_typed(con, export, f"({records})", is_padded, lines=False)
    except duckdb.Error:  # a short or long line, or anything else the reader refuses
        typed.drop_typed(con, export)
        return False
    if typed.count_typed(con, export) != lines - 1:
        typed.drop_typed(con, export)
        return False
    con.execute(SQL.render("plain_raw_view", name=export.name, records=records))
    return True


def _split_lines(
    con: duckdb.DuckDBPyConnection,
    lines: pa.Array,
    export: ExportFile,
    selected: Sequence[tuple[str, int]],
    width: int,
) -> list[tuple[int, int]]:
    """A file without quotes: one record per line, split by DuckDB rather than a Python loop."""
    table = pa.table(
        {"line": pa.array(np.arange(1, len(lines) + 1, dtype=np.int64)), "file_line": lines}
    )
    con.register("file_lines", table)
    try:
        con.execute(SQL.text("split_lines"))
    finally:
        con.unregister("file_lines")
    misshapen = con.execute(SQL.text("misshapen_lines"), [width]).fetchall()
    con.execute(SQL.render("split_raw", name=export.name, selected=selected, width=width))
    con.execute(SQL.text("drop_records"))
    return [(int(line), int(n)) for line, n in misshapen]


def _quoted_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(physical line the record starts on, its fields) by RFC 4180; blank lines are []."""
    reader = csv.reader(io.StringIO(text, newline=""))
    previous = 0
    for fields in reader:
        yield previous + 1, fields
        previous = reader.line_num


def _split_records(
    con: duckdb.DuckDBPyConnection,
    records: Iterator[tuple[int, list[str]]],
    export: ExportFile,
    positions: list[int],
    width: int,
) -> list[tuple[int, int]]:
    lines, rows, misshapen = [], [], []
    for start, fields in records:
        if not fields:
            continue
        if len(fields) != width:
            misshapen.append((start, len(fields)))
            continue
        lines.append(start)
        rows.append([fields[p] for p in positions])
    columns: list[Sequence[str]] = (
        list(zip(*rows, strict=True)) if rows else [[] for _ in positions]
    )
    raw = pa.table(
        {"line": pa.array(lines, pa.int64())}
        | {c: pa.array(v, pa.string()) for c, v in zip(export.column_names, columns, strict=True)}
    )
    con.register("quoted", raw)
    try:
        con.execute(SQL.render("quoted_raw", name=export.name))
    finally:
        con.unregister("quoted")
    return misshapen
