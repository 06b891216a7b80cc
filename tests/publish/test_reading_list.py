"""The reading list round-trips: draw it, fill it as readers would, land it, and
marts.agreement counts exactly the judgements that were flipped."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest

from pipelines import cli, synth
from pipelines.contract import identity
from pipelines.publish import reading_list

NIGHT = dt.date(2006, 9, 4)
AREAS = ["WAR", "DUR"]
SECRET = "test-secret"
FLIP = 7  # every 7th scored judgement is written the other way round


def _audit(landing: Path, warehouse: Path) -> None:
    code = cli.main(
        ["run", "--landing", str(landing), "--warehouse", str(warehouse)]
        + ["--as-of", NIGHT.isoformat(), "--areas", ",".join(AREAS)]
    )
    assert code == 0


@pytest.fixture
def loaded(tmp_path, monkeypatch) -> tuple[Path, Path]:
    monkeypatch.setenv("CASEAUDIT_CASE_KEY_SECRET", SECRET)
    monkeypatch.setenv("CASEAUDIT_WORK", str(tmp_path / "work"))
    monkeypatch.setenv("CASEAUDIT_PUBLISH", str(tmp_path / "publish"))
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    synth.generate(landing, [NIGHT], AREAS, scale=0.05, seed=11)
    _audit(landing, warehouse)
    return landing, warehouse


def _sample_argv(landing: Path, warehouse: Path, out: Path) -> list[str]:
    return ["sample", "--as-of", NIGHT.isoformat(), "--warehouse", str(warehouse)] + [
        "--landing",
        str(landing),
        "--reading-list",
        str(out),
        "--n",
        "10",
    ]


def test_a_filled_reading_list_lands_and_agreement_counts_the_flips(loaded, tmp_path, capsys):
    landing, warehouse = loaded
    lists = tmp_path / "private"
    assert cli.main(_sample_argv(landing, warehouse, lists)) == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        derived = {
            (r[0], r[1], r[2]): r[3]
            for r in con.execute(
                "SELECT case_key, event_number, question_id, outcome FROM marts.case_outcomes "
                "WHERE as_of_date = ? AND scope = 'census'",
                [NIGHT],
            ).fetchall()
        }
    expected = {}
    for area in AREAS:
        path = lists / reading_list.file_name(area, NIGHT)
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0] == reading_list.WARNING
        listed = list(csv.DictReader(lines[1:]))
        assert len({(r["crn"], r["event_number"]) for r in listed}) == 10
        scored = flips = 0
        with (landing / NIGHT.isoformat() / area / "case_readings.csv").open("w") as out:
            out.write("crn,event_number,question_id,judgement,reader,read_date\n")
            for r in listed:
                key = identity.case_key(r["crn"], SECRET.encode())
                outcome = derived[(key, int(r["event_number"]), r["question_id"])]
                if outcome == "NOT_DUE":
                    continue
                scored += 1
                flipped = scored % FLIP == 0
                flips += flipped
                judgement = {"MET": "NOT_MET", "NOT_MET": "MET"}[outcome] if flipped else outcome
                out.write(f"{r['crn']},{r['event_number']},{r['question_id']},{judgement},R1,")
                out.write(f"{NIGHT}\n")
        expected[area] = (scored, scored - flips, flips)
    _audit(landing, warehouse)  # the night again, now with its readings
    with duckdb.connect(str(warehouse), read_only=True) as con:
        got = {
            r[0]: (r[1], r[2], r[3])
            for r in con.execute(
                "SELECT area_code, both_scored, agree, met_not_met + not_met_met "
                "FROM marts.agreement WHERE as_of_date = ? AND scope = 'census' "
                "AND level = 'area' AND question_id IS NULL AND criterion_id IS NOT NULL",
                [NIGHT],
            ).fetchall()
        }
        pooled = con.execute(
            "SELECT area_code, sum(both_scored), sum(agree), sum(met_not_met + not_met_met) "
            "FROM marts.agreement WHERE as_of_date = ? AND scope = 'census' "
            "AND level = 'area' AND question_id IS NULL GROUP BY area_code",
            [NIGHT],
        ).fetchall()
        stored = str(con.execute("SELECT * FROM staging.case_readings").fetchall())
    assert got  # one row per area and criterion
    assert {r[0]: tuple(int(v) for v in r[1:]) for r in pooled} == expected
    assert all(scored > 20 and flips > 2 for scored, _, flips in expected.values())
    capsys.readouterr()
    night = ["--as-of", NIGHT.isoformat(), "--warehouse", str(warehouse)]
    assert cli.main(["calibration", *night, "--area", "WAR"]) == 0
    printed = capsys.readouterr().err
    assert f"Calibration {NIGHT} WAR" in printed
    assert all(f"{criterion} " in printed for criterion in ("B1", "B3", "C2"))
    assert cli.main(["calibration", *night]) == 0
    assert f"Calibration {NIGHT} national" in capsys.readouterr().err
    report = tmp_path / "report.html"
    argv = ["report", "--as-of", NIGHT.isoformat(), "--warehouse", str(warehouse)]
    assert cli.main([*argv, "--out", str(report)]) == 0
    html = report.read_text(encoding="utf-8")
    section = html[html.index('<section id="calibration">') :]
    section = section[: section.index("</section>")]
    assert "2 areas sent readings tonight" in section
    assert section.count("<details>") == 2  # one per area
    assert "Where readers and the census disagree most" in section
    for area in AREAS:
        for r in csv.DictReader(
            (lists / reading_list.file_name(area, NIGHT)).open().readlines()[1:]
        ):
            assert r["crn"] not in stored
            assert r["crn"] not in html


def test_a_reading_list_is_never_written_under_the_publish_folder(loaded, tmp_path):
    landing, warehouse = loaded
    inside = tmp_path / "publish" / "lists"
    assert cli.main(_sample_argv(landing, warehouse, inside)) == 2
    assert not inside.exists()
