"""GX on distinct values, reusing values validated before, gives exactly the outputs of GX on
every row.

Three generated nights a week apart (defects included) are ingested twice: in
order through the night's steps, each night reading the stores earlier nights
committed (the contract's domain and the cross-night store), and each night
cold, with no store. Every Parquet output and every count must be identical,
and GX must have seen fewer values. One night's quarantine is also checked
against GX run on every line's check row.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines import synth
from pipelines.contract import identity
from pipelines.contract.exports import CONTACTS, CRN, EXPORT_FILES, LANDED_FILES
from pipelines.contract.handoff import QUARANTINE_NAME, staging_name
from pipelines.ingest import checks, files, typed
from pipelines.ingest.area import ingest_area
from pipelines.run import steps
from pipelines.validate import contents, gx, known_values
from pipelines.validate.suites import frame_columns

AREAS = ["DUR", "WAR"]
NIGHTS = [dt.date(2006, 10, 2), dt.date(2006, 10, 9), dt.date(2006, 10, 16)]
SECRET = b"test-secret"
OUTPUTS = [staging_name(e.name) for e in EXPORT_FILES] + [QUARANTINE_NAME]
CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def ingest_landed(landing, as_of, area, out, secret, stores=None):
    """ingest_area of the area's folder under a landing root."""
    return ingest_area(landing / as_of.isoformat() / area, as_of, area, out, secret, stores)


def rows(path: Path) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(f"SELECT * FROM read_parquet('{path}') ORDER BY ALL").fetchall()


@pytest.fixture(scope="module")
def nights(tmp_path_factory, monkeypatch_module):
    root = tmp_path_factory.mktemp("contents")
    landing = root / "landing"
    synth.generate(landing, NIGHTS, AREAS, scale=0.02, seed=3, defect_rate=0.05)
    monkeypatch_module.setenv("CASEAUDIT_CASE_KEY_SECRET", SECRET.decode())
    warm, cold, folders = {}, {}, {}
    for night in NIGHTS:
        plan = steps.plan_night(landing, night, AREAS, work_root=root / "warm")
        steps.prepare_validation(plan.work_root)
        for area in AREAS:
            warm[night, area] = steps.ingest_area(plan, landing, area)
            folders[night, area] = plan.area_dir(area)
            out = root / "cold" / night.isoformat() / area
            cold[night, area] = ingest_landed(landing, night, area, out, SECRET)
        # what the writer step does once the night is loaded
        stores = known_values.store_dir(root / "warm")
        known_values.merge(stores, [plan.area_dir(a) for a in AREAS])
    return root, warm, cold, folders


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.mark.parametrize("night", NIGHTS, ids=str)
@pytest.mark.parametrize("area", AREAS)
def test_reusing_earlier_nights_gives_the_outputs_of_a_cold_night(nights, night, area):
    root, warm, cold, folders = nights
    for name in OUTPUTS:
        got = rows(folders[night, area] / name)
        want = rows(root / "cold" / night.isoformat() / area / name)
        assert got == want, name
    assert warm[night, area].files == cold[night, area].files
    assert warm[night, area].status == "loaded"


def test_the_comparison_covers_every_kind_of_row_rule(nights):
    folders = nights[3]
    rules = set()
    for night in NIGHTS:
        for area in AREAS:
            rules |= {row[5] for row in rows(folders[night, area] / OUTPUTS[-1])}
    assert {"key_duplicate", "orphan", "date_order", "code_unknown", "value_missing"} <= rules


def test_gx_sees_only_values_no_store_holds(nights):
    """The contract's domain covers a clean export's values; later nights find the defects'
    values of earlier nights in the cross-night store."""
    _, warm, cold, _ = nights
    for area in AREAS:
        first = cold[NIGHTS[0], area]
        assert 0 < first.rows_validated < sum(f.rows_in for f in first.files) / 5
        assert warm[NIGHTS[0], area].rows_validated < first.rows_validated / 4
    for night in NIGHTS[1:]:
        for area in AREAS:
            assert warm[night, area].rows_validated < warm[NIGHTS[0], area].rows_validated


def test_an_area_keeps_a_store_exactly_for_the_exports_gx_saw_new_values_of(nights):
    """An export whose values all came from stores writes none: the writer merges less."""
    folders = nights[3]
    asked = []
    for night in NIGHTS:
        for area in AREAS:
            out = folders[night, area]
            validations = out / "gx" / "gx" / "uncommitted" / "validations"
            for export in EXPORT_FILES:
                validated = (validations / export.name).is_dir()
                assert (out / known_values.area_store_name(export)).is_file() == validated
                asked.append(validated)
    assert any(asked) and not all(asked)


def test_a_clean_export_asks_gx_nothing_once_the_contracts_values_are_validated(tmp_path):
    """The domain store, built from the contract alone, holds every value of a clean export."""
    landing = tmp_path / "landing"
    shutil.copytree(CORPUS / "clean", landing / "2007-06-04" / "DUR")
    stores = known_values.store_dir(tmp_path / "work")
    assert known_values.ensure_domain(stores) == [e.name for e in LANDED_FILES]
    assert known_values.ensure_domain(stores) == []  # built once per suite version
    out = tmp_path / "work" / "DUR"
    warm = ingest_landed(landing, dt.date(2007, 6, 4), "DUR", out, SECRET, stores)
    cold = ingest_landed(landing, dt.date(2007, 6, 4), "DUR", tmp_path / "cold", SECRET)
    assert warm.rows_validated == 0 < cold.rows_validated
    assert not (out / "gx").exists()  # GX was not even imported for the area
    for name in OUTPUTS:
        assert rows(out / name) == rows(tmp_path / "cold" / name), name


def test_findings_are_those_of_gx_on_every_line(nights, tmp_path):
    """The quarantine of a defective night names exactly what GX finds on each line's row."""
    root, night, area = nights[0], NIGHTS[0], AREAS[0]
    quarantined = {
        (r[2], r[3], r[5], r[6].split("=")[0].split(" ")[0])
        for r in rows(root / "cold" / night.isoformat() / area / QUARANTINE_NAME)
        if r[5] != "field_count"
    }
    every_line = set()
    area_dir = root / "landing" / night.isoformat() / area
    con = typed.connect(tmp_path / "spill")
    typed.set_variable(con, "as_of", night)
    typed.set_variable(con, "area_code", area)
    for export in LANDED_FILES:
        plain = files.parse(con, area_dir / export.file_name, export, None).plain
        if plain:  # typed again from the raw text, every value trimmed
            con.execute(f"DROP TABLE typed_rows_{export.name}")
            con.execute(f"CREATE TEMP TABLE raw_text AS SELECT * FROM raw_{export.name}")
            typed.create_typed(con, export, "raw_text", padded=True, lines=True)
            con.execute("DROP TABLE raw_text")
    typed.install_case_keys(con, SECRET)
    for export in LANDED_FILES:
        typed.create_typed_view(con, export, plain=False)
    context = gx.open_context(tmp_path / "gx", fresh=True)
    for export in LANDED_FILES:
        checks.create_checked(con, export)
        contents.create_check_view(con, export)
        columns = ", ".join(frame_columns(export))
        frame = con.sql(f"SELECT {columns} FROM check_{export.name}").arrow().read_all()
        findings = gx.validate_frame(context, export, contents.to_pandas(frame), area)
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
    night_1 = work / first.isoformat() / "DUR"
    ingest_landed(landing, first, "DUR", night_1, SECRET)
    quarantined = rows(night_1 / QUARANTINE_NAME)
    assert [(r[2], r[3], r[5]) for r in quarantined] == [("contacts.csv", 4, "date_after_export")]

    stores = known_values.store_dir(work)
    known_values.merge(stores, [night_1])  # the writer step, once night 1 committed
    out = work / second.isoformat() / "DUR"
    result = ingest_landed(landing, second, "DUR", out, SECRET, stores)
    assert rows(out / QUARANTINE_NAME) == []
    assert [f.rows_loaded for f in result.files if f.file == CONTACTS.file_name] == [3]
    # the line's __not_future flag turned true, a value whose findings night 1 stored
    assert result.rows_validated == 0


def _night_1_in_a_store(tmp_path: Path) -> tuple[Path, Path, int]:
    """The clean corpus landed on two nights, night 1 ingested cold and merged into a store:
    (landing, store folder, values night 1 validated)."""
    landing = tmp_path / "landing"
    for night in (dt.date(2007, 6, 4), dt.date(2007, 6, 11)):
        shutil.copytree(CORPUS / "clean", landing / night.isoformat() / "DUR")
    first = tmp_path / "work" / "2007-06-04" / "DUR"
    cold = ingest_landed(landing, dt.date(2007, 6, 4), "DUR", first, SECRET)
    stores = known_values.store_dir(tmp_path / "work")
    known_values.merge(stores, [first])
    return landing, stores, cold.rows_validated


def test_stored_findings_expire_with_the_suite(tmp_path, monkeypatch):
    """A store written under another suite digest is not read: the night starts cold."""
    landing, stores, validated = _night_1_in_a_store(tmp_path)
    second = tmp_path / "work" / "2007-06-11" / "DUR"
    warm = ingest_landed(landing, dt.date(2007, 6, 11), "DUR", second, SECRET, stores)
    assert warm.rows_validated == 0 < validated

    monkeypatch.setattr(known_values, "suite_digest", lambda export: "another suite")
    again = ingest_landed(landing, dt.date(2007, 6, 11), "DUR", second, SECRET, stores)
    assert again.rows_validated == validated


def test_a_store_of_another_suite_with_other_columns_is_ignored(tmp_path):
    """An old release's domain store beside a current cross-night store: only the current
    one is read, and the night loads."""
    landing, stores, _ = _night_1_in_a_store(tmp_path)
    with duckdb.connect() as con:
        for export in EXPORT_FILES:
            con.execute(
                "COPY (SELECT 1 AS retired_flag, 'old suite' AS suite, [] AS findings) "
                f"TO '{known_values.domain_path(stores, export)}' (FORMAT parquet)"
            )
    second = tmp_path / "work" / "2007-06-11" / "DUR"
    warm = ingest_landed(landing, dt.date(2007, 6, 11), "DUR", second, SECRET, stores)
    assert warm.status == "loaded" and warm.rows_validated == 0
    assert known_values.ensure_domain(stores) == [e.name for e in LANDED_FILES]  # rebuilt


def test_the_well_formed_shape_is_the_shape_of_the_contract_crn_pattern():
    """check frames show a crn with a case_key, i.e. one matching CRN.pattern, as
    WELL_FORMED_SHAPE without shaping it: it must be what value_shape would give."""
    assert CRN.pattern == "[A-Z][0-9]{6}", "a new crn pattern needs a new WELL_FORMED_SHAPE"
    crns = ["A000000", "Z999999", "M123456", "Q909090"]
    assert all(re.fullmatch(CRN.pattern, crn) for crn in crns)
    with duckdb.connect() as con:
        contents.install_shape(con)
        shapes = {con.execute("SELECT value_shape(?)", [crn]).fetchone()[0] for crn in crns}
    assert shapes == {contents.WELL_FORMED_SHAPE} == {identity.shape(c) for c in crns}
    view = contents.SQL.render(
        "check_view",
        name="contacts",
        names=["crn"],
        coded={},
        well_formed=contents.WELL_FORMED_SHAPE,
    )
    assert f"then '{contents.WELL_FORMED_SHAPE}'" in view
