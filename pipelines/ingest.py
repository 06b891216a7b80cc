"""Ingest one area's night of exports: file-level gate, typing, validation, Parquet out.

Ingest runs per area (in parallel under Airflow) and never touches the
warehouse: it writes `<export>.parquet` (typed staging rows, no PII, crn
replaced by case_key), `quarantine.parquet` and `result.json` into out_dir,
and the single warehouse writer (pipelines/load.py) loads them.

File-level defects reject the whole area for the night and write no Parquet:
missing file, empty file without a header, not UTF-8, missing or repeated
required column, manifest mismatch (rows, sha256, export_date, area_code).

Row-level rules (the quarantine `rule` column; a row failing several rules has
one quarantine record per failed rule and column, and counts once):

- `field_count`: the record has a different number of fields than the header.
- `value_missing`: a required value is blank (also release_date of a LIC event,
  register_level of a MAPP registration, rosh_level of a SIGNED/COMPLETE assessment).
- `value_invalid`: crn not `[A-Z][0-9]{6}`, an integer not a whole number, or
  outside its range (event_number >= 1, tier 1..4).
- `value_conflict`: a value that must be blank is given (release_date of CO/SSO,
  register_level other than MAPP, date_completed unless SIGNED/COMPLETE).
- `code_unknown`: a code (or any element of a code list, or a Y/N value) not in
  its list; for a code list the detail names only the unknown elements.
- `date_unparseable`: not a real `YYYY-MM-DD` date (`31/04/2006`, `2006-13-01`,
  Excel serials).
- `date_before_1990` (`date_before_1900` for date_of_birth).
- `date_after_export`: any date after the export date (as_of). Decision: the
  contract (exports.md) lists these as row defects, so the row is quarantined
  rather than loaded; the rulebook's "ignored / read as blank" for such dates
  therefore never applies to loaded rows, and a clean export never has them.
- `date_order`: the date-order rules of exports.md, plus plan_date before the
  sentence_date of its event.
- `key_duplicate`: every row sharing a key.
- `orphan`: no row with the referenced key in the parent file (contacts,
  assessments, plans -> events by crn and event_number; registrations -> events
  by crn; needs -> assessments; objectives -> plans). The parent is looked up
  among all its rows with a well-formed key, quarantined or not, so a bad event
  row does not cascade into its contacts.
- `area_mismatch`: events.area_code differs from the folder's area.

Line numbers are physical lines of the CSV (header = 1; a record spanning
lines has the line it starts on), which DuckDB's reject tables do not give
(they count records). Each file is read once into memory (sha256, UTF-8 check,
header). A file without quotes or blank lines whose every line has the
header's width is then typed straight from DuckDB's parallel CSV reader
(record n is line n + 1); any other file is split line by line (by DuckDB
without quotes, by Python's csv module with them) so each misshapen line is
named. All typing happens in DuckDB SQL. Great Expectations sees each distinct
value it checks once, and none validated before (pipelines/check_content.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines import check_content, identity, reference_data, validate
from pipelines.contract import (
    EVENTS,
    EXPORT_FILES,
    EXPORTS_BY_NAME,
    MANIFEST_NAME,
    Column,
    ExportFile,
)
from pipelines.warehouse import staging_columns

log = logging.getLogger(__name__)

RESULT_NAME = "result.json"
QUARANTINE_NAME = "quarantine.parquet"
WHOLE_NUMBER = "[0-9]{1,18}"  # fits BIGINT
# per area: two areas ingesting side by side stay well inside the 4 GB budget
# (London's night peaks at 3.5 GB unbounded, 2.0 GB with this, 5% slower)
MEMORY_LIMIT = "1GB"
SPILL_DIR = ".spill"
ISO_DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class FileAudit:
    file: str
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    sha256: str


@dataclass
class AreaIngest:
    area_code: str
    as_of: dt.date
    status: str  # loaded | rejected
    message: str = ""
    files: list[FileAudit] = field(default_factory=list)
    rows_validated: int = 0  # new distinct values GX saw (check_content.py)

    def to_json(self) -> str:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        return json.dumps(data, indent=2)

    @classmethod
    def from_json(cls, text: str) -> AreaIngest:
        data = json.loads(text)
        return cls(
            area_code=data["area_code"],
            as_of=dt.date.fromisoformat(data["as_of"]),
            status=data["status"],
            message=data["message"],
            files=[FileAudit(**f) for f in data["files"]],
            rows_validated=data["rows_validated"],
        )


class FileRejected(Exception):
    """A file-level defect: the area's night is not loaded."""


@dataclass
class _Parsed:
    """One export file read and typed: TEMP table typed_rows_<export> (_create_typed) and
    raw_<export>, its records' text with their lines (a table, or for a plain file a view
    that reads it again: only a night with findings quotes raw values)."""

    misshapen: list[tuple[int, int]]  # (line, number of fields)
    header_width: int
    rows_in: int
    sha256: str
    extra_columns: list[str]
    plain: bool  # read by _read_plain: a typed row's line is its rowid + 2


def check_area_code(area_code: str) -> str:
    """Only the 42 known codes are ever used as a path fragment."""
    if area_code not in reference_data.area_codes():
        raise ValueError(
            f"{area_code!r} is not a probation area code (see ref.areas); "
            "pass one of the codes in pipelines/reference/probation_areas.csv"
        )
    return area_code


def discover_areas(landing_root: Path, as_of: dt.date) -> tuple[list[str], list[str]]:
    """(area codes that landed for as_of, names of folders that are not area codes)."""
    night = Path(landing_root) / as_of.isoformat()
    if not night.is_dir():
        return [], []
    codes = set(reference_data.area_codes())
    names = sorted(entry.name for entry in night.iterdir() if entry.is_dir())
    return [n for n in names if n in codes], [n for n in names if n not in codes]


def read_result(out_dir: Path) -> AreaIngest:
    return AreaIngest.from_json((Path(out_dir) / RESULT_NAME).read_text(encoding="utf-8"))


def _read_manifest(area_dir: Path, as_of: dt.date, area_code: str) -> dict:
    path = area_dir / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = manifest["files"]
    except (ValueError, KeyError, TypeError) as error:
        raise FileRejected(
            f"{MANIFEST_NAME} is not a valid manifest ({type(error).__name__}); "
            "ask the area to resend the export with a correct manifest"
        ) from None
    if manifest.get("export_date") != as_of.isoformat() or manifest.get("area_code") != area_code:
        raise FileRejected(
            f"{MANIFEST_NAME} is for {manifest.get('area_code')!r} "
            f"{manifest.get('export_date')!r}, not {area_code} {as_of}: the transfer is "
            "mixed up; ask the area to resend"
        )
    return files


_threads: dict[str, Any] = {}  # set in ingest worker processes by share_cores


def share_cores(workers: int) -> None:
    """In each of `workers` ingest processes: DuckDB takes only this process's share of cores.

    Much of an area's ingest is single-threaded (hashing, GX), so processes side by
    side beat threads; without this, two processes' DuckDB threads contend.
    """
    _threads["threads"] = max(1, (os.cpu_count() or 1) // workers)


def _connect(spill_dir: Path) -> duckdb.DuckDBPyConnection:
    """DuckDB for one area: past MEMORY_LIMIT it spills to spill_dir; no progress bars in logs."""
    config: dict[str, Any] = {"memory_limit": MEMORY_LIMIT, "temp_directory": str(spill_dir)}
    con = duckdb.connect(config=config | _threads)
    con.execute("SET enable_progress_bar = false")
    return con


def _parse(
    con: duckdb.DuckDBPyConnection, path: Path, export: ExportFile, expected: dict
) -> _Parsed:
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
    misshapen: list[tuple[int, int]] = []
    padded = _padded(data, ascii_only)
    plain = unquoted and _read_plain(con, path, data, export, positions, len(names), padded)
    if not plain:
        if unquoted:
            text = data.decode("utf-8")
            lines = pc.split_pattern(pa.array([text], pa.large_string()), "\n").flatten()
            misshapen = _split_lines(con, lines, export, positions, len(names))
        else:
            misshapen = _split_records(con, records, export, positions, len(names))
        _create_typed(con, export, f"raw_{export.name}", padded=True, lines=True)
    ((records_read,),) = con.execute(f"SELECT count(*) FROM typed_rows_{export.name}").fetchall()
    rows_in = records_read + len(misshapen)
    if "rows" in expected and expected["rows"] != rows_in:
        raise FileRejected(
            f"{name} has {rows_in} rows but {MANIFEST_NAME} says {expected['rows']} "
            "(truncated transfer): ask the area to resend"
        )
    extra = [h for h in names if h and h not in export.column_names]
    return _Parsed(misshapen, len(names), rows_in, sha256, extra, plain)


def _padded(data: bytes, ascii_only: bool) -> bool:
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


def _trimmed(value: str, padded: bool) -> str:
    """SQL for a raw text value, trimmed if its file is padded (_padded), '' as NULL."""
    return f"nullif(trim({value}), '')" if padded else f"nullif({value}, '')"


def _read_plain(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    data: bytes,
    export: ExportFile,
    positions: list[int],
    width: int,
    padded: bool,
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
    columns = ", ".join(f"'f{i}': 'VARCHAR'" for i in range(width))
    selected = ", ".join(
        f"f{p} AS {c}" for c, p in zip(export.column_names, positions, strict=True)
    )
    literal = "'" + str(path).replace("'", "''") + "'"
    records = (
        f"SELECT {selected} FROM read_csv({literal}, header = false, skip = 1, delim = ',', "
        f"auto_detect = false, strict_mode = true, null_padding = false, "
        f"columns = {{{columns}}})"
    )
    try:
        _create_typed(con, export, f"({records})", padded, lines=False)
    except duckdb.Error:  # a short or long line, or anything else the reader refuses
        con.execute(f"DROP TABLE IF EXISTS typed_rows_{export.name}")
        return False
    ((typed,),) = con.execute(f"SELECT count(*) FROM typed_rows_{export.name}").fetchall()
    if typed != lines - 1:
        con.execute(f"DROP TABLE typed_rows_{export.name}")
        return False
    con.execute(
        f"CREATE TEMP VIEW raw_{export.name} AS SELECT row_number() OVER () + 1 AS line, * "
        f"FROM ({records})"
    )
    return True


def _split_lines(
    con: duckdb.DuckDBPyConnection,
    lines: pa.Array,
    export: ExportFile,
    positions: list[int],
    width: int,
) -> list[tuple[int, int]]:
    """A file without quotes: one record per line, split by DuckDB rather than a Python loop."""
    table = pa.table(
        {"line": pa.array(np.arange(1, len(lines) + 1, dtype=np.int64)), "text": lines}
    )
    con.register("lines", table)
    con.execute(
        "CREATE TEMP TABLE records AS SELECT line, string_split(rtrim(text, chr(13)), ',') "
        "AS fields FROM lines WHERE line > 1 AND rtrim(text, chr(13)) <> ''"
    )
    con.unregister("lines")
    misshapen = con.execute(
        "SELECT line, len(fields) FROM records WHERE len(fields) <> ? ORDER BY line", [width]
    ).fetchall()
    columns = ", ".join(
        f"fields[{p + 1}] AS {c}" for c, p in zip(export.column_names, positions, strict=True)
    )
    con.execute(
        f"CREATE TEMP TABLE raw_{export.name} AS SELECT line, {columns} FROM records "
        f"WHERE len(fields) = {width} ORDER BY line"
    )
    con.execute("DROP TABLE records")
    return misshapen


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
    con.execute(f"CREATE TEMP TABLE raw_{export.name} AS SELECT * FROM quoted")
    con.unregister("quoted")
    return misshapen


def _sql_list(values) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def _parsed_select(column: Column) -> str | None:
    """The one expensive parse of a trimmed value (`<name>__parsed`), shared by its flags."""
    name = column.name
    if column.kind == "int":
        return f"regexp_full_match({name}, '{WHOLE_NUMBER}') AS {name}__parsed"
    if column.kind == "date":
        return (
            f"CASE WHEN regexp_full_match({name}, '{ISO_DATE}') "
            f"THEN CAST(try_strptime({name}, '%Y-%m-%d') AS DATE) END AS {name}__parsed"
        )
    return None


def _typed_select(column: Column) -> list[str]:
    """DuckDB expressions typing one trimmed text column, plus the flags the suite checks."""
    name, parsed = column.name, f"{column.name}__parsed"
    if column.kind == "int":
        return [
            f"CASE WHEN {parsed} THEN CAST({name} AS BIGINT) END AS {name}",
            f"CASE WHEN {name} IS NOT NULL THEN {parsed} END AS {validate.valid_column(name)}",
        ]
    if column.kind == "date":
        earliest = validate.earliest_date(column)
        return [
            f"{parsed} AS {name}",
            f"CASE WHEN {name} IS NOT NULL THEN {parsed} IS NOT NULL END "
            f"AS {validate.valid_column(name)}",
            f"{parsed} >= DATE '{earliest}' AS {validate.not_early_column(name)}",
            f"{parsed} <= getvariable('as_of') AS {validate.not_future_column(name)}",
        ]
    if column.kind == "codes":
        items = f"list_transform(string_split({name}, '|'), lambda x: trim(x))"
        unknown = f"list_filter({items}, lambda x: NOT list_contains({_sql_list(column.codes)}, x))"
        return [
            f"coalesce({items}, CAST([] AS VARCHAR[])) AS {name}",
            f"CASE WHEN len({unknown}) > 0 THEN '''' || array_to_string({unknown}, ''',''') "
            f"|| '''' END AS {validate.unknown_column(name)}",
        ]
    expressions = [name]
    if not validate.holds_value(column):
        expressions.append(
            f"CASE WHEN {name} IS NOT NULL THEN true END AS {validate.valid_column(name)}"
        )
    return expressions


def _create_typed(
    con: duckdb.DuckDBPyConnection, export: ExportFile, source: str, padded: bool, lines: bool
) -> None:
    """typed_rows_<export>: trim, parse each value once, then type it and derive its flags.

    `source` holds the records' text columns, and their `line` if `lines` (without
    it, a row's line is its rowid + 2: _read_plain). No case_key yet: the crn is
    keyed once per area (_install_case_keys) and joined in by typed_<export>.
    """
    line = ["line"] if lines else []
    trimmed = [f"r.{c}" for c in line] + [
        f"{_trimmed(f'r.{c}', padded)} AS {c}" for c in export.column_names
    ]
    parsed = [p for p in map(_parsed_select, export.columns) if p]
    typed = line + [e for c in export.columns for e in _typed_select(c)]
    con.execute(
        f"CREATE TEMP TABLE typed_rows_{export.name} AS SELECT {', '.join(typed)} FROM "
        f"(SELECT *{''.join(', ' + p for p in parsed)} FROM "
        f"(SELECT {', '.join(trimmed)} FROM {source} AS r))"
    )


def _create_typed_view(con: duckdb.DuckDBPyConnection, export: ExportFile, plain: bool) -> None:
    """typed_<export>: each typed row with its line and, where the export has a crn, its
    case_key (NULL for a malformed crn)."""
    line = "t.rowid + 2 AS line, " if plain else ""
    has_crn = "crn" in export.column_names
    case_key = ", k.case_key" if has_crn else ""
    join = " LEFT JOIN case_keys AS k ON k.crn = t.crn" if has_crn else ""
    con.execute(
        f"CREATE TEMP VIEW typed_{export.name} AS SELECT {line}t.*{case_key} "
        f"FROM typed_rows_{export.name} AS t{join}"
    )


def _key(column: str) -> str:
    """Keys and joins use case_key, which is NULL for a malformed crn."""
    return "case_key" if column == "crn" else column


def _parent_on(export: ExportFile, child: str, by_crn: bool = False) -> str:
    """SQL joining parent rows `p` to the export's rows aliased `child` (validate.PARENTS),
    by case_key, or `by_crn` (see _create_checked)."""
    _, child_columns, parent_columns = validate.PARENTS[export.name]
    key = (lambda c: c) if by_crn else _key
    return " AND ".join(
        f"p.{key(pc)} = {child}.{key(cc)}"
        for cc, pc in zip(child_columns, parent_columns, strict=True)
    )


def _create_checked(con: duckdb.DuckDBPyConnection, export: ExportFile) -> None:
    """The check frame of every line: the cross-row facts (whole snapshot) and the flags
    the suite checks, plus the row's case_key for its quarantine records.

    A view, not a table: it is read in full once, grouped into contents
    (check_content.py), and again only on a night with findings; writing its
    string columns out cost more than computing them.
    """
    # A key or parent reference holding a crn is NULL where the crn is malformed (its
    # case_key is NULL); elsewhere equal crns have equal case_keys, so rows are matched
    # by crn in the typed rows, without the case_key join of typed_<export> (a fifth of
    # the contacts' checks).
    any_null = " OR ".join(f"t.{_key(k)} IS NULL" for k in export.key)
    # the few repeated keys, then an anti-join: half the cost of a count over a window
    repeated = (
        f"SELECT {', '.join(export.key)} FROM typed_rows_{export.name} "
        f"WHERE {' AND '.join(f'{k} IS NOT NULL' for k in export.key)} "
        "GROUP BY ALL HAVING count(*) > 1"
    )
    extra = [
        f"CASE WHEN {any_null} THEN NULL ELSE NOT EXISTS (SELECT 1 FROM ({repeated}) AS d "
        f"WHERE {' AND '.join(f'd.{k} = t.{k}' for k in export.key)}) END "
        f"AS {validate.KEY_UNIQUE}"
    ]
    if export.name in validate.PARENTS:
        parent, child_columns, _ = validate.PARENTS[export.name]
        on = _parent_on(export, "t", by_crn=True)
        child_null = " OR ".join(f"t.{_key(c)} IS NULL" for c in child_columns)
        extra.append(
            f"CASE WHEN {child_null} THEN NULL ELSE EXISTS (SELECT 1 FROM typed_rows_{parent} "
            f"AS p WHERE {on}) END AS {validate.exists_column(export)}"
        )
    # a row without a crn takes its parent's case_key, but only once quarantined
    # (_insert_findings): DuckDB computes a view's subquery even where it goes unread
    has_crn = "crn" in export.column_names
    extra.append("t.case_key AS row_case_key" if has_crn else "NULL::VARCHAR AS row_case_key")
    if export is EVENTS:
        extra.append(f"t.area_code = getvariable('area_code') AS {validate.AREA_IS_FOLDER}")
        extra.append(
            f"CASE WHEN t.sentence_type = 'LIC' THEN t.release_date "
            f"WHEN t.sentence_type IN ('CO', 'SSO') THEN t.sentence_date END "
            f"AS {validate.SUPERVISION_START}"
        )
    if export.name == "sentence_plans":
        extra.append(
            "(SELECT min(e.sentence_date) FROM typed_events AS e WHERE e.case_key = t.case_key "
            "AND e.event_number = t.event_number "
            f"AND e.{validate.not_early_column('sentence_date')} "
            f"AND e.{validate.not_future_column('sentence_date')}) "
            f"AS {validate.PLAN_EVENT_SENTENCE_DATE}"
        )
    orders = [
        f"CASE WHEN {o.later} IS NULL OR {o.earlier} IS NULL THEN NULL "
        f"ELSE {o.later} >= {o.earlier} END AS {validate.order_column(o)}"
        for o in validate.date_orders(export)
    ]
    flags = {validate.order_column(o) for o in validate.date_orders(export)}
    kept = ["line", "row_case_key"] + [
        c for c in validate.frame_columns(export)[1:] if c not in flags
    ]
    con.execute(
        f"CREATE TEMP VIEW checked_{export.name} AS SELECT {', '.join(kept + orders)} "
        f"FROM (SELECT t.*, {', '.join(extra)} FROM typed_{export.name} AS t)"
    )


def _quotable(export: ExportFile, name: str) -> bool:
    """Only non-PII contract columns other than the crn may be quoted in a detail.

    A code list is not quoted whole: its detail names only the unknown elements.
    """
    if name not in export.column_names or name == "crn":
        return False
    column = export.column(name)
    return not column.pii and column.kind != "codes"


def _raw_value(export: ExportFile, field_name: str) -> str:
    """SQL for the quoted raw value of the column a finding names, when it may be shown."""
    cases = " ".join(
        f"WHEN '{c}' THEN nullif(trim(r.{c}), '')"
        for c in export.column_names
        if _quotable(export, c)
    )
    return f"(CASE {field_name} {cases} END)" if cases else "NULL"


def _unknown_codes(export: ExportFile, field_name: str) -> str:
    """SQL for the unknown elements of the code list a finding names, quoted; else NULL."""
    cases = " ".join(
        f"WHEN '{c.name}' THEN f.{validate.unknown_column(c.name)}"
        for c in export.columns
        if c.kind == "codes"
    )
    return f"(CASE {field_name} {cases} END)" if cases else "NULL"


def _insert_findings(
    con: duckdb.DuckDBPyConnection, export: ExportFile, failing: Sequence[str]
) -> None:
    """Quarantine every line with findings in the failing components (check_content.py)."""
    value, other = _raw_value(export, "f.col"), _raw_value(export, "f.other")
    unknown = _unknown_codes(export, "f.col")
    case_key = "f.row_case_key"
    if "crn" not in export.column_names:  # the parent's, as the orphan check finds it
        parent = validate.PARENTS[export.name][0]
        case_key = (
            f"(SELECT min(p.case_key) FROM typed_{export.name} AS c "
            f"JOIN typed_{parent} AS p ON {_parent_on(export, 'c')} WHERE c.line = f.line)"
        )
    con.execute(
        f"""INSERT INTO quarantine SELECT getvariable('as_of'), getvariable('area_code'),
        '{export.file_name}', f.line, {case_key}, f.rule,
        f.col || coalesce('=''' || {value} || '''', '') || ' ' || f.problem
        || coalesce(' ' || {unknown}, '')
        || CASE WHEN f.other <> '' THEN ' ' || f.other || coalesce('=''' || {other} || '''', '')
        ELSE '' END
        FROM ({check_content.failing_lines_select(export, failing)}) AS f
        JOIN raw_{export.name} AS r ON r.line = f.line"""
    )


def _write_staging(
    con: duckdb.DuckDBPyConnection, export: ExportFile, out_dir: Path, quarantined: int
) -> int:
    """The loaded rows, in no set order: the writer inserts them in any order and every
    model orders by keys (sorting by line cost a third of this statement). Without the
    night's and area's constant columns (an eighth of this statement): the writer adds
    them from the night it loads and the area's folder."""
    columns = ", ".join(f"CAST({n} AS {t}) AS {n}" for n, t in staging_columns(export))
    path = out_dir / f"{export.name}.parquet"
    kept = (
        f"WHERE line NOT IN (SELECT line FROM quarantine WHERE file = '{export.file_name}')"
        if quarantined
        else ""
    )
    ((written,),) = con.execute(
        f"COPY (SELECT {columns} FROM typed_{export.name} {kept}) TO '{path}' (FORMAT parquet)"
    ).fetchall()
    return int(written)


def _clear_outputs(out_dir: Path) -> None:
    """A rerun into the same folder must never leave a previous run's files behind."""
    stores = [check_content.store_name(e) for e in EXPORT_FILES]
    for name in (
        [f"{e.name}.parquet" for e in EXPORT_FILES] + stores + [QUARANTINE_NAME, RESULT_NAME]
    ):
        (out_dir / name).unlink(missing_ok=True)


def _finish(result: AreaIngest, out_dir: Path) -> AreaIngest:
    for audit in result.files:
        if audit.rows_in != audit.rows_loaded + audit.rows_quarantined:
            raise AssertionError(
                f"{result.area_code} {audit.file}: rows_in {audit.rows_in} != loaded "
                f"{audit.rows_loaded} + quarantined {audit.rows_quarantined}"
            )
    shutil.rmtree(out_dir / SPILL_DIR, ignore_errors=True)
    (out_dir / RESULT_NAME).write_text(result.to_json(), encoding="utf-8")
    return result


def ingest_area(
    landing_root: Path,
    as_of: dt.date,
    area_code: str,
    out_dir: Path,
    secret: bytes,
    known: Sequence[Path] = (),
) -> AreaIngest:
    """Ingest and validate one area's export for as_of into out_dir (see module doc).

    `known`: folders whose stores of validated values GX need not see again
    (pipelines/check_content.py: known_folders).
    """
    check_area_code(area_code)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear_outputs(out_dir)
    with _connect(out_dir / SPILL_DIR) as con:
        result = _ingest(con, Path(landing_root), as_of, area_code, out_dir, secret, known)
    return _finish(result, out_dir)


def _ingest(
    con: duckdb.DuckDBPyConnection,
    landing_root: Path,
    as_of: dt.date,
    area_code: str,
    out_dir: Path,
    secret: bytes,
    known: Sequence[Path],
) -> AreaIngest:
    area_dir = landing_root / as_of.isoformat() / area_code
    con.execute("SET VARIABLE as_of = ?", [as_of])  # typing flags dates after the export date
    con.execute("SET VARIABLE area_code = ?", [area_code])
    parsed: dict[str, _Parsed] = {}
    problems: list[str] = []
    try:
        manifest = _read_manifest(area_dir, as_of, area_code)
    except FileRejected as error:
        problems.append(str(error))
        manifest = {}
    for export in EXPORT_FILES:
        try:
            expected = manifest.get(export.file_name, {})
            parsed[export.name] = _parse(con, area_dir / export.file_name, export, expected)
        except FileRejected as error:
            problems.append(str(error))
    if problems:
        message = f"{area_code} {as_of} rejected, nothing loaded: " + "; ".join(problems)
        log.error("%s", message)
        return AreaIngest(area_code, as_of, "rejected", message)

    notes = [
        f"{EXPORTS_BY_NAME[n].file_name}: ignored unknown column(s) {', '.join(p.extra_columns)}"
        for n, p in parsed.items()
        if p.extra_columns
    ]
    for note in notes:
        log.warning("%s %s %s", area_code, as_of, note)

    _install_case_keys(con, secret)
    for export in EXPORT_FILES:
        _create_typed_view(con, export, parsed[export.name].plain)
    for export in EXPORT_FILES:
        _create_checked(con, export)
    con.execute(
        "CREATE TEMP TABLE quarantine (as_of_date DATE, area_code VARCHAR, file VARCHAR, "
        "line BIGINT, case_key VARCHAR, rule VARCHAR, detail VARCHAR)"
    )
    shutil.rmtree(out_dir / "gx", ignore_errors=True)
    context = None  # GX is imported and its project made only if some content is new
    rows_validated = 0
    for export in EXPORT_FILES:
        p = parsed[export.name]
        if p.misshapen:
            con.executemany(
                "INSERT INTO quarantine VALUES (getvariable('as_of'), "
                "getvariable('area_code'), ?, ?, NULL, 'field_count', ?)",
                [
                    (export.file_name, line, f"has {n} fields, the header has {p.header_width}")
                    for line, n in p.misshapen
                ],
            )
        new = check_content.create(con, export, known)
        rows_validated += new
        if new:
            frame = con.sql(check_content.frame_select(export)).arrow().read_all()
            if context is None:
                context = validate.open_context(out_dir / "gx", fresh=True)
            found = validate.validate_frame(context, export, _to_pandas(frame), area_code)
            check_content.record_findings(con, export, found)
        failing = check_content.failing_components(con, export)
        if failing:
            _insert_findings(con, export, failing)
        if new:  # else every value came from a store that is read or merged already
            check_content.write_store(con, export, out_dir)
    files = []
    for export in EXPORT_FILES:
        ((quarantined,),) = con.execute(
            "SELECT count(DISTINCT line) FROM quarantine WHERE file = ?", [export.file_name]
        ).fetchall()
        loaded = _write_staging(con, export, out_dir, quarantined)
        p = parsed[export.name]
        files.append(FileAudit(export.file_name, p.rows_in, loaded, quarantined, p.sha256))
    con.execute(
        f"COPY (SELECT * FROM quarantine ORDER BY file, line, rule, detail) "
        f"TO '{out_dir / QUARANTINE_NAME}' (FORMAT parquet)"
    )
    result = AreaIngest(area_code, as_of, "loaded", "; ".join(notes), files, rows_validated)
    log.info(
        "%s %s loaded: %s; GX saw %d new distinct values",
        area_code,
        as_of,
        ", ".join(f"{f.file} {f.rows_loaded}/{f.rows_in}" for f in files),
        rows_validated,
    )
    return result


def _to_pandas(table: pa.Table):
    import pandas as pd

    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _install_case_keys(con: duckdb.DuckDBPyConnection, secret: bytes) -> None:
    """case_key for every well-formed crn of the area, computed once per distinct crn."""
    pattern = EVENTS.column("crn").pattern
    with_crn = [e for e in EXPORT_FILES if "crn" in e.column_names]
    union = " UNION ".join(f"SELECT crn FROM typed_rows_{e.name}" for e in with_crn)
    crns = [
        row[0]
        for row in con.execute(
            f"SELECT crn FROM ({union}) WHERE regexp_full_match(crn, ?)", [pattern]
        ).fetchall()
    ]
    keys = pa.table(
        {
            "crn": pa.array(crns, pa.string()),
            "case_key": pa.array(identity.case_keys(crns, secret), pa.string()),
        }
    )
    con.register("case_keys_arrow", keys)
    con.execute("CREATE TEMP TABLE case_keys AS SELECT * FROM case_keys_arrow")
    con.unregister("case_keys_arrow")
