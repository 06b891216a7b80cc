"""Every error a user or an export can cause: a clear message, a truthful exit status, no
traceback (docs/outputs.md, "Exit status")."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines import cli, synth
from pipelines.contract.exports import EVENTS

NIGHT = dt.date(2006, 9, 4)
AREAS = ["WAR", "DUR"]
SECRET = "test-secret"


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    synth.generate(out, [NIGHT], AREAS, scale=0.02, seed=4)
    return out


@pytest.fixture(scope="module")
def warehouse(landing, tmp_path_factory) -> Path:
    """A warehouse with the night loaded under SECRET."""
    root = tmp_path_factory.mktemp("warehouse")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CASEAUDIT_CASE_KEY_SECRET", SECRET)
        patch.setenv("CASEAUDIT_WORK", str(root / "work"))
        code = cli.main(
            ["run", "--landing", str(landing), "--warehouse", str(root / "w.duckdb")]
            + ["--as-of", NIGHT.isoformat(), "--areas", ",".join(AREAS)]
            + ["--publish", str(root / "publish")]
        )
    assert code == 0
    return root / "w.duckdb"


def caseaudit(capsys, *argv: str) -> tuple[int, str]:
    """cli.main's exit status (argparse's too) and everything it wrote."""
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text
    return code, " ".join(text.split())


@pytest.fixture(autouse=True)
def _secret_and_work(monkeypatch, tmp_path):
    monkeypatch.setenv("CASEAUDIT_CASE_KEY_SECRET", SECRET)
    monkeypatch.setenv("CASEAUDIT_WORK", str(tmp_path / "work"))


def test_a_missing_warehouse_is_a_usage_error(capsys, tmp_path):
    for command in ("show", "explain", "report", "nights"):
        night = [] if command == "nights" else ["--as-of", NIGHT.isoformat()]
        crn = ["--crn", "A123456"] if command == "explain" else []
        code, text = caseaudit(capsys, command, *night, *crn, "--warehouse", tmp_path / "no.duckdb")
        assert code == 2, command
        assert f"no warehouse at {tmp_path / 'no.duckdb'}" in text


def test_a_duckdb_file_that_is_not_a_loaded_warehouse_is_a_usage_error(capsys, tmp_path):
    """Such as one an older version wrote, before a table or view the reads need existed."""
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    for command in ("show", "report", "nights"):
        night = [] if command == "nights" else ["--as-of", NIGHT.isoformat()]
        code, text = caseaudit(capsys, command, *night, "--warehouse", other)
        assert code == 2, command
        assert f"{other} is not a warehouse this version of caseaudit has loaded" in text


def test_an_unknown_night_names_the_loaded_ones(capsys, warehouse):
    code, text = caseaudit(capsys, "show", "--as-of", "2006-09-05", "--warehouse", warehouse)
    assert code == 2
    assert "no night 2006-09-05" in text and "latest loaded: 2006-09-04" in text
    code, text = caseaudit(capsys, "nights", "--warehouse", warehouse)
    assert code == 0 and "2006-09-04" in text


GENERATE = ["generate", "--from", "2006-09-04", "--to"]
BAD_ARGUMENTS = {
    "negative scale": (GENERATE + ["2006-09-04", "--scale", "-1"], "is not a scale above 0"),
    "zero days": (GENERATE + ["2006-09-05", "--every", "0"], "is not a whole number of days"),
    "defect rate": (GENERATE + ["2006-09-04", "--defect-rate", "1.5"], "is not a share from 0"),
    "dates reversed": (
        ["generate", "--from", "2006-09-05", "--to", "2006-09-04"],
        "--to is before",
    ),
    "not a date": (["run", "--as-of", "2006-13-01"], "is not a date YYYY-MM-DD"),
    "not an area": (["run", "--as-of", "2006-09-04", "--areas", "XYZ"], "unknown area code(s) XYZ"),
    "backfill reversed": (
        ["backfill", "--from", "2006-09-05", "--to", "2006-09-04"],
        "--to is before",
    ),
}


@pytest.mark.parametrize(("argv", "message"), BAD_ARGUMENTS.values(), ids=list(BAD_ARGUMENTS))
def test_bad_arguments_are_usage_errors(capsys, tmp_path, argv, message):
    code, text = caseaudit(
        capsys, *argv, "--out" if argv[0] == "generate" else "--warehouse", tmp_path / "x"
    )
    assert code == 2
    assert message in text


def test_a_landing_that_does_not_exist_is_a_usage_error(capsys, tmp_path):
    for command in (
        ["run", "--as-of", "2006-09-04"],
        ["backfill", "--from", "2006-09-01", "--to", "2006-09-30"],
    ):
        code, text = caseaudit(
            capsys,
            *command,
            "--landing",
            tmp_path / "nowhere",
            "--warehouse",
            tmp_path / "w.duckdb",
        )
        assert code == 2
        assert f"no landing folder at {tmp_path / 'nowhere'}" in text


def test_a_night_with_nothing_landed_scores_nothing_and_exits_1(capsys, tmp_path):
    (tmp_path / "landing" / NIGHT.isoformat()).mkdir(parents=True)
    code, text = caseaudit(
        capsys, "run", "--landing", tmp_path / "landing", "--as-of", NIGHT, "--warehouse",
        tmp_path / "w.duckdb", "--publish", tmp_path / "publish",
    )  # fmt: skip
    assert code == 1
    assert "no expected area's export landed for 2006-09-04" in text
    assert not (tmp_path / "w.duckdb").exists() and not (tmp_path / "publish").exists()


def test_an_expected_area_that_did_not_land_is_missing_and_exits_1(capsys, landing, tmp_path):
    code, text = caseaudit(
        capsys, "run", "--landing", landing, "--as-of", NIGHT, "--areas", "WAR,DUR,CUM",
        "--warehouse", tmp_path / "w.duckdb", "--publish", tmp_path / "publish",
    )  # fmt: skip
    assert code == 1
    assert "missing CUM: expected, but no export landed" in text
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        runs = con.execute(
            "SELECT DISTINCT area_code, status FROM audit.runs ORDER BY 1"
        ).fetchall()
    assert runs == [("CUM", "missing"), ("DUR", "loaded"), ("WAR", "loaded")]
    report = (tmp_path / "publish" / NIGHT.isoformat() / "report.html").read_text()
    assert "1 expected but missing" in report


def test_a_rejected_area_exits_1_and_names_the_file(capsys, landing, tmp_path):
    shutil.copytree(landing, tmp_path / "landing")
    (tmp_path / "landing" / NIGHT.isoformat() / "DUR" / EVENTS.file_name).unlink()
    code, text = caseaudit(
        capsys, "run", "--landing", tmp_path / "landing", "--as-of", NIGHT, "--areas", "WAR,DUR",
        "--warehouse", tmp_path / "w.duckdb",
    )  # fmt: skip
    assert code == 1
    assert "rejected DUR: DUR 2006-09-04 rejected, nothing loaded: events.csv is missing" in text


def test_a_changed_case_key_secret_is_refused_unless_accepted(
    capsys, landing, warehouse, monkeypatch, tmp_path
):
    copy = tmp_path / "w.duckdb"
    shutil.copyfile(warehouse, copy)
    monkeypatch.setenv("CASEAUDIT_CASE_KEY_SECRET", "another secret")
    run = ["run", "--landing", landing, "--as-of", NIGHT, "--areas", "WAR,DUR", "--warehouse", copy]
    code, text = caseaudit(capsys, *run)
    assert code == 2
    assert "is not the secret the warehouse's last night was keyed with" in text
    assert "--accept-new-key" in text and "another secret" not in text
    code, _ = caseaudit(capsys, *run, "--accept-new-key")
    assert code == 0
    code, _ = caseaudit(capsys, *run)  # the new key is now the warehouse's
    assert code == 0


def test_a_held_warehouse_waits_then_exits_3(capsys, warehouse, monkeypatch, tmp_path):
    copy = tmp_path / "w.duckdb"
    shutil.copyfile(warehouse, copy)
    hold = f"import duckdb, time; c = duckdb.connect({str(copy)!r}); print('held', flush=True)"
    holder = subprocess.Popen(
        [sys.executable, "-c", hold + "; time.sleep(60)"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("CASEAUDIT_LOCK_WAIT_SECONDS", "2")
        clock = time.monotonic()
        code, text = caseaudit(capsys, "show", "--as-of", NIGHT, "--warehouse", copy)
        assert time.monotonic() - clock >= 2
    finally:
        holder.kill()
        holder.wait()
    assert code == 3
    assert "stayed locked by another process for 2 s" in text


def test_explain_of_a_crn_not_scored_is_a_usage_error(capsys, warehouse):
    code, text = caseaudit(
        capsys, "explain", "--crn", "Z999999", "--as-of", NIGHT, "--warehouse", warehouse
    )
    assert code == 2
    assert "No scored case for that crn on 2006-09-04" in text and "Z999999" not in text
