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
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.contract import identity
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

    misshapen: list[tuple[int, str]]  # (line, what is wrong with its fields)
    rows_in: int  # the file's own count of rows: see physical_lines
    sha256: str | None  # None: an optional file that did not land
    extra_columns: list[str]
    plain: bool  # read by _read_plain: a typed row's line is its rowid + 2


def parse(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    export: ExportFile,
    expected: dict[str, Any] | None,
) -> Parsed:
    """Read the file once: checksum, UTF-8, header, records with their physical lines.

    `expected`: the file's entry in the manifest, None when it names none.
    """
    name = export.file_name
    if not path.is_file():
        if export.optional and expected is None:
            return _parse_absent(con, export)
        raise FileRejected(f"{name} is missing: ask the area to resend the full export")
    expected = expected or {}
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
        header_end, header = next(records, (1, 1, None))[1:]
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
    width = len(names)
    misshapen: list[tuple[int, str]] = []
    is_padded = padded(data, ascii_only)
    plain_rows = (
        _read_plain(con, path, data, export, selected, width, is_padded, ascii_only)
        if unquoted
        else None
    )
    if plain_rows is not None:
        rows_in = plain_rows
    elif unquoted:
        text = data.decode("utf-8")
        split = pc.split_pattern(pa.array([text], pa.large_string()), "\n").flatten()
        misshapen = _split_lines(con, split, export, selected, width)
        rows_in = physical_lines(data).data_rows(header_end=1)
    else:
        lines = physical_lines(data)
        misshapen, covered = _split_records(con, records, export, positions, width, lines)
        if covered != lines.data_rows(header_end):
            raise FileRejected(
                f"{name}: {lines.data_rows(header_end)} non-blank lines after the header, but "
                f"the records read cover {covered}: the file is damaged in a way the reader "
                "cannot place; ask the area to re-export it"
            )
        rows_in = None  # a record of the header's width is one row, wherever it breaks lines
    if plain_rows is None:
        typed.create_typed(con, export, f"raw_{export.name}", True, True, ascii_only)
    read = typed.count_typed(con, export) + len(misshapen)
    if rows_in is None:
        rows_in = read
    elif read != rows_in:  # every row the file has is typed or quarantined
        raise FileRejected(
            f"{name}: {rows_in} rows in the file but {read} could be read as records: the "
            "file is damaged in a way the reader cannot place; ask the area to re-export it"
        )
    if rows_in and len(misshapen) == rows_in:
        line, problem = misshapen[0]
        raise FileRejected(
            f"{name}: every one of its {rows_in} rows has another number of fields than "
            f"its header's {width} (line {line} {problem.split(', the header')[0]}): the "
            "layout is broken (a trailing comma on every row?); ask the area to re-export it"
        )
    if "rows" in expected and expected["rows"] != rows_in:
        raise FileRejected(
            f"{name} has {rows_in} rows but {MANIFEST_NAME} says {expected['rows']} "
            "(truncated transfer): ask the area to resend"
        )
    extra = [shown_name(h) for h in names if h and h not in export.column_names]
    return Parsed(misshapen, rows_in, sha256, extra, plain_rows is not None)


def _parse_absent(con: duckdb.DuckDBPyConnection, export: ExportFile) -> Parsed:
    """An optional file that did not land reads as its header alone (no rows), beside the
    connection's spill files, so every later step treats it as any other file."""
    ((spill,),) = con.execute(SQL.text("temp_directory")).fetchall()
    header_only = Path(spill) / export.file_name
    header_only.parent.mkdir(parents=True, exist_ok=True)
    header_only.write_text(",".join(export.column_names) + "\n", encoding="utf-8")
    parsed = parse(con, header_only, export, {})  # the file stays: a view may read it again
    parsed.sha256 = None  # audit.runs: the file did not land
    return parsed


def shown_name(header: str) -> str:
    """An unknown column's name as a message may show it: a plain identifier as it is,
    anything else by its shape (a header cell can hold anything)."""
    return header if re.fullmatch(r"[a-z][a-z0-9_]{0,39}", header) else identity.shown(header)


@dataclass(frozen=True)
class Lines:
    """A file's physical lines, found in its bytes (independently of any CSV reader): a line
    ends at a line feed or a carriage return not followed by one, as the csv module reads
    them; a line is blank when it is empty but for a carriage return."""

    blank_before: np.ndarray  # blank_before[n]: blank lines among lines 1..n

    @property
    def count(self) -> int:
        return len(self.blank_before) - 1

    def non_blank(self, first: int, last: int) -> int:
        """Non-blank lines among lines first..last (1-based, inclusive)."""
        blank = int(self.blank_before[last] - self.blank_before[first - 1])
        return last - first + 1 - blank

    def data_rows(self, header_end: int) -> int:
        """Non-blank lines after the header, which ends on line header_end."""
        return self.non_blank(header_end + 1, self.count) if self.count > header_end else 0


def physical_lines(data: bytes) -> Lines:
    raw = np.frombuffer(data, np.uint8)
    feed = raw == 10
    lone_return = (raw == 13) & ~np.append(feed[1:], False)
    ends = np.flatnonzero(feed | lone_return)  # where each line's line end is
    if len(raw) and (not len(ends) or ends[-1] != len(raw) - 1):
        ends = np.append(ends, len(raw))  # a last line without a line end
    starts = np.concatenate(([0], ends[:-1] + 1))[: len(ends)]
    length = ends - starts
    blank = (length == 0) | ((length == 1) & (np.append(raw, 0)[starts] == 13))
    return Lines(np.concatenate(([0], np.cumsum(blank))))


def padded(data: bytes, ascii_only: bool) -> bool:
    """Whether typing must trim a plain file's values (trim() was about a fifth of typing).

    In ASCII the only character trim() removes is the space, so a plain file
    with no space next to a delimiter or line end has no value to trim; in one
    with such a space, typing trims only the values that start or end with one
    (typed_rows.sql.j2). Files read line by line count as padded, and a
    non-ASCII file trims every value.
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
    ascii_only: bool,
) -> int | None:
    """The common case, typed straight from DuckDB's parallel CSV reader: the file's rows
    (its lines but the header, counted in its bytes) if it applied, else None.

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
        return None
    records = SQL.render("plain_records", path=str(path), selected=selected, width=width)
    try:
        typed.create_typed(con, export, f"({records})", is_padded, False, ascii_only)
    except duckdb.Error:  # a short or long line, or anything else the reader refuses
        typed.drop_typed(con, export)
        return None
    if typed.count_typed(con, export) != lines - 1:
        typed.drop_typed(con, export)
        return None
    con.execute(SQL.render("plain_raw_view", name=export.name, records=records))
    return lines - 1


def _split_lines(
    con: duckdb.DuckDBPyConnection,
    lines: pa.Array,
    export: ExportFile,
    selected: Sequence[tuple[str, int]],
    width: int,
) -> list[tuple[int, str]]:
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
    return [(int(line), f"has {n} fields, the header has {width}") for line, n in misshapen]


def _quoted_records(text: str) -> Iterator[tuple[int, int, list[str]]]:
    """(first and last physical line of the record, its fields) by RFC 4180; blank lines
    are []. A field may be as long as the file (the csv module stops at 128 KiB)."""
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""))
    previous = 0
    for fields in reader:
        yield previous + 1, reader.line_num, fields
        previous = reader.line_num


def _split_records(
    con: duckdb.DuckDBPyConnection,
    records: Iterator[tuple[int, int, list[str]]],
    export: ExportFile,
    positions: list[int],
    width: int,
    lines: Lines,
) -> tuple[list[tuple[int, str]], int]:
    """A file with quotes, by the csv module: (misshapen lines, non-blank lines the records
    cover, which must be every non-blank line after the header).

    A record of the header's width is one row wherever its quoted fields break
    lines. A misshapen record that spans lines (a quote left open swallows the
    lines after it) is not one row: each non-blank line of it is quarantined, so
    no line of the file goes uncounted.
    """
    rows, kept_lines, misshapen = [], [], []
    covered = 0
    for start, end, fields in records:
        if not fields:
            continue
        covered += lines.non_blank(start, end)
        if len(fields) == width:
            kept_lines.append(start)
            rows.append([fields[p] for p in positions])
        elif start == end:
            misshapen.append((start, f"has {len(fields)} fields, the header has {width}"))
        else:
            problem = (
                f"is inside lines {start}-{end}, read as one record of {len(fields)} fields "
                f"(a quote left open?), the header has {width}"
            )
            misshapen += [(n, problem) for n in range(start, end + 1) if lines.non_blank(n, n)]
    columns: list[Sequence[str]] = (
        list(zip(*rows, strict=True)) if rows else [[] for _ in positions]
    )
    raw = pa.table(
        {"line": pa.array(kept_lines, pa.int64())}
        | {c: pa.array(v, pa.string()) for c, v in zip(export.column_names, columns, strict=True)}
    )
    con.register("quoted", raw)
    try:
        con.execute(SQL.render("quoted_raw", name=export.name))
    finally:
        con.unregister("quoted")
    return misshapen, covered
