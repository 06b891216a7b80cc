"""A night of defective exports end to end: reconciliation, no personal data, reruns.

One generated landing (defect rate 0.05) is run three times into one warehouse:
by the local runner with every log record captured, again by `caseaudit run` on the
same files, and a third time with one area's transfer truncated. Real GX, DuckDB
and files throughout; the assertions read what the runs left on disk.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines import cli, synth
from pipelines.contract import reference as reference_data
from pipelines.contract.exports import EVENTS, EXPORT_FILES, LANDED_FILES
from pipelines.run import local, settings
from pipelines.validate import known_values
from tests.warehouse_tables import export_tables

AREAS = ["DUR", "WAR"]
NIGHT = dt.date(2006, 10, 2)
REJECTED = "WAR"  # the area whose transfer is truncated in the third run
CORPUS_CLEAN = Path(__file__).resolve().parents[1] / "corpus" / "clean"

# what a leaked value would look like in any text: whole tokens, so a surname is
# not found inside a longer word, but a crn or PNC is found wherever it is embedded
CRN_TOKEN = re.compile(r"[A-Z][0-9]{6}")
PNC_TOKEN = re.compile(r"[0-9]{2}/[0-9]{6}[A-Z]")
DATE_TOKEN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NAME_TOKEN = re.compile(r"[A-Z][A-Za-z]+")
# GX's bundled fonts and images are the same in every site and are not text
BINARY_SUFFIXES = {".otf", ".ttf", ".woff", ".woff2", ".png", ".gif", ".ico", ".jpg", ".duckdb"}


@dataclass
class Run:
    warehouse: Path
    publish: Path
    work: Path
    tables: Path  # every warehouse table exported right after the run
    log: Path | None = None
    night: local.NightResult | None = None
    exit_code: int | None = None


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    synth.generate(out, [NIGHT], AREAS, scale=0.02, seed=5, defect_rate=0.05)
    return out


@pytest.fixture(scope="module")
def first_run(landing: Path, tmp_path_factory) -> Run:
    """The local runner in this process, every log record at DEBUG written to a file."""
    data = tmp_path_factory.mktemp("night")
    run = Run(data / "warehouse.duckdb", data / "publish", data / "work", data / "tables-1")
    run.log = data / "night.log"
    handler = logging.FileHandler(run.log, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        # one process, so the areas' ingest logs reach this process's handlers too
        with local.workers(1) as pool:
            run.night = local.run_night(
                pool,
                landing,
                run.warehouse,
                NIGHT,
                AREAS,
                publish_root=run.publish,
                work_root=run.work,
            )
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()
    export_tables(run.warehouse, run.tables)
    return run


@pytest.fixture(scope="module")
def second_run(first_run: Run, landing: Path) -> Run:
    """The same night on the same files again, into the same warehouse, by the CLI."""
    data = first_run.warehouse.parent
    run = Run(first_run.warehouse, data / "publish-2", settings.work_root(), data / "tables-2")
    run.exit_code = cli.main(
        [
            "run",
            "--landing",
            str(landing),
            "--warehouse",
            str(run.warehouse),
            "--as-of",
            NIGHT.isoformat(),
            "--areas",
            ",".join(AREAS),
            "--publish",
            str(run.publish),
        ]
    )
    export_tables(run.warehouse, run.tables)
    return run


@pytest.fixture(scope="module")
def rejected_run(second_run: Run, landing: Path) -> Run:
    """The night once more, with REJECTED's contacts.csv cut short in transfer."""
    data = second_run.warehouse.parent
    truncated = data / "landing-truncated"
    shutil.copytree(landing, truncated)
    contacts = truncated / NIGHT.isoformat() / REJECTED / "contacts.csv"
    lines = contacts.read_bytes().splitlines(keepends=True)
    contacts.write_bytes(b"".join(lines[:-1]))
    run = Run(second_run.warehouse, data / "publish-3", settings.work_root(), data / "tables-3")
    run.exit_code = cli.main(
        [
            "run",
            "--landing",
            str(truncated),
            "--warehouse",
            str(run.warehouse),
            "--as-of",
            NIGHT.isoformat(),
            "--areas",
            ",".join(AREAS),
        ]
    )
    export_tables(run.warehouse, run.tables)
    return run


def test_every_file_reconciles_with_the_manifest(first_run: Run, landing: Path) -> None:
    con = duckdb.connect(str(first_run.warehouse), read_only=True)
    audit = {
        (area, file): (rows_in, loaded, quarantined, status)
        for area, file, rows_in, loaded, quarantined, status in con.execute(
            "SELECT area_code, file, rows_in, rows_loaded, rows_quarantined, status FROM audit.runs"
        ).fetchall()
    }
    expected = {}
    for area in AREAS:
        manifest = json.loads((landing / NIGHT.isoformat() / area / "_manifest.json").read_text())
        for export in LANDED_FILES:
            # the optional case_readings.csv did not land: it loads no rows, not a defect
            rows_in = manifest["files"].get(export.file_name, {"rows": 0})["rows"]
            (loaded,) = con.execute(
                f"SELECT count(*) FROM staging.{export.name} WHERE area_code = ?", [area]
            ).fetchone()
            (quarantined,) = con.execute(
                "SELECT count(DISTINCT line) FROM quarantine.rows WHERE area_code = ? AND file = ?",
                [area, export.file_name],
            ).fetchone()
            assert rows_in == loaded + quarantined, (area, export.file_name)
            expected[(area, export.file_name)] = (rows_in, loaded, quarantined, "loaded")
        (defective,) = con.execute(
            "SELECT count(*) FROM quarantine.rows WHERE area_code = ?", [area]
        ).fetchone()
        assert defective > 0, f"{area}: the defect rate should quarantine rows"
    assert audit == expected
    assert first_run.night.exit_code == 0


def test_data_quality_counts_quarantined_rows_and_the_cases_they_touch(first_run: Run) -> None:
    """data_quality.csv per area, recounted from each area's own quarantine Parquet."""
    con = duckdb.connect(str(first_run.warehouse), read_only=True)
    published = first_run.publish / NIGHT.isoformat() / "data_quality.csv"
    assert first_run.night.published["data_quality"] == published
    assert published.read_text(encoding="utf-8").splitlines()[0] == (
        "as_of_date,area_code,area_name,region,scope,rows_quarantined,cases_touched,"
        "cases_scored,scored_cases_touched"
    )
    rows = con.execute(
        "SELECT * EXCLUDE (area_name, region) FROM read_csv(?, header = true, all_varchar = true)",
        [str(published)],
    ).fetchall()
    expected = []
    for area in AREAS:
        parquet = str(first_run.night.plan.area_dir(area) / "quarantine.parquet")
        counts = con.execute(
            """SELECT count(DISTINCT (file, line)), count(DISTINCT case_key),
                   (SELECT count(DISTINCT case_key) FROM marts.case_outcomes
                    WHERE area_code = $area AND scope = 'census'),
                   (SELECT count(DISTINCT case_key) FROM marts.case_outcomes
                    WHERE area_code = $area AND scope = 'census'
                    AND case_key IN (SELECT case_key FROM read_parquet($parquet))),
                   (SELECT sum(rows_quarantined) FROM audit.runs WHERE area_code = $area)
               FROM read_parquet($parquet)""",
            {"area": area, "parquet": parquet},
        ).fetchone()
        rows_quarantined, touched, scored, scored_touched, audited = counts
        assert rows_quarantined == audited
        assert 0 < touched < rows_quarantined and 0 < scored_touched < scored
        expected.append(
            (NIGHT.isoformat(), area, "census")
            + tuple(str(n) for n in (rows_quarantined, touched, scored, scored_touched))
        )
    assert rows == expected


def test_data_docs_show_every_area_and_landed_file(first_run: Run) -> None:
    """Every area's landed files each have a validation page of the night (the optional
    case_readings.csv did not land), and each area's GX validated only values no store
    knew (the contract's values are validated once, beforehand)."""
    site = first_run.publish / NIGHT.isoformat() / "data_docs"
    assert first_run.night.published["data_docs"] == site / "index.html"
    pages = sorted(
        (p.relative_to(site / "validations").parts[:2])
        for p in (site / "validations").rglob("*.html")
    )
    assert pages == sorted((e.name, area) for e in EXPORT_FILES for area in AREAS)
    index = (site / "index.html").read_text(encoding="utf-8")
    for export, area in pages:
        assert f"validations/{export}/{area}/" in index
    asked = 0
    for area in first_run.night.areas:
        folder = first_run.night.plan.area_dir(area.area_code)
        for export in EXPORT_FILES:
            page = next((site / "validations" / export.name / area.area_code).rglob("*.html"))
            text = page.read_text(encoding="utf-8")
            validated = (folder / known_values.area_store_name(export)).is_file()
            asked += validated
            # a file none of whose values was new says GX validated none of them tonight
            assert ("values GX validated tonight</span>" in text) and (
                validated or "Rows whose value GX validated tonight: 0;" in text
            )
    assert asked > 0


def landed_column(landing: Path, file_name: str, column: str, area: str = "*") -> set[str]:
    """Every non-blank value of a column in the landed files, read as raw lines by DuckDB.

    Lines are split on commas (generated files have no quotes), so rows with the
    wrong number of fields still give their leading values.
    """
    pattern = str(landing / NIGHT.isoformat() / area / file_name)
    with duckdb.connect() as con:
        rows = con.execute(
            """WITH lines AS (
                   SELECT filename, unnest(string_split(content, chr(10))) AS line
                   FROM read_text(?)),
               split AS (SELECT filename, string_split(line, ',') AS fields FROM lines),
               headers AS (
                   SELECT filename, list_position(string_split(split_part(content, chr(10), 1),
                       ','), ?) AS position FROM read_text(?))
               SELECT DISTINCT s.fields[h.position]
               FROM split AS s JOIN headers AS h USING (filename)
               WHERE s.fields[h.position] <> '' AND s.fields[h.position] <> ?""",
            [pattern, column, pattern, column],
        ).fetchall()
    return {value for (value,) in rows}


def personal_data(landing: Path) -> dict[str, set[str]]:
    """The fake PII of the landing and every crn; dates of birth only where telling.

    A date of birth is searched for only when no non-PII date column of any
    landed file holds the same date and the working-day calendar (ref.calendar)
    does not cover it; otherwise finding it would prove nothing.
    """
    legitimate: set[str] = set()
    for export in EXPORT_FILES:
        for column in export.columns:
            if column.kind == "date" and not column.pii:
                legitimate |= landed_column(landing, export.file_name, column.name)
    births = {
        d
        for d in landed_column(landing, EVENTS.file_name, "date_of_birth")
        if d not in legitimate
        and not (
            reference_data.CALENDAR_FIRST.isoformat()
            <= d
            <= reference_data.CALENDAR_LAST.isoformat()
        )
    }
    crns = set()
    for export in EXPORT_FILES:
        if "crn" in export.column_names:
            crns |= landed_column(landing, export.file_name, "crn")
    return {
        "crn": crns,
        "pnc_number": landed_column(landing, EVENTS.file_name, "pnc_number"),
        "date_of_birth": births,
        "name": landed_column(landing, EVENTS.file_name, "surname")
        | landed_column(landing, EVENTS.file_name, "forename"),
    }


def found(text: str, pii: dict[str, set[str]]) -> dict[str, set[str]]:
    """The PII values present in text, by kind."""
    tokens = {
        "crn": set(CRN_TOKEN.findall(text)),
        "pnc_number": set(PNC_TOKEN.findall(text)),
        "date_of_birth": set(DATE_TOKEN.findall(text)),
        "name": set(NAME_TOKEN.findall(text)),
    }
    return {kind: pii[kind] & tokens[kind] for kind in pii}


def text_of(folder: Path) -> str:
    """Every file under folder as text; Parquet decoded by DuckDB, binary assets skipped."""
    texts = []
    with duckdb.connect() as con:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.suffix == ".parquet":
                frame = con.execute("SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
                texts.append(str(frame))
            elif path.suffix not in BINARY_SUFFIXES:
                texts.append(path.read_text(encoding="utf-8"))
    return "\n".join(texts)


def test_no_personal_data_or_crn_anywhere(first_run: Run, landing: Path) -> None:
    """Warehouse tables, quarantine, logs, published files, Data Docs, GX store, work files."""
    pii = personal_data(landing)
    sizes = {kind: len(values) for kind, values in pii.items()}
    assert all(n > 20 for n in sizes.values()), sizes
    # the search finds every value where it is: in the landed exports
    assert found(text_of(landing), pii) == pii
    places = {
        "warehouse tables": first_run.tables,
        "published files and Data Docs": first_run.publish,
        "work Parquet, result.json and GX store": first_run.work,
    }
    published = {p.name for p in (first_run.publish / NIGHT.isoformat()).iterdir()}
    assert {"scorecard.csv", "benchmark.csv", "data_quality.csv", "report.html"} <= published
    assert {p.name for p in first_run.tables.iterdir()} >= {"quarantine.rows.csv"}
    # every night's validation result is searched: each is one page of the night's Data Docs
    validations = len(list(first_run.night.plan.work_dir.rglob("*/validation_*.json")))
    site = first_run.publish / NIGHT.isoformat() / "data_docs" / "validations"
    assert validations == len(list(site.rglob("*.html"))) == len(AREAS) * len(EXPORT_FILES)
    leaks = {name: found(text_of(folder), pii) for name, folder in places.items()}
    log_text = first_run.log.read_text(encoding="utf-8")
    for area in AREAS:
        assert f"{area} {NIGHT} loaded: events.csv" in log_text, "the capture saw the run"
    leaks["logs"] = found(log_text, pii)
    assert {name: {k: v for k, v in f.items() if v} for name, f in leaks.items()} == {
        name: {} for name in leaks
    }


def test_rerun_leaves_every_table_byte_for_byte_equal(first_run: Run, second_run: Run) -> None:
    """Every table is identical after the same night on the same files runs again.

    One exception, decided by the lead: audit.runs is an append-only run log
    (the writer appends every run, so it is never replaced). For it the second run's
    rows must equal the first's on every column except run_id, started_at and
    finished_at, and the table must hold exactly both runs.
    """
    assert second_run.exit_code == 0, "quarantined rows alone exit 0"
    first = {p.name: p.read_bytes() for p in first_run.tables.iterdir()}
    second = {p.name: p.read_bytes() for p in second_run.tables.iterdir()}
    assert sorted(first) == sorted(second)
    assert {"staging.events.csv", "marts.data_quality.csv", "ref.calendar.csv"} <= set(first)
    for name in first:
        if name != "audit.runs.csv":
            assert first[name] == second[name], name
    con = duckdb.connect(str(second_run.warehouse), read_only=True)
    runs = con.execute(
        "SELECT run_id, min(started_at) FROM audit.runs GROUP BY run_id ORDER BY 2"
    ).fetchall()
    assert len(runs) == 2
    compared = (
        "SELECT * EXCLUDE (run_id, started_at, finished_at) FROM audit.runs "
        "WHERE run_id = ? ORDER BY ALL"
    )
    by_run = [con.execute(compared, [run_id]).fetchall() for run_id, _ in runs]
    assert by_run[0] == by_run[1] and len(by_run[0]) == len(LANDED_FILES) * len(AREAS)
    for name in ("scorecard.csv", "benchmark.csv", "data_quality.csv"):
        published = [r.publish / NIGHT.isoformat() / name for r in (first_run, second_run)]
        assert published[0].read_bytes() == published[1].read_bytes(), name


def test_a_rejected_area_leaves_no_partial_load(second_run: Run, rejected_run: Run) -> None:
    """The truncated area keeps its previous rows, the other reloads, the command exits 1."""
    assert rejected_run.exit_code == 1
    before = {p.name: p.read_bytes() for p in second_run.tables.iterdir()}
    after = {p.name: p.read_bytes() for p in rejected_run.tables.iterdir()}
    assert sorted(before) == sorted(after)
    for name in before:
        if name != "audit.runs.csv":
            assert before[name] == after[name], name
    con = duckdb.connect(str(rejected_run.warehouse), read_only=True)
    (last_run,) = con.execute(
        "SELECT run_id FROM audit.runs ORDER BY started_at DESC LIMIT 1"
    ).fetchone()
    latest = con.execute(
        "SELECT area_code, status, count(file), min(message) FROM audit.runs "
        "WHERE run_id = ? GROUP BY ALL ORDER BY ALL",
        [last_run],
    ).fetchall()
    assert latest == [
        ("DUR", "loaded", len(LANDED_FILES), ""),
        (
            REJECTED,
            "rejected",
            0,
            f"{REJECTED} {NIGHT} rejected, nothing loaded: contacts.csv: sha256 differs from "
            "_manifest.json (truncated or corrupted transfer): ask the area to resend",
        ),
    ]
    (staged,) = con.execute(
        "SELECT count(*) FROM staging.contacts WHERE area_code = ?", [REJECTED]
    ).fetchone()
    assert staged > 0, "the previous load of the rejected area is still there"


def test_a_landing_folder_that_is_no_area_code_is_refused_and_exits_1(tmp_path: Path) -> None:
    """A folder like `WAR;DROP` is never used as a path or code; the good area still loads."""
    as_of = dt.date(2007, 6, 4)  # the export date of tests/corpus/clean
    night = tmp_path / "landing" / as_of.isoformat()
    shutil.copytree(CORPUS_CLEAN, night / "DUR")
    shutil.copytree(CORPUS_CLEAN, night / "WAR;DROP")
    warehouse = tmp_path / "warehouse.duckdb"
    code = cli.main(
        [
            "run",
            "--landing",
            str(tmp_path / "landing"),
            "--warehouse",
            str(warehouse),
            "--as-of",
            as_of.isoformat(),
            "--areas",
            "DUR",
        ]
    )
    assert code == 1
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("SELECT DISTINCT area_code, status FROM audit.runs").fetchall() == [
        ("DUR", "loaded")
    ]
    assert con.execute("SELECT DISTINCT area_code FROM staging.events").fetchall() == [("DUR",)]


def test_caseaudit_quality_shows_what_each_quarantine_held(
    first_run: Run, capsys, monkeypatch
) -> None:
    """`caseaudit quality` per area, file and rule: the counts of quarantine.rows."""
    from pipelines.cli import commands
    from pipelines.publish import tables

    monkeypatch.setattr(commands.console, "width", 160)  # one line per file

    with duckdb.connect(str(first_run.warehouse), read_only=True) as con:
        held = tables.quality_quarantine(con, NIGHT)
        recount = con.execute(
            """SELECT area_code, file, rule, count(DISTINCT line)
               FROM quarantine.rows WHERE as_of_date = ? GROUP BY ALL""",
            [NIGHT],
        ).fetchall()
        per_file = dict(
            con.execute(
                """SELECT area_code || ' ' || file, count(DISTINCT line) FROM quarantine.rows
                   WHERE as_of_date = ? GROUP BY ALL""",
                [NIGHT],
            ).fetchall()
        )
    assert sorted(
        (r["area_code"], r["file"], r["rule"], r["rows_quarantined"]) for r in held
    ) == sorted(recount)
    for r in held:
        assert r["file_rows_quarantined"] == per_file[f"{r['area_code']} {r['file']}"]
    area = AREAS[0]
    argv = ["quality", "--as-of", NIGHT.isoformat(), "--area", area]
    assert cli.main([*argv, "--warehouse", str(first_run.warehouse)]) == 0
    shown = capsys.readouterr().err
    assert f"Quarantine {NIGHT}" in shown and AREAS[1] not in shown
    for name, rows in per_file.items():
        if name.startswith(area):
            assert re.search(rf"{name.split()[1]}\s*│\s*{rows:,}\s*│", shown), name


def test_the_report_shows_each_areas_quarantine(first_run: Run) -> None:
    """The report's data quality per area: each file's rows quarantined equal quarantine.rows,
    each rule's too; the scoring sheet links to it and the section to the Data Docs."""
    html = (first_run.publish / NIGHT.isoformat() / "report.html").read_text(encoding="utf-8")
    with duckdb.connect(str(first_run.warehouse), read_only=True) as con:
        per_file = con.execute(
            """SELECT area_code, file, count(DISTINCT line) FROM quarantine.rows
               WHERE as_of_date = ? GROUP BY ALL""",
            [NIGHT],
        ).fetchall()
        per_rule = con.execute(
            """SELECT area_code, file, rule, count(DISTINCT line) FROM quarantine.rows
               WHERE as_of_date = ? GROUP BY ALL""",
            [NIGHT],
        ).fetchall()
    assert per_file, "the defect night quarantines rows"
    sections = {}
    for area in AREAS:
        start = html.index(f'<details id="quality-{area}">')
        sections[area] = html[start : html.index("</details>", start)]
        assert f'href="#quality-{area}"' in html
    for area, file, rows in per_file:
        assert re.search(
            rf'<td class="text">{re.escape(file)}</td><td>[\d,]+</td><td>{rows:,}</td>',
            sections[area],
        ), (area, file)
    for area, file, rule, rows in per_rule:
        assert f"{rule} ({rows:,})" in sections[area], (area, file, rule)
    assert 'href="data_docs/index.html"' in html
    assert not CRN_TOKEN.search("".join(sections.values()))
