"""Two runs of one night at once, and paths no SQL string may break.

Each run of a night works in its own folder and the writers take turns, so two
`caseaudit run` of the same night started together both finish, and leave the
warehouse a single run leaves. Every path reaches SQL as a parameter or an
escaped literal, so folders named with a quote work.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines import cli, synth
from tests.warehouse_tables import all_rows

pytestmark = pytest.mark.slow
NIGHT = dt.date(2006, 9, 4)
AREAS = ["WAR", "DUR"]


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    synth.generate(out, [NIGHT], AREAS, scale=0.02, seed=12, defect_rate=0.02)
    return out


def run_argv(landing: Path, root: Path) -> list[str]:
    return [
        "run", "--landing", str(landing), "--as-of", NIGHT.isoformat(), "--areas", ",".join(AREAS),
        "--warehouse", str(root / "warehouse.duckdb"), "--publish", str(root / "publish"),
    ]  # fmt: skip


def test_two_runs_of_a_night_at_once_both_finish_as_one_would(landing, tmp_path):
    shared = tmp_path / "shared"
    env = os.environ | {"CASEAUDIT_WORK": str(shared / "work"), "CASEAUDIT_CASE_KEY_SECRET": "s"}
    caseaudit = Path(sys.executable).with_name("caseaudit")
    command = [str(caseaudit), *run_argv(landing, shared)]
    runs = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outcomes = [(r.wait(timeout=600), r.stderr.read()) for r in runs]
    assert [code for code, _ in outcomes] == [0, 0], [err[-2000:] for _, err in outcomes]
    alone = tmp_path / "alone"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CASEAUDIT_WORK", str(alone / "work"))
        patch.setenv("CASEAUDIT_CASE_KEY_SECRET", "s")
        assert cli.main(run_argv(landing, alone)) == 0
    together, single = all_rows(shared / "warehouse.duckdb"), all_rows(alone / "warehouse.duckdb")
    runs_together = together.pop("audit.runs")
    assert runs_together == sorted(single.pop("audit.runs") * 2)
    assert together == single
    for name in ("scorecard.csv", "benchmark.csv", "data_quality.csv"):
        both = [r / "publish" / NIGHT.isoformat() / name for r in (shared, alone)]
        assert both[0].read_bytes() == both[1].read_bytes(), name


def test_folders_named_with_a_quote_break_no_statement(landing, tmp_path, monkeypatch):
    root = tmp_path / 'it\'s "here"'
    monkeypatch.setenv("CASEAUDIT_WORK", str(root / "wo'rk"))
    assert cli.main(run_argv(landing, root)) == 0
    assert (root / "publish" / NIGHT.isoformat() / "scorecard.csv").stat().st_size > 0
    assert (root / "wo'rk" / "validated" / "events.domain.parquet").is_file()
