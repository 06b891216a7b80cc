"""Ingest one area's night: its landing folder in, its work folder out, never the warehouse.

Runs per area (in parallel, as separate tasks under Airflow) and reads only its
own landing folder and the stores of values validated before tonight
(validate/known_values.py). It writes into out_dir what contract/handoff.py
lists: one Parquet of typed staging rows per export (no PII, crn replaced by
case_key), `quarantine.parquet`, the values its GX validated, the night's
validation result of each landed file for Data Docs (validate/night.py), and
`result.json`; the single warehouse writer loads them.

Per file: the file-level gate and its records (files.py), typing (typed.py),
the check frame (checks.py), Great Expectations on the values no store knows
(validate/contents.py), the quarantine (quarantine.py), then the staging rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import traceback
from pathlib import Path

import duckdb

from pipelines.contract.exports import EXPORTS_BY_NAME, LANDED_FILES, ExportFile
from pipelines.contract.handoff import (
    LOADED,
    QUARANTINE_NAME,
    REJECTED,
    RESULT_NAME,
    AreaIngest,
    FileAudit,
    staging_name,
    write_result,
)
from pipelines.contract.reference import check_area_code
from pipelines.ingest import checks, files, quarantine, typed
from pipelines.ingest.landing import FileRejected, read_manifest
from pipelines.sql_files import Statements
from pipelines.validate import contents, known_values, night

SQL = Statements(Path(__file__).parent)
SPILL_DIR = ".spill"
log = logging.getLogger(__name__)


def ingest_area(
    area_dir: Path,
    as_of: dt.date,
    area_code: str,
    out_dir: Path,
    secret: bytes,
    stores: Path | None = None,
) -> AreaIngest:
    """Ingest and validate one area's export for as_of, from its landing folder
    `<landing>/<as_of>/<area_code>` (a local folder: run/steps.py stages a remote one),
    into out_dir (see module doc).

    `stores`: the folder of values validated before tonight (known_values.store_dir);
    without it GX validates every value of the night.
    """
    check_area_code(area_code)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear_outputs(out_dir)
    reading = _Reading()
    try:
        with typed.connect(out_dir / SPILL_DIR) as con:
            result = _ingest(
                con, Path(area_dir), as_of, area_code, out_dir, secret, stores, reading
            )
    except Exception as error:  # a bad file costs its area, never the night
        result = _failed(area_code, as_of, reading, error)
        _clear_outputs(out_dir)
    for audit in result.files:
        if audit.rows_in != audit.rows_loaded + audit.rows_quarantined:
            raise AssertionError(
                f"{result.area_code} {audit.file}: rows_in {audit.rows_in} != loaded "
                f"{audit.rows_loaded} + quarantined {audit.rows_quarantined}"
            )
    shutil.rmtree(out_dir / SPILL_DIR, ignore_errors=True)
    write_result(result, out_dir)
    return result


class _Reading:
    """Which file an area's ingest is at, to name it if something unforeseen fails."""

    file = "the export"


def _failed(area_code: str, as_of: dt.date, reading: _Reading, error: Exception) -> AreaIngest:
    """A rejected area for an error nothing foresaw. Only the error's type and where it
    arose are logged: a library's message can quote a value, which may be personal."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error(
        "%s %s: %s while reading %s\n%s",
        area_code,
        as_of,
        type(error).__name__,
        reading.file,
        frames,
    )
    message = (
        f"{area_code} {as_of} rejected, nothing loaded: {reading.file} could not be read "
        f"({type(error).__name__}): the file is damaged in a way caseaudit does not know; "
        "ask the area to re-export it, and report the file's shape to caseaudit"
    )
    return AreaIngest(area_code, as_of, REJECTED, message)


def _clear_outputs(out_dir: Path) -> None:
    """A rerun into the same folder must never leave a previous run's files behind."""
    names = [staging_name(e.name) for e in LANDED_FILES]
    names += [known_values.area_store_name(e) for e in LANDED_FILES]
    names += [night.result_name(e) for e in LANDED_FILES]
    for name in [*names, QUARANTINE_NAME, RESULT_NAME]:
        (out_dir / name).unlink(missing_ok=True)
    shutil.rmtree(out_dir / "gx", ignore_errors=True)


def _ingest(
    con: duckdb.DuckDBPyConnection,
    area_dir: Path,
    as_of: dt.date,
    area_code: str,
    out_dir: Path,
    secret: bytes,
    stores: Path | None,
    reading: _Reading,
) -> AreaIngest:
    typed.set_variable(con, "as_of", as_of)  # typing flags dates after the export date
    typed.set_variable(con, "area_code", area_code)
    parsed: dict[str, files.Parsed] = {}
    problems: list[str] = []
    try:
        manifest = read_manifest(area_dir, as_of, area_code)
    except FileRejected as error:
        problems.append(str(error))
        manifest = {}
    for export in LANDED_FILES:
        reading.file = export.file_name
        try:
            expected = manifest.get(export.file_name)
            parsed[export.name] = files.parse(con, area_dir / export.file_name, export, expected)
        except FileRejected as error:
            problems.append(str(error))
    reading.file = "the export's files together (keys, parents, checks)"
    if problems:
        message = f"{area_code} {as_of} rejected, nothing loaded: " + "; ".join(problems)
        log.error("%s", message)
        return AreaIngest(area_code, as_of, REJECTED, message)

    notes = [
        f"{EXPORTS_BY_NAME[n].file_name}: ignored unknown column(s) {', '.join(p.extra_columns)}"
        for n, p in parsed.items()
        if p.extra_columns
    ]
    for note in notes:
        log.warning("%s %s %s", area_code, as_of, note)

    typed.install_case_keys(con, secret)
    for export in LANDED_FILES:
        typed.create_typed_view(con, export, parsed[export.name].plain)
    for export in LANDED_FILES:
        checks.create_checked(con, export)
    quarantine.create_table(con)
    validated = _validate(con, parsed, out_dir, area_code, as_of, stores)
    audits = []
    for export in LANDED_FILES:
        quarantined = quarantine.lines_quarantined(con, export)
        loaded = _write_staging(con, export, out_dir, quarantined)
        p = parsed[export.name]
        audits.append(FileAudit(export.file_name, p.rows_in, loaded, quarantined, p.sha256))
        if p.sha256 is not None:  # landed: its night in Data Docs
            _write_night(
                con, export, p, quarantined, validated[export.name], area_code, as_of, out_dir
            )
    quarantine.write(con, out_dir / QUARANTINE_NAME)
    rows_validated = sum(validated.values())
    result = AreaIngest(area_code, as_of, LOADED, "; ".join(notes), audits, rows_validated)
    log.info(
        "%s %s loaded: %s; GX validated %d values no store knew",
        area_code,
        as_of,
        ", ".join(f"{f.file} {f.rows_loaded}/{f.rows_in}" for f in audits),
        rows_validated,
    )
    return result


def _validate(
    con: duckdb.DuckDBPyConnection,
    parsed: dict[str, files.Parsed],
    out_dir: Path,
    area_code: str,
    as_of: dt.date,
    stores: Path | None,
) -> dict[str, int]:
    """Quarantine every export's failing lines; GX sees only values no store knows.
    Returns the number of values GX validated, per export."""
    context = None  # GX is imported and its project made only if some value is new
    validated: dict[str, int] = {}
    for export in LANDED_FILES:
        p = parsed[export.name]
        quarantine.add_misshapen(con, export, p.misshapen)
        contents.create_check_view(con, export)
        known_values.read_known(con, export, stores)
        new = contents.create(con, export)
        validated[export.name] = new
        if new:
            if context is None:
                from pipelines.validate import gx

                context = gx.open_context(out_dir / "gx", fresh=True)
            contents.validate_pool(con, export, context, area_code)
        failing = contents.failing_components(con, export)
        if failing:
            quarantine.add_findings(con, export, failing)
        if new:  # for the writer step to add to the cross-night store
            known_values.write_area_store(con, export, out_dir, as_of)
    return validated


def _write_night(
    con: duckdb.DuckDBPyConnection,
    export: ExportFile,
    parsed: files.Parsed,
    quarantined: int,
    values_tonight: int,
    area_code: str,
    as_of: dt.date,
    out_dir: Path,
) -> None:
    """The file's night as a validation result for Data Docs (validate/night.py)."""
    per_expectation = night.figures(con, export)
    summary = night.file_figures(
        parsed.rows_in, len(parsed.misshapen), quarantined, values_tonight, per_expectation
    )
    result = night.night_result(export, area_code, as_of, per_expectation, summary)
    night.write(out_dir, export, result)


def _write_staging(
    con: duckdb.DuckDBPyConnection, export: ExportFile, out_dir: Path, quarantined: int
) -> int:
    """The loaded rows, in no set order, without the night's and area's constant columns."""
    statement = SQL.render(
        "write_staging",
        name=export.name,
        file=export.file_name,
        columns=export.staging_columns,
        quarantined=quarantined,
        path=str(out_dir / staging_name(export.name)),
    )
    ((written,),) = con.execute(statement).fetchall()
    return int(written)
