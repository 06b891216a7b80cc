"""The synthetic export generator: deterministic, consistent night to night, on contract.

Contract checks run in DuckDB over the written CSVs, from the contract module's own
code lists, patterns and date orders, so the generator is held to what ingest enforces.
"""

from __future__ import annotations

import csv
import datetime as dt
import filecmp
import hashlib
import json
import re
from pathlib import Path

import duckdb
import pytest

from pipelines import synth
from pipelines.contract import exports as c
from pipelines.contract.reference import areas

D1, D2 = dt.date(2006, 9, 4), dt.date(2006, 11, 6)
SMALL = 0.02
POPULATION = {a.code: a.population_millions for a in areas()}


def _generate(root: Path, dates=(D1, D2), codes=("DUR", "WAR"), **options) -> synth.GenerateSummary:
    options.setdefault("scale", SMALL)
    options.setdefault("seed", 7)
    return synth.generate(root, list(dates), list(codes), **options)


def _files(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("landing")
    _generate(root)
    return root


# ---------------------------------------------------------------- contract in DuckDB


def _sql_list(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _column_checks(export: c.ExportFile, as_of: dt.date) -> dict[str, str]:
    """name -> SQL condition true on a violating row, one per rule of the contract."""
    checks = {}
    for col in export.columns:
        q = f'"{col.name}"'
        if col.required:
            checks[f"{col.name} missing"] = f"{q} is null or trim({q}) = ''"
        if col.kind == "int":
            checks[f"{col.name} not int"] = f"{q} is not null and try_cast({q} as bigint) is null"
            if col.minimum is not None:
                checks[f"{col.name} < min"] = f"try_cast({q} as bigint) < {col.minimum}"
            if col.maximum is not None:
                checks[f"{col.name} > max"] = f"try_cast({q} as bigint) > {col.maximum}"
        if col.kind == "date":
            earliest = c.EARLIEST_BIRTH_DATE if col.name == "date_of_birth" else c.EARLIEST_DATE
            checks[f"{col.name} not ISO"] = (
                f"{q} is not null and (not regexp_full_match({q}, '\\d{{4}}-\\d{{2}}-\\d{{2}}') "
                f"or try_strptime({q}, '%Y-%m-%d') is null)"
            )
            checks[f"{col.name} too early"] = f"try_cast({q} as date) < date '{earliest}'"
            checks[f"{col.name} after as_of"] = f"try_cast({q} as date) > date '{as_of}'"
        if col.codes is not None and col.kind != "codes":
            checks[f"{col.name} unknown code"] = (
                f"{q} is not null and {q} not in ({_sql_list(col.codes)})"
            )
        if col.kind == "codes":
            checks[f"{col.name} unknown code"] = (
                f"{q} is not null and len(list_filter(string_split({q}, '|'), "
                f"lambda x: x not in ({_sql_list(col.codes)}))) > 0"
            )
        if col.pattern:
            checks[f"{col.name} pattern"] = f"not regexp_full_match({q}, '{col.pattern}')"
    start = "case when sentence_type = 'LIC' then release_date else sentence_date end"
    extra = {
        "events": {
            "release_date before sentence_date": "release_date::date < sentence_date::date",
            "termination before start": f"termination_date::date < ({start})::date",
            "release_date not iff LIC": "(sentence_type = 'LIC') <> (release_date is not null)",
        },
        "registrations": {
            "deregistration before registration": (
                "deregistration_date::date < registration_date::date"
            ),
            "level not iff MAPP": "(register_type = 'MAPP') <> (register_level is not null)",
        },
        "contacts": {
            "incident attended not blank": (
                f"contact_type in ({_sql_list(c.INCIDENT_CONTACT_TYPES)}) and attended is not null"
            ),
        },
        "oasys_assessments": {
            "completed before initiation": "date_completed::date < initiation_date::date",
            "voided before initiation": "voided_date::date < initiation_date::date",
            "completed not iff SIGNED/COMPLETE": (
                "(assessment_status in ('SIGNED', 'COMPLETE')) <> (date_completed is not null)"
            ),
            "rosh_level blank when complete": (
                "assessment_status in ('SIGNED', 'COMPLETE') and rosh_level is null"
            ),
        },
        "sentence_plans": {
            "progress on INITIAL": "plan_type = 'INITIAL' and progress_recorded is not null",
        },
    }
    checks.update(extra.get(export.name, {}))
    return checks


def contract_violations(folder: Path, as_of: dt.date) -> dict[str, int]:
    """Count of violating rows per rule; an empty dict means the folder is on contract."""
    con = duckdb.connect()
    found = {}
    for export in c.EXPORT_FILES:
        path = folder / export.file_name
        header = path.read_text(encoding="utf-8").split("\n", 1)[0]
        if header != ",".join(export.column_names):
            found[f"{export.name}: header"] = 1
        con.execute(
            f"create view {export.name} as select * from read_csv('{path}', header = true, "
            "all_varchar = true, strict_mode = true)"
        )
        checks = _column_checks(export, as_of)
        sums = ", ".join(f"count(*) filter (where {cond})" for cond in checks.values())
        for name, count in zip(
            checks, con.execute(f"select {sums} from {export.name}").fetchone(), strict=True
        ):
            if count:
                found[f"{export.name}: {name}"] = count
        keys = ", ".join(export.key)
        dup = con.execute(
            f"select count(*) - count(distinct ({keys})) from {export.name}"
        ).fetchone()[0]
        if dup:
            found[f"{export.name}: duplicate key"] = dup
    relations = {
        "registration crn without event": (
            "select count(*) from registrations where crn not in (select crn from events)"
        ),
        "contact without event": (
            "select count(*) from contacts anti join events using (crn, event_number)"
        ),
        "assessment without event": (
            "select count(*) from oasys_assessments anti join events using (crn, event_number)"
        ),
        "plan without event": (
            "select count(*) from sentence_plans anti join events using (crn, event_number)"
        ),
        "need without assessment": (
            "select count(*) from oasys_needs anti join oasys_assessments using (oasys_set_pk)"
        ),
        "plan assessment missing": (
            "select count(*) from sentence_plans p where oasys_set_pk is not null and "
            "oasys_set_pk not in (select oasys_set_pk from oasys_assessments)"
        ),
        "objective without plan": (
            "select count(*) from plan_objectives anti join sentence_plans using (plan_id)"
        ),
        "plan before sentence": (
            "select count(*) from sentence_plans p join events e using (crn, event_number) "
            "where p.plan_date::date < e.sentence_date::date"
        ),
        "crn shared by two offenders": (
            "select count(*) from (select crn from events group by crn "
            "having count(distinct (surname, forename, date_of_birth)) > 1)"
        ),
    }
    for name, sql in relations.items():
        count = con.execute(sql).fetchone()[0]
        if count:
            found[name] = count
    return found


def test_defect_free_exports_are_on_contract(landing):
    for as_of in (D1, D2):
        for code in ("DUR", "WAR"):
            folder = landing / as_of.isoformat() / code
            assert contract_violations(folder, as_of) == {}, folder


def test_checker_catches_a_broken_file(landing, tmp_path):
    """The contract check itself can fail: a date after as_of and a bad code are found."""
    folder = tmp_path / "area"
    folder.mkdir()
    for path in (landing / D1.isoformat() / "DUR").iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    lines = (folder / "contacts.csv").read_text().splitlines()
    fields = lines[1].split(",")
    fields[3], fields[4] = "2099-01-01", "CTEL"
    lines[1] = ",".join(fields)
    (folder / "contacts.csv").write_text("\n".join(lines) + "\n")
    assert contract_violations(folder, D1) == {
        "contacts: contact_date after as_of": 1,
        "contacts: contact_type unknown code": 1,
    }


# ---------------------------------------------------------------- determinism


def test_same_seed_gives_the_same_bytes(landing, tmp_path):
    _generate(tmp_path)
    assert _files(tmp_path) == _files(landing)
    for name in _files(landing):
        assert (tmp_path / name).read_bytes() == (landing / name).read_bytes(), name


def test_another_seed_gives_other_data(landing, tmp_path):
    _generate(tmp_path, seed=8)
    for name in ("events.csv", "contacts.csv", "plan_objectives.csv"):
        path = Path(D2.isoformat()) / "DUR" / name
        assert (tmp_path / path).read_bytes() != (landing / path).read_bytes()


def test_an_area_does_not_depend_on_the_other_areas(landing, tmp_path):
    _generate(tmp_path, codes=("WAR",))
    compare = filecmp.dircmp(tmp_path / D2.isoformat() / "WAR", landing / D2.isoformat() / "WAR")
    assert compare.diff_files == [] and compare.left_only == [] and len(compare.same_files) == 8


def test_a_night_does_not_depend_on_the_other_dates(landing, tmp_path):
    _generate(tmp_path, dates=(D2,))
    for name in _files(tmp_path):
        assert (tmp_path / name).read_bytes() == (landing / name).read_bytes(), name


# ---------------------------------------------------------------- snapshots over time


def _by_key(path: Path, key: tuple[str, ...]) -> dict[tuple[str, ...], dict[str, str]]:
    return {tuple(r[k] for k in key): r for r in _rows(path)}


def test_a_later_night_keeps_every_row_of_an_earlier_one(landing):
    """Rows only disappear with an event that ended more than 24 months before."""
    early, late = landing / D1.isoformat() / "WAR", landing / D2.isoformat() / "WAR"
    retention = D2 - dt.timedelta(days=synth.RETENTION_DAYS)
    events_then = _by_key(early / "events.csv", c.EVENTS.key)
    events_now = _by_key(late / "events.csv", c.EVENTS.key)
    gone = {k for k in events_then if k not in events_now}
    assert gone, "the window should drop some events between the two nights"
    for key in gone:
        termination = events_then[key]["termination_date"]
        assert termination and dt.date.fromisoformat(termination) < retention
    assert len(events_now) > len(events_then) - len(gone)

    contacts_then = _by_key(early / "contacts.csv", c.CONTACTS.key)
    contacts_now = _by_key(late / "contacts.csv", c.CONTACTS.key)
    for key, row in contacts_then.items():
        if (row["crn"], row["event_number"]) in gone:
            assert key not in contacts_now
        else:
            assert contacts_now[key] == row  # contacts never change once written
    assert set(contacts_now) - set(contacts_then), "a later night adds contacts"

    for export in (c.OASYS_ASSESSMENTS, c.SENTENCE_PLANS):
        then = _by_key(early / export.file_name, export.key)
        now = _by_key(late / export.file_name, export.key)
        assert set(now) - set(then), "a later night adds rows"
        for key, row in then.items():
            assert (key in now) == ((row["crn"], row["event_number"]) not in gone), key
    crns_now = {crn for crn, _ in events_now}
    registrations_now = _by_key(late / "registrations.csv", c.REGISTRATIONS.key)
    for key, row in _by_key(early / "registrations.csv", c.REGISTRATIONS.key).items():
        assert (key in registrations_now) == (row["crn"] in crns_now), key


def test_an_assessment_completed_after_the_night_is_open_that_night(landing):
    then = _by_key(landing / D1.isoformat() / "WAR" / "oasys_assessments.csv", ("oasys_set_pk",))
    now = _by_key(landing / D2.isoformat() / "WAR" / "oasys_assessments.csv", ("oasys_set_pk",))
    finished_later = [
        k
        for k, r in now.items()
        if k in then and r["date_completed"] and r["date_completed"] > D1.isoformat()
    ]
    assert finished_later
    for key in finished_later:
        assert then[key]["assessment_status"] == "OPEN"
        assert then[key]["date_completed"] == then[key]["rosh_level"] == ""
        assert then[key]["initiation_date"] == now[key]["initiation_date"]


# ---------------------------------------------------------------- manifests and PII


def test_manifests_describe_the_files(landing):
    manifests = sorted(landing.rglob(c.MANIFEST_NAME))
    assert len(manifests) == 4
    for manifest_path in manifests:
        manifest = json.loads(manifest_path.read_text())
        folder = manifest_path.parent
        assert manifest["export_date"] == folder.parent.name
        assert manifest["area_code"] == folder.name
        assert sorted(manifest["files"]) == sorted(f.file_name for f in c.EXPORT_FILES)
        for name, entry in manifest["files"].items():
            data = (folder / name).read_bytes()
            assert entry["sha256"] == hashlib.sha256(data).hexdigest()
            assert entry["rows"] == data.count(b"\n") - 1
            assert b"\r" not in data and data.endswith(b"\n")


def test_summary_counts_what_was_written(tmp_path):
    summary = _generate(tmp_path, dates=(D1,), codes=("DUR",))
    assert summary.files_written == 8
    for export in c.EXPORT_FILES:
        assert summary.rows_by_file[export.file_name] == len(
            _rows(tmp_path / D1.isoformat() / "DUR" / export.file_name)
        )
    assert summary.cases == summary.rows_by_file["events.csv"] > 0


def test_personal_data_is_fake_and_populated(landing):
    events = _rows(landing / D2.isoformat() / "WAR" / "events.csv")
    assert all(r["surname"] in synth.SURNAMES and r["forename"] in synth.FORENAMES for r in events)
    ages = [(D2 - dt.date.fromisoformat(r["date_of_birth"])).days / 365.25 for r in events]
    assert min(ages) >= 18 and max(ages) < 80
    pnc = [r["pnc_number"] for r in events]
    filled = [p for p in pnc if p]
    assert all(re.fullmatch(r"\d{2}/\d{6}[A-Z]", p) for p in filled)
    assert 0.8 < len(filled) / len(pnc) < 1.0
    assert len({r["crn"] for r in events}) > 0.8 * len(events)


def test_crns_are_unique_across_areas(landing):
    crns = {
        code: {r["crn"] for r in _rows(landing / D2.isoformat() / code / "events.csv")}
        for code in ("DUR", "WAR")
    }
    assert crns["DUR"] and crns["WAR"] and not crns["DUR"] & crns["WAR"]


def test_progress_is_reported_once_per_night_and_area(tmp_path):
    seen: list[str] = []
    _generate(tmp_path, progress=seen.append)
    assert sorted(seen) == sorted(f"{d.isoformat()} {a}" for d in (D1, D2) for a in ("DUR", "WAR"))


def test_unknown_area_is_refused(tmp_path):
    with pytest.raises(ValueError, match="XYZ"):
        _generate(tmp_path, codes=("XYZ",))


# ---------------------------------------------------------------- realism


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sample")
    synth.generate(root, [D2], ["DUR", "GMN", "WMD", "KEN", "NOT"], scale=0.1, seed=3)
    return root


def _query(root: Path, sql: str) -> list[tuple]:
    con = duckdb.connect()
    for export in c.EXPORT_FILES:
        pattern = root / D2.isoformat() / "*" / export.file_name
        con.execute(
            f"create view {export.name} as select * from read_csv('{pattern}', header = true, "
            "all_varchar = true, filename = true)"
        )
    return con.execute(sql).fetchall()


def _cohort(root: Path) -> dict[str, int]:
    rows = _query(
        root,
        "select area_code, count(*) from events where coalesce(release_date, sentence_date)::date "
        f"between date '{D2}' - 365 and date '{D2}' group by all",
    )
    return dict(rows)


def test_caseload_follows_population(sample):
    cohort = _cohort(sample)
    for code, cases in cohort.items():
        expected = synth.CASES_PER_MILLION * POPULATION[code] * 0.1
        assert abs(cases / expected - 1) < 0.15, (code, cases, expected)


def test_case_mix_is_plausible(sample):
    ((co, sso, lic, upw_only, tier1, tier4, diverse, second),) = _query(
        sample,
        "select avg((sentence_type = 'CO')::int), avg((sentence_type = 'SSO')::int), "
        "avg((sentence_type = 'LIC')::int), "
        "avg((requirements = 'UPW')::int) filter (where sentence_type <> 'LIC'), "
        "avg((tier = '1')::int), avg((tier = '4')::int), avg((diversity_needs is not null)::int), "
        "avg((event_number = '2')::int) from events",
    )
    assert 0.45 < co < 0.55 and 0.2 < sso < 0.3 and 0.2 < lic < 0.3
    assert 0.12 < upw_only < 0.18
    assert 0.15 < tier1 < 0.25 and 0.1 < tier4 < 0.2
    assert 0.25 < diverse < 0.35 and 0.05 < second < 0.15
    levels = dict(
        _query(
            sample,
            "select rosh_level, count(*) / sum(count(*)) over () from oasys_assessments "
            "where purpose_code in ('430', '440', '450', '500') and rosh_level is not null "
            "group by all",
        )
    )
    assert 0.35 < levels["L"] < 0.45 and 0.4 < levels["M"] < 0.5 and 0.1 < levels["H"] < 0.16


def test_every_rulebook_question_has_evidence(sample):
    """Each kind of row a rule reads exists: incidents, MAPPA, reviews, RoSH objectives..."""
    ((incidents, mappa, child, reviews, terminations, reassess, open_, voided, rosh_obj),) = _query(
        sample,
        "select (select count(*) from contacts where contact_type in ('SIAR', 'SICC', 'SIRC')), "
        "(select count(*) from registrations where register_type = 'MAPP'), "
        "(select count(*) from registrations where register_type in ('RCPR', 'RCCO')), "
        "(select count(*) from sentence_plans where plan_type = 'REVIEW'), "
        "(select count(*) from oasys_assessments where purpose_code in ('330', '340')), "
        "(select count(*) from oasys_assessments where purpose_code = '360'), "
        "(select count(*) from oasys_assessments where assessment_status = 'OPEN'), "
        "(select count(*) from oasys_assessments where voided_date is not null), "
        "(select count(*) from plan_objectives where need_section = 'ROSH')",
    )
    assert min(incidents, mappa, child, reviews, terminations, reassess, open_, voided) > 0
    assert rosh_obj > 0


def test_areas_differ_in_practice(sample):
    """Share of cohort cases whose start assessment is done within 21 days, by area."""
    shares = dict(
        _query(
            sample,
            "with starts as (select e.area_code, e.crn, e.event_number, "
            "coalesce(e.release_date, e.sentence_date)::date as s from events e), "
            "first as (select crn, event_number, min(date_completed::date) as done "
            "from oasys_assessments where purpose_code in ('430', '440', '450', '500') "
            "and voided_date is null group by all) "
            "select area_code, avg((done is not null and done <= s + 21)::int) "
            "from starts left join first using (crn, event_number) "
            f"where s between date '{D2}' - 365 and date '{D2}' - 60 group by all",
        )
    )
    assert all(0.4 < v < 0.9 for v in shares.values()), shares
    assert max(shares.values()) - min(shares.values()) > 0.04, shares


# ---------------------------------------------------------------- defects


def _defect_kinds(path: Path, export: c.ExportFile, as_of: dt.date) -> dict[str, int]:
    """Count each kind of row defect in one file (Python, so misshapen rows are seen)."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    found: dict[str, int] = {}
    keys: dict[tuple, int] = {}

    def note(kind: str) -> None:
        found[kind] = found.get(kind, 0) + 1

    for values in rows:
        if len(values) != len(header):
            note("field_count")
            continue
        row = dict(zip(header, values, strict=True))
        key = tuple(row[k] for k in export.key)
        keys[key] = keys.get(key, 0) + 1
        dates = {}
        for col in export.columns:
            value = row[col.name]
            if not value:
                if col.required:
                    note("missing_required")
                continue
            if col.kind == "date":
                try:
                    dates[col.name] = dt.date.fromisoformat(value)
                except ValueError:
                    note("bad_date")
                    continue
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is None:
                    note("bad_date")
                elif dates[col.name] > as_of and col.name not in ("date_of_birth",):
                    note("future_date")
            elif col.kind == "codes":
                if any(v not in col.codes for v in value.split("|")):
                    note("unknown_code")
            elif col.codes is not None and value not in {str(v) for v in col.codes}:
                note("unknown_code")
        if export.name == "events" and "sentence_date" in dates:
            start = (
                dates.get("release_date")
                if row["sentence_type"] == "LIC"
                else dates["sentence_date"]
            )
            if start and "termination_date" in dates and dates["termination_date"] < start:
                note("date_order")
        for order in export.date_orders:
            later, earlier = dates.get(order.later), dates.get(order.earlier)
            if later and earlier and later < earlier:
                note("date_order")
    duplicated = sum(1 for n in keys.values() if n > 1)
    if duplicated:
        found["duplicate_key"] = duplicated
    return found


def test_defects_of_every_kind_are_injected(tmp_path):
    summary = _generate(tmp_path, dates=(D2,), codes=("DUR",), scale=0.05, defect_rate=0.03)
    folder = tmp_path / D2.isoformat() / "DUR"
    total_rows = 0
    for export in c.EXPORT_FILES:
        found = _defect_kinds(folder / export.file_name, export, D2)
        assert set(found) == set(synth.DEFECT_KINDS[export.name]), (export.name, found)
        total_rows += len(_rows(folder / export.file_name))
    assert 0.02 < summary.defects / total_rows < 0.04
    manifest = json.loads((folder / c.MANIFEST_NAME).read_text())
    for name, entry in manifest["files"].items():
        data = (folder / name).read_bytes()
        assert entry["rows"] == data.count(b"\n") - 1
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()


def test_defects_are_deterministic(tmp_path):
    for run in ("a", "b"):
        _generate(tmp_path / run, dates=(D2,), codes=("DUR",), defect_rate=0.05)
    for name in _files(tmp_path / "a"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
