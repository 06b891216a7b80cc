"""caseaudit installs as a package: the wheel carries every stage's SQL, suites and reference
data, and a fresh virtual environment runs a night from a folder outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow
DATA_SUFFIXES = (".sql", ".j2", ".json", ".csv", ".toml", ".css", ".js", ".woff2")


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, f"{command}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, PROJECT_ROOT, cwd=out)
    (built,) = out.glob("caseaudit-*.whl")
    return built


def test_the_wheel_carries_every_data_file_of_the_package(wheel):
    source = {
        str(p.relative_to(PROJECT_ROOT))
        for p in (PROJECT_ROOT / "pipelines").rglob("*")
        if p.suffix in DATA_SUFFIXES and "__pycache__" not in p.parts
    }
    with zipfile.ZipFile(wheel) as archive:
        packed = {n for n in archive.namelist() if n.startswith("pipelines/")}
    assert len(source) > 80
    assert source <= packed, sorted(source - packed)


def test_a_fresh_environment_runs_a_night_outside_the_checkout(wheel, tmp_path):
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    python, caseaudit = venv / "bin" / "python", venv / "bin" / "caseaudit"
    constraints = PROJECT_ROOT / "constraints.txt"
    run(python, "-m", "pip", "install", "-q", "-c", constraints, wheel, cwd=tmp_path)
    where = run(python, "-c", "import pipelines; print(pipelines.__file__)", cwd=tmp_path)
    assert where.startswith(str(venv)), where
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASEAUDIT_", "PYTHON"))}
    env |= {"CASEAUDIT_DATA": str(tmp_path / "data"), "GX_ANALYTICS_ENABLED": "False"}
    env |= {"CASEAUDIT_EXPECTED_AREAS": "WAR"}
    night = ("--from", "2006-09-04", "--to", "2006-09-04", "--areas", "WAR", "--scale", "0.02")
    run(caseaudit, "generate", "--out", "landing", *night, cwd=tmp_path, env=env)
    run(caseaudit, "run", "--landing", "landing", "--as-of", "2006-09-04", cwd=tmp_path, env=env)
    published = tmp_path / "data" / "publish" / "2006-09-04"
    assert {p.name for p in published.iterdir()} >= {
        "scorecard.csv",
        "benchmark.csv",
        "data_quality.csv",
        "report.html",
        "data_docs",
    }
    assert (published / "scorecard.csv").read_text().count(",WAR,") > 10
