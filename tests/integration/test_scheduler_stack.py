"""The compose topology run natively: PostgreSQL, Redis, CeleryExecutor, a real scheduler.

Starts exactly the Airflow services of docker-compose.yml (see compose.py for
the one override from containers to this machine), triggers nightly_case_audit
through the REST API, runs a three-night `airflow backfill create` while a
nightly run is in flight, and checks the warehouse equals a `caseaudit backfill`
of the same nights. Skips when PostgreSQL or Redis do not answer, except under
CI=true, where .ci/run starts them and a skip would hide a failure.

The REST API is reached as the admin user the init service creates (FAB auth
manager, compose's default credentials airflow/airflow), with a JWT from
POST /auth/token.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import httpx
import pytest

from pipelines import synth
from pipelines.warehouse.connection import reading
from tests.integration import compose
from tests.warehouse_tables import all_rows

pytestmark = [pytest.mark.integration, pytest.mark.slow]

AREAS = ["WAR", "DUR", "CUM"]
FIRST, LAST = dt.date(2006, 9, 4), dt.date(2006, 9, 8)
NIGHTS = [FIRST + dt.timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
BACKFILLED = NIGHTS[1:4]  # 5, 6 and 7 September, while the 8th runs nightly
SECRET = "integration-test-case-key-secret"
VENV_BIN = Path(sys.executable).parent
ADMIN = {"username": "airflow", "password": "airflow"}  # compose's defaults
RUN_TIMEOUT = 420
LATE = dt.date(2006, 9, 12)  # exports that land only after the night's run has started


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _services_answer() -> str | None:
    """None when PostgreSQL and Redis answer on 127.0.0.1, else why not."""
    import psycopg2
    import redis

    try:
        psycopg2.connect(
            host="127.0.0.1", user="postgres", dbname="postgres", connect_timeout=3
        ).close()
    except psycopg2.Error as error:
        return f"PostgreSQL on 127.0.0.1:5432 (user postgres, trust) does not answer: {error}"
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=3).ping()
    except redis.RedisError as error:
        return f"Redis on 127.0.0.1:6379 does not answer: {error}"
    return None


def _logical_date(night: dt.date) -> str:
    """02:00 Europe/London on the export date: a scheduled run's logical date."""
    from zoneinfo import ZoneInfo

    moment = dt.datetime.combine(night, dt.time(2), tzinfo=ZoneInfo("Europe/London"))
    return moment.astimezone(dt.UTC).isoformat()


class Stack:
    """The started processes, their logs, and a REST client; stop() ends every one."""

    def __init__(self, root: Path, database: str, redis_db: int) -> None:
        self.root = root
        self.local = compose.LocalMapping(
            database=database,
            redis_db=redis_db,
            api_port=_free_port(),
            airflow_home=root / "airflow_home",
            data_dir=root / "data",
            side_ports={
                "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": _free_port(),
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": _free_port(),
                "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": _free_port(),
            },
        )
        variables = {
            "CASEAUDIT_CASE_KEY_SECRET": SECRET,
            "CASEAUDIT_EXPECTED_AREAS": ",".join(AREAS),
            # a late night must miss its publish deadline while the test watches
            "CASEAUDIT_PUBLISH_WITHIN_MINUTES": "1",
            "CASEAUDIT_EXPORTS_POLL_SECONDS": "2",
        }
        self.services = compose.native_services(compose.load(), variables, self.local)
        self.processes: dict[str, subprocess.Popen] = {}
        self.api = httpx.Client(base_url=f"http://127.0.0.1:{self.local.api_port}", timeout=30)

    def env(self, name: str) -> dict[str, str]:
        return compose.process_environment(self.services[name], VENV_BIN)

    def argv(self, name: str) -> list[str]:
        argv = list(self.services[name].argv)
        if argv[0] == "airflow":
            argv[0] = str(VENV_BIN / "airflow")
        return argv

    def log(self, name: str) -> Path:
        return self.root / f"{name}.log"

    def init(self) -> None:
        done = subprocess.run(
            self.argv(compose.INIT_SERVICE),
            env=self.env(compose.INIT_SERVICE),
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, (
            f"airflow-init failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        )

    def start(self) -> None:
        for name in compose.LONG_RUNNING:
            with self.log(name).open("w") as out:
                self.processes[name] = subprocess.Popen(
                    self.argv(name),
                    env=self.env(name),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )

    def airflow(self, *args: str) -> str:
        """The Airflow CLI as a shell in the scheduler's container would run it."""
        done = subprocess.run(
            [str(VENV_BIN / "airflow"), *args],
            env=self.env("airflow-scheduler"),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"airflow {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise AssertionError(f"{name} exited {process.returncode}:\n{self.tail(name)}")

    def tail(self, name: str, lines: int = 40) -> str:
        return "\n".join(self.log(name).read_text(errors="replace").splitlines()[-lines:])

    def login(self, deadline: float = 180) -> None:
        end = time.monotonic() + deadline
        while True:
            self.check_alive()
            with suppress(httpx.TransportError):
                if self.api.get("/api/v2/version").status_code == 200:
                    break
            assert time.monotonic() < end, f"api-server not up:\n{self.tail('airflow-apiserver')}"
            time.sleep(1)
        response = self.api.post("/auth/token", json=ADMIN)
        assert response.status_code in (200, 201), response.text
        self.api.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def call(self, method: str, path: str, **kwargs) -> dict:
        response = self.api.request(method, f"/api/v2{path}", **kwargs)
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    def wait_for_dag(self, dag_id: str, deadline: float = 180) -> None:
        end = time.monotonic() + deadline
        while self.api.get(f"/api/v2/dags/{dag_id}").status_code != 200:
            self.check_alive()
            assert time.monotonic() < end, (
                f"{dag_id} not parsed:\n{self.tail('airflow-dag-processor')}"
            )
            time.sleep(2)

    def runs(self, dag_id: str) -> list[dict]:
        return self.call("GET", f"/dags/{dag_id}/dagRuns", params={"limit": 100})["dag_runs"]

    def failure_report(self, dag_id: str, run_id: str) -> str:
        tis = self.call("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances")["task_instances"]
        lines = [f"{t['task_id']}[{t['map_index']}]: {t['state']}" for t in tis]
        for path in sorted((self.local.airflow_home / "logs").rglob("*.log")):
            if f"run_id={run_id}" in str(path) and "failed" in {t["state"] for t in tis}:
                lines.append(f"--- {path.name} ({path.parent.name})")
                lines.extend(path.read_text(errors="replace").splitlines()[-15:])
        return "\n".join(lines)

    def wait_for_runs(self, dag_id: str, run_ids: set[str], deadline: float = RUN_TIMEOUT) -> None:
        end = time.monotonic() + deadline
        while True:
            self.check_alive()
            states = {r["dag_run_id"]: r["state"] for r in self.runs(dag_id)}
            for run_id in run_ids:
                if states.get(run_id) == "failed":
                    raise AssertionError(f"{run_id} failed:\n{self.failure_report(dag_id, run_id)}")
            if all(states.get(run_id) == "success" for run_id in run_ids):
                return
            assert time.monotonic() < end, f"runs not done in {deadline}s: {states}"
            time.sleep(3)

    def stop(self) -> list[int]:
        """End every process this stack started (whole process groups), then any straggler.

        Returns the pids still found afterwards (should be none).
        """
        for process in self.processes.values():
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        end = time.monotonic() + 20
        for process in self.processes.values():
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, end - time.monotonic()))
        for process in self.processes.values():
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for pid in self._ours():
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        self.api.close()
        return self._ours()

    def _ours(self) -> list[int]:
        """Processes whose environment names this stack's private AIRFLOW_HOME."""
        marker = f"AIRFLOW_HOME={self.local.airflow_home}\0".encode()
        pids = []
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit() and int(proc.name) != os.getpid():
                with suppress(OSError):
                    if marker in (proc / "environ").read_bytes():
                        pids.append(int(proc.name))
        return pids


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    why = _services_answer()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the scheduler integration test, but {why}")
        pytest.skip(f"scheduler integration test skipped: {why}")
    import psycopg2
    import redis

    root = tmp_path_factory.mktemp("stack")
    database = f"caseaudit_it_{secrets.token_hex(6)}"
    redis_db = 1 + secrets.randbelow(15)
    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {database}")
    started = Stack(root, database, redis_db)
    try:
        synth.generate(started.local.data_dir / "landing", NIGHTS, AREAS, scale=0.02, seed=6)
        begun = time.monotonic()
        started.init()
        started.start()
        started.login()
        print(f"stack up in {time.monotonic() - begun:.0f}s")
        yield started
    finally:
        leftover = started.stop()
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin.close()
        redis.Redis(host="127.0.0.1", port=6379, db=redis_db).flushdb()
        assert leftover == [], f"processes left running: {leftover}"


def test_scheduler_runs_nightly_and_a_concurrent_backfill_like_the_command_line(
    stack: Stack, tmp_path: Path
) -> None:
    timings = {}
    begun = time.monotonic()
    _unpause(stack)
    pools = stack.call("GET", "/pools/caseaudit_warehouse")
    assert pools["slots"] == 1

    def trigger(night: dt.date) -> str:
        return _trigger(stack, night)

    first = trigger(NIGHTS[0])
    stack.wait_for_runs("nightly_case_audit", {first})
    timings["first night via REST"] = time.monotonic() - begun

    in_flight = trigger(NIGHTS[-1])
    end = time.monotonic() + 120
    while stack.call("GET", f"/dags/nightly_case_audit/dagRuns/{in_flight}")["state"] != "running":
        assert time.monotonic() < end, "the nightly run never started"
        time.sleep(0.5)
    stack.airflow(
        "backfill", "create", "--dag-id", "nightly_case_audit",
        "--from-date", BACKFILLED[0].isoformat(),
        "--to-date", _logical_date(BACKFILLED[-1]),
    )  # fmt: skip
    assert stack.call("GET", f"/dags/nightly_case_audit/dagRuns/{in_flight}")["state"] == "running"

    runs = {r["logical_date"][:10]: r for r in stack.runs("nightly_case_audit")}
    backfill_ids = {runs[n.isoformat()]["dag_run_id"] for n in BACKFILLED}
    assert {runs[n.isoformat()]["run_type"] for n in BACKFILLED} == {"backfill"}
    stack.wait_for_runs("nightly_case_audit", backfill_ids | {in_flight, first})
    timings["backfill and nightly"] = time.monotonic() - begun

    events = stack.call(
        "GET", "/assets/events", params={"limit": 100, "source_dag_id": "nightly_case_audit"}
    )["asset_events"]
    assert sorted(e["extra"]["as_of"] for e in events) == [n.isoformat() for n in NIGHTS]
    rebuilt = _wait_for_benchmark_runs(stack)
    assert NIGHTS[0].isoformat() in rebuilt
    assert rebuilt <= {n.isoformat() for n in NIGHTS}
    timings["benchmarks"] = time.monotonic() - begun

    cli_warehouse = tmp_path / "cli" / "warehouse.duckdb"
    done = subprocess.run(
        [
            str(VENV_BIN / "caseaudit"),
            "backfill",
            "--landing",
            str(stack.local.data_dir / "landing"),
            "--warehouse",
            str(cli_warehouse),
            "--from",
            NIGHTS[0].isoformat(),
            "--to",
            NIGHTS[-1].isoformat(),
            "--publish",
            str(tmp_path / "cli" / "publish"),
            "--areas",
            ",".join(AREAS),
        ],  # fmt: skip
        env={**os.environ, "CASEAUDIT_CASE_KEY_SECRET": SECRET},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    scheduler_tables = all_rows(stack.local.data_dir / "warehouse.duckdb")
    cli_tables = all_rows(cli_warehouse)
    assert list(scheduler_tables) == list(cli_tables)
    for table, rows in cli_tables.items():
        assert scheduler_tables[table] == rows, table
    for table in ("marts.scorecard", "marts.benchmark", "staging.events", "audit.runs"):
        nights = {row[0] for row in cli_tables[table]}
        assert nights == set(NIGHTS), table
    for night in NIGHTS:
        for name in ("scorecard.csv", "benchmark.csv"):
            ours = stack.local.data_dir / "publish" / night.isoformat() / name
            theirs = tmp_path / "cli" / "publish" / night.isoformat() / name
            assert ours.read_bytes() == theirs.read_bytes(), (night, name)
    print("timings (s from first trigger):", {k: round(v) for k, v in timings.items()})
    print("benchmark rebuilt nights:", sorted(rebuilt))


def _wait_for_benchmark_runs(stack: Stack, deadline: float = 240) -> set[str]:
    """Wait until the asset-triggered benchmark runs all succeeded and none is pending.

    Returns the nights they rebuilt. An event landing while a run is being
    created waits for the next publish (see regional_benchmark's doc), so the
    first night, published alone, is certain; the others are near certain.
    """
    end = time.monotonic() + deadline
    quiet = 0
    while quiet < 3:
        stack.check_alive()
        runs = stack.runs("regional_benchmark")
        states = {r["dag_run_id"]: r["state"] for r in runs}
        failed = [run_id for run_id, state in states.items() if state == "failed"]
        assert not failed, stack.failure_report("regional_benchmark", failed[0])
        quiet = quiet + 1 if runs and set(states.values()) == {"success"} else 0
        assert time.monotonic() < end, f"benchmark runs not done: {states}"
        time.sleep(3)
    assert {r["run_type"] for r in runs} == {"asset_triggered"}
    rebuilt = set()
    for run_id in states:
        path = f"/dags/regional_benchmark/dagRuns/{run_id}/upstreamAssetEvents"
        rebuilt |= {e["extra"]["as_of"] for e in stack.call("GET", path)["asset_events"]}
    return rebuilt


def _unpause(stack: Stack, deadline: float = 120) -> None:
    """Unpause both DAGs. With catchup=False the scheduler then starts the latest night's
    run, which waits for exports no test lands and, with max_active_runs=1, would hold back
    every triggered run until its cut-off: mark it failed through the API, as an operator
    would."""
    for dag_id in ("nightly_case_audit", "regional_benchmark"):
        stack.wait_for_dag(dag_id)
        stack.call("PATCH", f"/dags/{dag_id}", json={"is_paused": False})
    end = time.monotonic() + deadline
    while not (scheduled := [r for r in stack.runs("nightly_case_audit")
                             if r["run_type"] == "scheduled"]):  # fmt: skip
        stack.check_alive()
        assert time.monotonic() < end, "unpausing started no scheduled run"
        time.sleep(1)
    for run in scheduled:
        path = f"/dags/nightly_case_audit/dagRuns/{run['dag_run_id']}"
        stack.call("PATCH", path, json={"state": "failed"})


def _trigger(stack: Stack, night: dt.date) -> str:
    run_id = f"nightly__{night.isoformat()}"
    stack.call(
        "POST",
        "/dags/nightly_case_audit/dagRuns",
        json={"dag_run_id": run_id, "logical_date": _logical_date(night)},
    )
    return run_id


def test_a_night_waits_deferred_for_late_exports_and_its_deadline_calls_back(
    stack: Stack,
) -> None:
    """The run of a night whose exports have not landed waits on the triggerer (no worker
    slot), misses its publish deadline, which calls night_not_published; once the exports
    land it scores them and succeeds."""
    _unpause(stack)
    run_id = _trigger(stack, LATE)
    path = f"/dags/nightly_case_audit/dagRuns/{run_id}/taskInstances/wait_for_exports"
    end = time.monotonic() + 180
    while stack.call("GET", path)["state"] != "deferred":
        stack.check_alive()
        assert time.monotonic() < end, f"the wait never deferred: {stack.call('GET', path)}"
        time.sleep(1)
    alerts = stack.local.data_dir / "work" / "alerts"
    while not any(run_id in p.read_text() for p in alerts.glob("*.json")):
        stack.check_alive()
        assert time.monotonic() < end, f"no deadline callback:\n{stack.tail('airflow-triggerer')}"
        time.sleep(1)
    assert stack.call("GET", f"/dags/nightly_case_audit/dagRuns/{run_id}")["state"] == "running"
    synth.generate(stack.local.data_dir / "landing", [LATE], AREAS, scale=0.02, seed=6)
    stack.wait_for_runs("nightly_case_audit", {run_id})
    # the night's publish starts regional_benchmark, which writes the warehouse: read it
    # as every reader of the product does, waiting out the writer's lock
    with reading(stack.local.data_dir / "warehouse.duckdb") as con:
        loaded = con.execute(
            "SELECT DISTINCT area_code, status FROM audit.runs WHERE as_of_date = ? ORDER BY 1",
            [LATE],
        ).fetchall()
    assert loaded == [(area, "loaded") for area in sorted(AREAS)]
