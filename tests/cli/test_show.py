"""`caseaudit show`: criteria and the questions asked for, band, the national row, the marks
of what the published files suppress, and CSV for scripts (docs/outputs.md)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from pipelines import cli
from pipelines.cli import commands
from tests.warehouse.test_benchmark import NIGHT_2, build_warehouse


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """test_benchmark's two nights in a file; WAR's B1 of night 2 banded Good."""
    root = tmp_path_factory.mktemp("show")
    path = root / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        build_warehouse(con, root / "sql")
        con.execute(
            "UPDATE marts.scorecard SET band = 'Good' WHERE as_of_date = ? AND area_code = 'WAR' "
            "AND criterion_id = 'B1' AND question_id IS NULL",
            [NIGHT_2],
        )
    return path


def show(capsys, warehouse: Path, *extra: str) -> tuple[int, str, str]:
    try:
        code = cli.main(
            ["show", "--as-of", NIGHT_2.isoformat(), "--warehouse", str(warehouse), *extra]
        )
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_csv_has_every_area_and_the_national_row_with_suppression_marked(capsys, warehouse):
    code, out, _ = show(capsys, warehouse, "--format", "csv", "--questions", "B1.1,B1.5")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == [
        "area_code", "area_name", "region", "measure", "met", "evaluated", "pct", "band",
        "suppressed",
    ]  # fmt: skip
    got = {(r["area_code"], r["measure"]): r for r in rows}
    line = ",".join
    assert line(got[("WAR", "B1")].values()) == line(
        ["WAR", "Warwickshire", "West Midlands", "B1", "40", "50", "80.0", "Good", "false"]
    )
    assert line(got[("WAR", "B1.1")].values()) == line(
        ["WAR", "Warwickshire", "West Midlands", "B1.1", "5", "10", "50.0", "", "false"]
    )
    # 4 of 4 is below the threshold of 5: suppressed in the published files
    assert got[("WAR", "B1.5")]["suppressed"] == "true"
    assert got[("LEI", "B1")]["suppressed"] == "true"
    # the national row pools the published figures only: B1 130 of 205 (LEI's 3/4 left out)
    national = got[("national", "B1")]
    assert (national["met"], national["evaluated"], national["pct"]) == ("130", "205", "63.4")
    assert national["band"] == "Requires improvement"
    assert (got[("national", "B1.1")]["met"], got[("national", "B1.1")]["evaluated"]) == (
        "10",
        "20",
    )
    assert got[("national", "B1.5")]["evaluated"] == "0" and got[("national", "B1.5")]["pct"] == ""
    # the criteria always; only the questions asked for
    assert {r["measure"] for r in rows} == {"B1", "B3", "C2", "B1.1", "B1.5"}
    assert [r["area_code"] for r in rows[-5:]] == ["national"] * 5


def test_without_questions_only_the_criteria(capsys, warehouse):
    code, out, _ = show(capsys, warehouse, "--format", "csv")
    assert code == 0
    assert {r["measure"] for r in csv.DictReader(io.StringIO(out))} == {"B1", "B3", "C2"}


def test_table_shows_band_counts_and_the_suppression_mark(capsys, warehouse, monkeypatch):
    monkeypatch.setattr(commands.console, "width", 160)
    code, out, err = show(capsys, warehouse, "--questions", "B1.1")
    assert code == 0 and out == ""
    lines = [" ".join(line.replace("│", " ").split()) for line in err.splitlines()]
    assert "WAR Warwickshire West Midlands B1 80.0 40/50 Good" in lines
    assert "WAR Warwickshire West Midlands B1.1 50.0 5/10 –" in lines
    assert "LEI Leicestershire and Rutland East Midlands B1 75.0 3/4 – *" in lines
    assert "national B1 63.4 130/205 Requires improvement" in lines
    assert "national B1.1 50.0 10/20 Requires improvement" in lines
    assert not any("B1.5" in line for line in lines)
    assert "* suppressed in the published files (fewer than 5 cases" in " ".join(lines)


def test_an_unknown_question_is_a_usage_error(capsys, warehouse):
    code, out, err = show(capsys, warehouse, "--questions", "B1.1,Z9.9")
    assert code == 2
    assert "no such question in the rulebook: Z9.9" in " ".join(err.split())
    assert "Traceback" not in err


def test_an_unknown_format_is_refused_by_the_parser(capsys, warehouse):
    code, _, err = show(capsys, warehouse, "--format", "json")
    assert code == 2 and "invalid choice: 'json'" in err
