"""A night whose landing, work and publish live in an S3 bucket, run by workers that share
nothing but the bucket.

A real S3 API server (moto's, from PyPI) serves the bucket on 127.0.0.1. Every
step runs in its own process with its own temporary folder, home and working
directory, as on separate hosts: the plan, the contract's validation, the two
areas side by side, the writer (with the warehouse on its own disk), the Data
Docs and the publishing. The warehouse and the published files equal those of
the same night run locally by `caseaudit run`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines import cli, synth
from tests.conftest import PROJECT_ROOT
from tests.warehouse_tables import all_rows

pytestmark = pytest.mark.slow
NIGHT = dt.date(2006, 9, 4)
AREAS = ["WAR", "DUR"]
SECRET = "bucket-secret"
BUCKET = "caseaudit"


@pytest.fixture(scope="module")
def server():
    from moto.server import ThreadedMotoServer

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    moto.start()
    host, port = moto.get_host_and_port()
    yield f"http://{host}:{port}"
    moto.stop()


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    synth.generate(out, [NIGHT], AREAS, scale=0.02, seed=9, defect_rate=0.03)
    return out


def bucket_env(server: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CASEAUDIT_")}
    return base | {
        "AWS_ACCESS_KEY_ID": "caseaudit",
        "AWS_SECRET_ACCESS_KEY": "caseaudit",
        "AWS_DEFAULT_REGION": "us-east-1",
        "FSSPEC_S3_ENDPOINT_URL": server,
        "CASEAUDIT_LANDING": f"s3://{BUCKET}/landing",
        "CASEAUDIT_WORK": f"s3://{BUCKET}/work",
        "CASEAUDIT_PUBLISH": f"s3://{BUCKET}/publish",
        "CASEAUDIT_EXPECTED_AREAS": ",".join(AREAS),
        "CASEAUDIT_CASE_KEY_SECRET": SECRET,
        "GX_ANALYTICS_ENABLED": "False",
    }


def worker(name: str, root: Path, env: dict[str, str]) -> dict[str, str]:
    """A host of its own: nothing on disk but a private temporary folder and home."""
    home = root / name
    (home / "tmp").mkdir(parents=True)
    return env | {
        "TMPDIR": str(home / "tmp"),
        "HOME": str(home),
        "PYTHONPATH": str(PROJECT_ROOT),
        "CASEAUDIT_WAREHOUSE": str(home / "warehouse.duckdb"),
        "CASEAUDIT_DATA": str(home / "data"),
    }


def step(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.run_step", *args],
        env=env,
        cwd=env["HOME"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def done(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err[-3000:]
    return out


def test_a_night_in_a_bucket_equals_the_night_on_disk(server, landing, tmp_path):
    import fsspec

    env = bucket_env(server)
    fs = fsspec.filesystem("s3", endpoint_url=server, key="caseaudit", secret="caseaudit")
    fs.mkdir(BUCKET)
    fs.put(f"{landing}/", f"{BUCKET}/landing", recursive=True)

    planner = worker("planner", tmp_path, env)
    plan = done(step(planner, "plan", NIGHT.isoformat())).strip().splitlines()[-1]
    assert json.loads(plan)["areas"] == sorted(AREAS)
    hosts = [worker(name, tmp_path, env) for name in ("host-a", "host-b")]
    side_by_side = [
        step(hosts[0], "prepare", plan),
        step(hosts[0], "ingest", plan, "WAR"),
        step(hosts[1], "ingest", plan, "DUR"),
    ]
    assert [done(p).strip() for p in side_by_side] == ["", "loaded", "loaded"]
    writer = worker("writer", tmp_path, env)
    done(step(writer, "load", plan))
    done(step(hosts[1], "docs", plan))
    done(step(writer, "publish", plan))
    done(step(hosts[0], "outcome", plan))
    for host in (planner, writer, *hosts):
        assert list(Path(host["TMPDIR"]).iterdir()) == [], "a step left staged files behind"

    local = tmp_path / "local"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CASEAUDIT_CASE_KEY_SECRET", SECRET)
        patch.setenv("CASEAUDIT_WORK", str(local / "work"))
        argv = ["run", "--landing", str(landing), "--as-of", NIGHT.isoformat()]
        argv += ["--areas", ",".join(AREAS), "--warehouse", str(local / "warehouse.duckdb")]
        assert cli.main([*argv, "--publish", str(local / "publish")]) == 0
    assert all_rows(Path(writer["CASEAUDIT_WAREHOUSE"])) == all_rows(local / "warehouse.duckdb")
    published = f"{BUCKET}/publish/{NIGHT.isoformat()}"
    assert {Path(p).name for p in fs.ls(published)} >= {
        "scorecard.csv",
        "benchmark.csv",
        "data_quality.csv",
        "report.html",
        "data_docs",
    }
    for name in ("scorecard.csv", "benchmark.csv", "data_quality.csv"):
        ours = (local / "publish" / NIGHT.isoformat() / name).read_bytes()
        assert fs.cat_file(f"{published}/{name}") == ours, name
    assert fs.exists(f"{published}/data_docs/index.html")
    assert fs.exists(f"{BUCKET}/work/validated/events.domain.parquet")
    assert fs.exists(
        f"{BUCKET}/work/{NIGHT.isoformat()}/{json.loads(plan)['run_id'].split('/')[1]}/finished"
    )
