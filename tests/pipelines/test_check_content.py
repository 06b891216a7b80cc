"""GX on distinct values, reusing earlier nights, gives exactly the outputs of GX on every row.

Three generated nights a week apart (defects included) are ingested twice: in
order through nightly.ingest_one, each night reusing the previous one, and each
night cold, with nothing known. Every Parquet output and every count must be
identical, and GX must have seen fewer rows. One night's quarantine is also
checked against GX run on every line's check row.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines import check_content, ingest, nightly, synth, validate
from pipelines.contract import CONTACTS, CRN, EXPORT_FILES

AREAS = ["DUR", "WAR"]
NIGHTS = [dt.date(2006, 10, 2), dt.date(2006, 10, 9), dt.date(2006, 10, 16)]
SECRET = b"test-secret"
OUTPUTS = [f"{e.name}.parquet" for e in EXPORT_FILES] + [ingest.QUARANTINE_NAME]
CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def rows(path: Path) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(f"SELECT * FROM read_parquet('{path}') ORDER BY ALL").fetchall()


@pytest.fixture(scope="module")
def nights(tmp_path_factory, monkeypatch_module):
    root = tmp_path_factory.mktemp("check_content")
    landing = root / "landing"
    synth.generate(landing, NIGHTS, AREAS, scale=0.02, seed=3, defect_rate=0.05)
    monkeypatch_module.setenv("CASEAUDIT_CASE_KEY_SECRET", SECRET.decode())
    warm, cold = {}, {}
    for night in NIGHTS:
        for area in AREAS:
            warm[night, area] = nightly.ingest_one(landing, night, area, root / "warm")[0]
            out = root / "cold" / night.isoformat() / area
            cold[night, area] = ingest.ingest_area(landing, night, area, out, SECRET)
        # what the writer does once the night is loaded
        check_content.merge_national(
            root / "warm", list((root / "warm" / night.isoformat()).iterdir())
        )
    return root, warm, cold


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.mark.parametrize("night", NIGHTS, ids=str)
@pytest.mark.parametrize("area", AREAS)
def test_reusing_earlier_nights_gives_the_outputs_of_a_cold_night(nights, night, area):
    root, warm, cold = nights
    for name in OUTPUTS:
        got = rows(root / "warm" / night.isoformat() / area / name)
        want = rows(root / "cold" / night.isoformat() / area / name)
        assert got == want, name
    assert warm[night, area].files == cold[night, area].files
    assert warm[night, area].status == "loaded"


def test_the_comparison_covers_every_kind_of_row_rule(nights):
    root = nights[0]
    rules = set()
    for night in NIGHTS:
        for area in AREAS:
            rules |= {
                row[5] for row in rows(root / "warm" / night.isoformat() / area / OUTPUTS[-1])
            }
    assert {"key_duplicate", "orphan", "date_order", "code_unknown", "value_missing"} <= rules


def test_gx_sees_each_content_once_and_later_nights_only_new_contents(nights):
    _, warm, cold = nights
    first_area, second_area = AREAS
    first = cold[NIGHTS[0], first_area]
    assert warm[NIGHTS[0], first_area].rows_validated == first.rows_validated
    assert 0 < first.rows_validated < sum(f.rows_in for f in first.files) / 5
    # the second area of the night reuses the first area's contents
    second = warm[NIGHTS[0], second_area].rows_validated
    assert second < cold[NIGHTS[0], second_area].rows_validated / 2
    for night in NIGHTS[1:]:
        for area in AREAS:
            assert warm[night, area].rows_validated < cold[night, area].rows_validated / 2


def test_an_area_keeps_a_store_exactly_for_the_exports_gx_saw_new_values_of(nights):
    """An export whose values all came from stores writes none, so later areas read few."""
    root, _, _ = nights
    asked = []
    for night in NIGHTS:
        for area in AREAS:
            out = root / "warm" / night.isoformat() / area
            validations = out / "gx" / "gx" / "uncommitted" / "validations"
            for export in EXPORT_FILES:
                validated = (validations / export.name).is_dir()
                assert (out / check_content.store_name(export)).is_file() == validated
                asked.append(validated)
    assert any(asked) and not all(asked)
    assert all(asked[: len(EXPORT_FILES)])  # the first area of the first night is cold


def test_findings_are_those_of_gx_on_every_line(nights, tmp_path):
    """The quarantine of a defective night names exactly what GX finds on each line's row."""
    root, night, area = nights[0], NIGHTS[0], AREAS[0]
    quarantined = {
        (r[2], r[3], r[5], r[6].split("=")[0].split(" ")[0])
        for r in rows(root / "cold" / night.isoformat() / area / ingest.QUARANTINE_NAME)
        if r[5] != "field_count"
    }
    every_line = set()
    area_dir = root / "landing" / night.isoformat() / area
    con = ingest._connect(tmp_path / "spill")
    con.execute("SET VARIABLE as_of = ?", [night])
    con.execute("SET VARIABLE area_code = ?", [area])
    for export in EXPORT_FILES:
        plain = ingest._parse(con, area_dir / export.file_name, export, {}).plain
        if plain:  # typed again from the raw text, every value trimmed
            con.execute(f"DROP TABLE typed_rows_{export.name}")
            con.execute(f"CREATE TEMP TABLE raw_text AS SELECT * FROM raw_{export.name}")
            ingest._create_typed(con, export, "raw_text", padded=True, lines=True)
            con.execute("DROP TABLE raw_text")
    ingest._install_case_keys(con, SECRET)
    for export in EXPORT_FILES:
        ingest._create_typed_view(con, export, plain=False)
    context = validate.open_context(tmp_path / "gx", fresh=True)
    for export in EXPORT_FILES:
        ingest._create_checked(con, export)
        check_content.create(con, export, [])
        columns = ", ".join(validate.frame_columns(export))
        frame = con.sql(f"SELECT {columns} FROM check_{export.name}").arrow().read_all()
        findings = validate.validate_frame(context, export, ingest._to_pandas(frame), area)
        every_line |= {(export.file_name, f.line, f.rule, f.column) for f in findings}
    con.close()
    assert len(every_line) > 20
    assert quarantined == every_line


def test_a_date_past_the_export_date_is_validated_again_when_the_export_date_passes_it(tmp_path):
    """Night 1 quarantines a contact dated after it; night 2, on the same files, loads it."""
    first, second = dt.date(2007, 6, 4), dt.date(2007, 6, 11)
    for night in (first, second):
        area = tmp_path / "landing" / night.isoformat() / "DUR"
        shutil.copytree(CORPUS / "clean", area)
        contacts = area / CONTACTS.file_name
        contacts.write_text(contacts.read_text().replace("2006-11-21", "2007-06-06"))
    landing, work = tmp_path / "landing", tmp_path / "work"
    ingest.ingest_area(landing, first, "DUR", work / first.isoformat() / "DUR", SECRET)
    night_1 = rows(work / first.isoformat() / "DUR" / ingest.QUARANTINE_NAME)
    assert [(r[2], r[3], r[5]) for r in night_1] == [("contacts.csv", 4, "date_after_export")]

    known = work / first.isoformat() / "DUR"
    out = work / second.isoformat() / "DUR"
    result = ingest.ingest_area(landing, second, "DUR", out, SECRET, [known])
    assert rows(out / ingest.QUARANTINE_NAME) == []
    assert [f.rows_loaded for f in result.files if f.file == CONTACTS.file_name] == [3]
    # the line's __not_future flag turned true, a value whose findings night 1 stored
    assert result.rows_validated == 0


def test_stored_findings_expire_with_the_suite(tmp_path, monkeypatch):
    """A store written under another suite digest is not read: the night starts cold."""
    landing = tmp_path / "landing"
    for night in (dt.date(2007, 6, 4), dt.date(2007, 6, 11)):
        shutil.copytree(CORPUS / "clean", landing / night.isoformat() / "DUR")
    first = tmp_path / "work" / "2007-06-04" / "DUR"
    cold = ingest.ingest_area(landing, dt.date(2007, 6, 4), "DUR", first, SECRET)
    second = tmp_path / "work" / "2007-06-11" / "DUR"
    warm = ingest.ingest_area(landing, dt.date(2007, 6, 11), "DUR", second, SECRET, [first])
    assert warm.rows_validated == 0 < cold.rows_validated

    monkeypatch.setattr(check_content, "suite_digest", lambda export: "another suite")
    again = ingest.ingest_area(landing, dt.date(2007, 6, 11), "DUR", second, SECRET, [first])
    assert again.rows_validated == cold.rows_validated


def test_a_store_of_another_suite_with_other_columns_is_ignored(tmp_path):
    """An old release's store beside a current one: the night reads the current one only."""
    landing = tmp_path / "landing"
    for night in (dt.date(2007, 6, 4), dt.date(2007, 6, 11)):
        shutil.copytree(CORPUS / "clean", landing / night.isoformat() / "DUR")
    first = tmp_path / "work" / "2007-06-04" / "DUR"
    ingest.ingest_area(landing, dt.date(2007, 6, 4), "DUR", first, SECRET)
    old = tmp_path / "old release"
    old.mkdir()
    with duckdb.connect() as con:
        for export in EXPORT_FILES:
            con.execute(
                f"COPY (SELECT 1 AS retired_flag, 'old suite' AS suite, [] AS findings) "
                f"TO '{old / check_content.store_name(export)}' (FORMAT parquet)"
            )
    second = tmp_path / "work" / "2007-06-11" / "DUR"
    warm = ingest.ingest_area(landing, dt.date(2007, 6, 11), "DUR", second, SECRET, [old, first])
    assert warm.status == "loaded" and warm.rows_validated == 0


def test_the_well_formed_shape_is_the_shape_of_the_contract_crn_pattern():
    """check frames skip translate for crns with a case_key, i.e. those matching CRN.pattern."""
    assert CRN.pattern == "[A-Z][0-9]{6}", "a new crn pattern needs a new WELL_FORMED_SHAPE"
    crns = ["A000000", "Z999999", "M123456", "Q909090"]
    assert all(re.fullmatch(CRN.pattern, crn) for crn in crns)
    with duckdb.connect() as con:
        shapes = {
            con.execute(
                "SELECT translate(?, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', "
                "'AAAAAAAAAAAAAAAAAAAAAAAAAA0000000000')",
                [crn],
            ).fetchone()[0]
            for crn in crns
        }
    assert shapes == {check_content.WELL_FORMED_SHAPE}
