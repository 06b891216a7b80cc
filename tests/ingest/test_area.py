"""Ingest against the defect corpus: every defect of exports.md has its documented outcome.

tests/corpus/clean is a small consistent export of area DUR; each other folder
of tests/corpus overlays one defect on it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.contract import identity
from pipelines.contract.exports import CONTACTS, EXPORT_FILES
from pipelines.contract.handoff import AreaIngest, read_result
from pipelines.ingest import files
from pipelines.ingest.area import ingest_area
from pipelines.validate import data_docs

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
AS_OF = dt.date(2007, 6, 4)
AREA = "DUR"
SECRET = b"test-secret"
PII = (
    "Zebedee",
    "Quentin",
    "1970-01-02",
    "99/123456Z",
    "Yarrowby",
    "Philippa",
    "1985-05-06",
    "Xerxes",
    "Olwen",
    "1971-01-01",
    "1899-12-31",
)
CRNS = ("A000001", "A000002", "A000013", "A000099")
KEY_1 = identity.case_key("A000001", SECRET)
KEY_2 = identity.case_key("A000002", SECRET)


def ingest_landed(landing, as_of, area, out, secret, stores=None):
    """ingest_area of the area's folder under a landing root."""
    return ingest_area(landing / as_of.isoformat() / area, as_of, area, out, secret, stores)


def land(root: Path, defect: str | None = None) -> Path:
    area = root / "landing" / AS_OF.isoformat() / AREA
    shutil.copytree(CORPUS / "clean", area)
    if defect:
        for path in (CORPUS / defect).iterdir():
            shutil.copy(path, area / path.name)
    return root / "landing"


def run(tmp_path: Path, defect: str | None = None) -> tuple[AreaIngest, Path]:
    out = tmp_path / "out"
    result = ingest_landed(land(tmp_path, defect), AS_OF, AREA, out, SECRET)
    return result, out


def query(sql: str, parameters: list | None = None) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(sql, parameters or []).fetchall()


def quarantine(out: Path) -> list[tuple]:
    return query(
        f"SELECT file, line, rule, case_key, detail FROM '{out}/quarantine.parquet' "
        "ORDER BY file, line, rule, detail"
    )


def everything_written(out: Path) -> str:
    """Every value of every output file as text, Parquet decoded, plus the GX project."""
    texts = []
    for path in sorted(out.rglob("*")):
        if path.suffix == ".parquet":
            texts.append(str(query(f"SELECT * FROM '{path}'")))
        elif path.is_file():
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


def assert_reconciled(result: AreaIngest, out: Path) -> None:
    assert result == read_result(out)
    for audit in result.files:
        assert audit.rows_in == audit.rows_loaded + audit.rows_quarantined
        name = audit.file.removesuffix(".csv")
        ((loaded,),) = query(f"SELECT count(*) FROM '{out}/{name}.parquet'")
        ((quarantined,),) = query(
            f"SELECT count(DISTINCT line) FROM '{out}/quarantine.parquet' WHERE file = ?",
            [audit.file],
        )
        assert (loaded, quarantined) == (audit.rows_loaded, audit.rows_quarantined)


def test_clean_export_loads_typed_without_pii(tmp_path):
    """A correct manifest is accepted; values are typed; no PII or crn is written."""
    landing = land(tmp_path)
    write_manifest(landing)
    out = tmp_path / "out"
    result = ingest_landed(landing, AS_OF, AREA, out, SECRET)
    assert (result.status, result.message) == ("loaded", "")
    assert [(f.file, f.rows_in, f.rows_loaded, f.rows_quarantined) for f in result.files] == [
        ("events.csv", 2, 2, 0),
        ("registrations.csv", 2, 2, 0),
        ("contacts.csv", 3, 3, 0),
        ("oasys_assessments.csv", 2, 2, 0),
        ("oasys_needs.csv", 2, 2, 0),
        ("sentence_plans.csv", 2, 2, 0),
        ("plan_objectives.csv", 2, 2, 0),
        ("case_readings.csv", 0, 0, 0),  # optional: no readings tonight is not a defect
    ]
    events = CORPUS / "clean" / "events.csv"
    assert result.files[0].sha256 == hashlib.sha256(events.read_bytes()).hexdigest()
    assert result.files[-1].sha256 is None  # it did not land
    assert quarantine(out) == []
    assert_reconciled(result, out)
    for export in EXPORT_FILES:
        described = query(f"DESCRIBE SELECT * FROM '{out}/{export.name}.parquet'")
        # the night and the area are the writer's to add (warehouse/writer.py)
        assert [(name, kind) for name, kind, *_ in described] == list(export.staging_columns)
    row = query(
        f"SELECT case_key, sentence_type, sentence_date, release_date, "
        f"tier, requirements, diversity_needs FROM '{out}/events.parquet' ORDER BY event_number, "
        "sentence_type"
    )
    assert row == [
        (
            identity.case_key("A000001", SECRET),
            "CO",
            dt.date(2006, 3, 1),
            None,
            2,
            ["SUP", "UPW"],
            ["DIS"],
        ),
        (
            identity.case_key("A000002", SECRET),
            "LIC",
            dt.date(2005, 1, 10),
            dt.date(2006, 11, 20),
            1,
            ["SUP"],
            [],
        ),
    ]
    written = everything_written(out)
    for value in PII + CRNS:
        assert value not in written


def test_tolerated_formats_load(tmp_path):
    """BOM, CRLF with trailing blank lines, reordered and extra columns, header-only file."""
    result, out = run(tmp_path, "tolerated")
    assert result.status == "loaded"
    assert result.message == "registrations.csv: ignored unknown column(s) comment"
    assert [(f.file, f.rows_in, f.rows_loaded) for f in result.files] == [
        ("events.csv", 2, 2),
        ("registrations.csv", 2, 2),
        ("contacts.csv", 3, 3),
        ("oasys_assessments.csv", 2, 2),
        ("oasys_needs.csv", 0, 0),
        ("sentence_plans.csv", 2, 2),
        ("plan_objectives.csv", 2, 2),
        ("case_readings.csv", 0, 0),
    ]
    assert quarantine(out) == []
    assert_reconciled(result, out)
    assert query(
        f"SELECT registration_id, case_key, register_type, register_level, registration_date, "
        f"deregistration_date FROM '{out}/registrations.parquet' ORDER BY registration_id"
    ) == [
        (10, KEY_1, "MAPP", "M2", dt.date(2006, 4, 1), None),
        (11, KEY_2, "RHRH", None, dt.date(2006, 12, 1), dt.date(2007, 2, 1)),
    ]
    assert query(f"SELECT contact_id, ns_contact FROM '{out}/contacts.parquet' ORDER BY 1") == [
        (100, "Y"),
        (101, "Y"),
        (102, "N"),
    ]


@pytest.mark.parametrize(
    ("padding", "trimmed"),
    [
        ("100, A000001 ,1,2006-03-03 ,COAI,Y, Y", True),  # spaces: trimmed
        ("100,A000001,1,2006-03-03,COAI,Y,\u00a0Y\u3000", True),  # not ASCII: trimmed
        ("100,A000001,1,2006-03-03,COAI,Y,Y", False),  # plain ASCII, no space at an edge
    ],
)
def test_values_are_trimmed_wherever_a_file_may_pad_them(tmp_path, padding, trimmed):
    """Typing skips trim() only in a plain ASCII file with no space beside a delimiter."""
    landing = land(tmp_path)
    contacts = landing / AS_OF.isoformat() / AREA / CONTACTS.file_name
    lines = contacts.read_text(encoding="utf-8").splitlines()
    contacts.write_text("\n".join([lines[0], padding, *lines[2:]]) + "\n", encoding="utf-8")
    data = contacts.read_bytes()
    assert files.padded(data, ascii_only=data.isascii()) is trimmed
    result = ingest_landed(landing, AS_OF, AREA, tmp_path / "out", SECRET)
    assert result.status == "loaded"
    assert quarantine(tmp_path / "out") == []
    assert query(
        f"SELECT contact_id, case_key, contact_date, ns_contact "
        f"FROM '{tmp_path}/out/contacts.parquet' ORDER BY 1"
    ) == [
        (100, KEY_1, dt.date(2006, 3, 3), "Y"),
        (101, KEY_1, dt.date(2006, 3, 20), "Y"),
        (102, KEY_2, dt.date(2006, 11, 21), "N"),
    ]


@pytest.mark.parametrize(
    ("data", "padded"),
    [
        (b"a,b\nfree text,x\n", False),  # spaces only inside values
        (b"a,b\nx ,y\n", True),  # before a delimiter
        (b"a,b\nx, y\n", True),  # after a delimiter
        (b"a,b\nx,y \n", True),  # before a line end
        (b"a,b\n x,y\n", True),  # after a line end
        (b"a,b\r\nx,y \r\n", True),  # before a carriage return
        (b" a,b\nx,y\n", True),  # the file's first byte
        (b"a,b\nx,y ", True),  # the file's last byte
        (b"a,b\nx,y\n", False),  # no space at all
    ],
)
def test_a_plain_file_is_padded_exactly_where_a_space_touches_a_value_edge(data, padded):
    assert files.padded(data, ascii_only=True) is padded


def test_an_empty_field_of_a_plain_file_is_blank(tmp_path):
    """A plain file (typed straight from DuckDB's reader, no trim) reads an empty field as blank."""
    landing = land(tmp_path)
    contacts = landing / AS_OF.isoformat() / AREA / CONTACTS.file_name
    lines = contacts.read_text(encoding="utf-8").splitlines()
    contacts.write_text(
        "\n".join([lines[0], "100,A000001,1,2006-03-03,,Y,Y", *lines[2:]]) + "\n",
        encoding="utf-8",
    )
    assert files.padded(contacts.read_bytes(), ascii_only=True) is False
    result = ingest_landed(landing, AS_OF, AREA, tmp_path / "out", SECRET)
    assert result.status == "loaded"
    assert quarantine(tmp_path / "out") == [
        ("contacts.csv", 2, "value_missing", KEY_1, "contact_type is blank")
    ]


def test_rows_sharing_a_malformed_crn_are_neither_duplicates_nor_parents(tmp_path):
    """Keys and parents are matched by crn only where it is well-formed (has a case_key)."""
    landing = land(tmp_path)
    area = landing / AS_OF.isoformat() / AREA
    event = "x12,1,DUR,Xerxes,Olwen,1971-01-01,,CO,2006-01-01,,,2,SUP,,DUR001\n"
    with (area / "events.csv").open("a", encoding="utf-8") as events:
        events.write(event + event)
    with (area / CONTACTS.file_name).open("a", encoding="utf-8") as contacts:
        contacts.write("103,x12,1,2006-03-03,COAI,Y,Y\n104,y34,1,2006-03-03,COAI,Y,Y\n")
    ingest_landed(landing, AS_OF, AREA, tmp_path / "out", SECRET)
    malformed = "crn does not match [A-Z][0-9]{6}"
    assert quarantine(tmp_path / "out") == [
        ("contacts.csv", 5, "value_invalid", None, malformed),
        ("contacts.csv", 6, "value_invalid", None, malformed),
        ("events.csv", 4, "value_invalid", None, malformed),
        ("events.csv", 5, "value_invalid", None, malformed),
    ]


def key(crn: str) -> str:
    return identity.case_key(crn, SECRET)


# tests/corpus/row_defects: one row per defect; (file, line, rule, case_key, detail)
ROW_DEFECTS = [
    ("contacts.csv", 5, "code_unknown", KEY_1, "contact_type=<AAAA> is not a known code"),
    ("contacts.csv", 6, "value_invalid", None, "crn does not match [A-Z][0-9]{6}"),
    ("contacts.csv", 7, "value_missing", KEY_1, "contact_type is blank"),
    ("contacts.csv", 8, "orphan", KEY_1, "crn,event_number has no matching row in events.csv"),
    ("contacts.csv", 9, "code_unknown", KEY_1, "attended=<A> is not a known code"),
    ("contacts.csv", 10, "field_count", None, "has 8 fields, the header has 7"),
    ("contacts.csv", 11, "value_invalid", KEY_1, "event_number=<a> is not a whole number"),
    ("contacts.csv", 12, "code_unknown", KEY_1, "contact_type=<AAAA> is not a known code"),
    (
        "contacts.csv",
        12,
        "date_after_export",
        KEY_1,
        "contact_date='2007-07-01' is after the export date",
    ),
    ("contacts.csv", 13, "field_count", None, "has 6 fields, the header has 7"),
    (
        "events.csv",
        4,
        "date_unparseable",
        key("A000003"),
        "sentence_date=<00/00/0000> is not a YYYY-MM-DD date",
    ),
    (
        "events.csv",
        5,
        "date_unparseable",
        key("A000004"),
        "sentence_date=<0000-00-00> is not a YYYY-MM-DD date",
    ),
    (
        "events.csv",
        6,
        "date_unparseable",
        key("A000005"),
        "sentence_date=<00000> is not a YYYY-MM-DD date",
    ),
    (
        "events.csv",
        7,
        "date_after_export",
        key("A000006"),
        "sentence_date=<0000-00-00> is after the export date",
    ),
    (
        "events.csv",
        8,
        "date_order",
        key("A000007"),
        "termination_date=<0000-00-00> is before supervision_start",
    ),
    ("events.csv", 9, "date_before_1900", key("A000008"), "date_of_birth is before 1900-01-01"),
    # a code list's detail names only its unknown elements' shapes, never the whole value;
    # in events (a file with personal data) even a date is shown only by its shape
    (
        "events.csv",
        10,
        "code_unknown",
        key("A000009"),
        "diversity_needs has unknown code(s) <AAA>",
    ),
    (
        "events.csv",
        10,
        "code_unknown",
        key("A000009"),
        "requirements has unknown code(s) <AAA>,<AAA>",
    ),
    (
        "events.csv",
        11,
        "area_mismatch",
        key("A000010"),
        "area_code='NBR' is not the area of the export folder",
    ),
    (
        "events.csv",
        12,
        "value_conflict",
        key("A000011"),
        "release_date=<0000-00-00> is given for a CO or SSO event",
    ),
    ("events.csv", 13, "value_invalid", key("A000012"), "tier='7' is outside 1..4"),
    (
        "events.csv",
        14,
        "key_duplicate",
        key("A000013"),
        "crn,event_number is shared by another row",
    ),
    (
        "events.csv",
        15,
        "key_duplicate",
        key("A000013"),
        "crn,event_number is shared by another row",
    ),
    ("events.csv", 16, "field_count", None, "has 16 fields, the header has 15"),
    ("events.csv", 17, "value_missing", key("A000015"), "release_date is blank for a LIC event"),
    (
        "oasys_assessments.csv",
        4,
        "date_order",
        KEY_1,
        "date_completed='2006-03-04' is before initiation_date='2006-03-05'",
    ),
    (
        "oasys_assessments.csv",
        5,
        "value_conflict",
        KEY_1,
        "date_completed='2006-03-10' is given for an assessment neither SIGNED nor COMPLETE",
    ),
    ("oasys_assessments.csv", 6, "code_unknown", KEY_1, "purpose_code='999' is not a known code"),
    ("oasys_needs.csv", 4, "code_unknown", KEY_1, "section='13' is not a known code"),
    (
        "oasys_needs.csv",
        5,
        "orphan",
        None,
        "oasys_set_pk='599' has no matching row in oasys_assessments.csv",
    ),
    (
        "plan_objectives.csv",
        5,
        "orphan",
        None,
        "plan_id='799' has no matching row in sentence_plans.csv",
    ),
    ("plan_objectives.csv", 6, "code_unknown", KEY_1, "who_does_work=<AAA> is not a known code"),
    (
        "registrations.csv",
        4,
        "date_before_1990",
        KEY_1,
        "registration_date='1989-12-31' is before 1990-01-01",
    ),
    (
        "registrations.csv",
        5,
        "date_order",
        KEY_1,
        "deregistration_date='2006-04-30' is before registration_date='2006-05-01'",
    ),
    ("registrations.csv", 6, "orphan", key("A000099"), "crn has no matching row in events.csv"),
    (
        "registrations.csv",
        7,
        "value_missing",
        KEY_1,
        "register_level is blank for a MAPP registration",
    ),
    (
        "sentence_plans.csv",
        4,
        "date_order",
        KEY_1,
        "plan_date='2006-02-01' is before the sentence_date of its event",
    ),
    ("sentence_plans.csv", 5, "value_missing", KEY_1, "plan_date is blank"),
]


@pytest.fixture(scope="module")
def row_defects(tmp_path_factory):
    return run(tmp_path_factory.mktemp("row_defects"), "row_defects")


def test_row_defects_are_quarantined_with_rule_and_line(row_defects):
    result, out = row_defects
    assert (result.status, result.message) == ("loaded", "")
    assert quarantine(out) == ROW_DEFECTS


def test_row_defects_reconcile_and_keep_pii_out(row_defects):
    """Nothing written, Data Docs included, holds a name, birth date, PNC or crn."""
    result, out = row_defects
    assert_reconciled(result, out)
    data_docs.build_data_docs(out / "gx")
    assert [(f.file, f.rows_in, f.rows_loaded, f.rows_quarantined) for f in result.files] == [
        ("events.csv", 16, 2, 14),
        ("registrations.csv", 6, 2, 4),
        ("contacts.csv", 12, 3, 9),
        ("oasys_assessments.csv", 5, 2, 3),
        ("oasys_needs.csv", 4, 2, 2),
        ("sentence_plans.csv", 4, 2, 2),
        ("plan_objectives.csv", 4, 2, 2),
        ("case_readings.csv", 0, 0, 0),
    ]
    written = everything_written(out)
    for value in PII + CRNS:
        assert value not in written


@pytest.mark.parametrize(
    "defect, message",
    [
        (
            "missing_column",
            "contacts.csv: missing required column(s) ns_contact: ask the area to fix the "
            "export layout",
        ),
        ("empty_file", "events.csv is empty (no header row): ask the area to resend it"),
        (
            "cp1252",
            "plan_objectives.csv is not valid UTF-8 (byte 0xe9 on line 2): ask the area to "
            "re-export it as UTF-8",
        ),
        (
            "manifest_rows",
            "contacts.csv has 3 rows but _manifest.json says 4 (truncated transfer): ask the "
            "area to resend",
        ),
    ],
)
def test_file_defect_rejects_the_area(tmp_path, defect, message):
    result, out = run(tmp_path, defect)
    assert result.status == "rejected"
    assert result.message == f"DUR 2007-06-04 rejected, nothing loaded: {message}"
    assert result.files == []
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == ["result.json"]
    assert read_result(out) == result


def test_missing_file_rejects_and_clears_a_previous_run(tmp_path):
    landing = land(tmp_path)
    (landing / AS_OF.isoformat() / AREA / "sentence_plans.csv").unlink()
    out = tmp_path / "out"
    out.mkdir()
    for stale in ("events.parquet", "quarantine.parquet", "result.json"):
        (out / stale).write_text("from a previous run")
    result = ingest_landed(landing, AS_OF, AREA, out, SECRET)
    assert result.status == "rejected"
    assert result.message == (
        "DUR 2007-06-04 rejected, nothing loaded: sentence_plans.csv is missing: ask the "
        "area to resend the full export"
    )
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == ["result.json"]


def write_manifest(landing: Path) -> dict:
    """A correct _manifest.json for the landed area."""
    area = landing / AS_OF.isoformat() / AREA
    files = {
        e.file_name: {
            "rows": len((area / e.file_name).read_text().splitlines()) - 1,
            "sha256": hashlib.sha256((area / e.file_name).read_bytes()).hexdigest(),
        }
        for e in EXPORT_FILES
    }
    manifest = {"export_date": AS_OF.isoformat(), "area_code": AREA, "files": files}
    (area / "_manifest.json").write_text(json.dumps(manifest))
    return manifest


@pytest.mark.parametrize(
    "change, problem",
    [
        (
            lambda m: m["files"]["events.csv"].update(sha256="0" * 64),
            "events.csv: sha256 differs from _manifest.json (truncated or corrupted transfer)",
        ),
        (
            lambda m: m.update(area_code="NBR"),
            "_manifest.json is for 'NBR' '2007-06-04', not DUR 2007-06-04",
        ),
    ],
)
def test_manifest_mismatch_rejects(tmp_path, change, problem):
    landing = land(tmp_path)
    manifest = write_manifest(landing)
    change(manifest)
    (landing / AS_OF.isoformat() / AREA / "_manifest.json").write_text(json.dumps(manifest))
    result = ingest_landed(landing, AS_OF, AREA, tmp_path / "out", SECRET)
    assert result.status == "rejected"
    assert problem in result.message


@pytest.mark.parametrize("bad", ["../x", "WAR;DROP", "dur", ""])
def test_bad_area_code_is_refused_before_any_path(tmp_path, bad):
    out = tmp_path / "out"
    with pytest.raises(ValueError, match="is not a probation area code"):
        ingest_landed(tmp_path, AS_OF, bad, out, SECRET)
    assert not out.exists()
