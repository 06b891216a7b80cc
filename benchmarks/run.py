"""Benchmark harness (issue 7): one run, the same files, every measurement side by side.

Generates a national night (scale 1.0, all areas), a 0.25 night and a 30-night
series, then times the DuckDB bare scan of every export file (the floor),
`caseaudit run` of the national night with its stages, the same night through
`airflow dags test`, the 0.25 night, and `caseaudit backfill` of the series.
Wall times are medians; peak memory is the largest resident set of the whole
process tree (parent plus ingest workers), sampled every 0.2 s. Writes
docs/benchmarks.md. Not part of `make test`: it takes the better part of an hour.

    .venv/bin/python -m benchmarks.run [--root /tmp/caseaudit-bench] [--repeats 3]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import psutil

from pipelines.contract.exports import EXPORT_FILES

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ANALYSIS_MARKER = "<!-- analysis: kept by benchmarks/run.py -->"
TARGETS = {
    "run_vs_floor": 15.0,
    "steady_run_vs_floor": 15.0,
    "peak_rss_gb": 4.0,
    "airflow_vs_run": 1.5,
    "scale_1_vs_025": 4.5,
    "backfill_vs_night": 20.0,
    "report_open_s": 2.0,
}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@dataclass
class Timing:
    """Wall seconds of each repeat and the peak resident memory over all of them."""

    walls: list[float] = field(default_factory=list)
    peak_rss: int = 0
    stages: dict = field(default_factory=dict)
    loads: list[float] = field(default_factory=list)  # mean 1-min load average per run

    @property
    def median(self) -> float:
        return statistics.median(self.walls)


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def measure(
    command: list[str], env: dict[str, str], log: Path, timing: Timing, ok_codes=(0,)
) -> int:
    """Run command once, adding its wall time and peak tree RSS to timing; fail loudly."""
    with log.open("a") as out:
        out.write(f"\n$ {shlex.join(command)}\n")
        out.flush()
        clock = time.perf_counter()
        child = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT
        )
        process = psutil.Process(child.pid)
        peak, loads = 0, [os.getloadavg()[0]]
        while child.poll() is None:
            try:
                peak = max(peak, _tree_rss(process))
            except psutil.NoSuchProcess:
                break
            loads.append(os.getloadavg()[0])
            time.sleep(0.2)
        wall = time.perf_counter() - clock
    if child.wait() not in ok_codes:
        raise RuntimeError(f"{shlex.join(command)} exited {child.returncode}: see {log}")
    timing.walls.append(wall)
    timing.peak_rss = max(timing.peak_rss, peak)
    timing.loads.append(statistics.mean(loads))
    print(f"  {wall:8.1f} s  {peak / 2**30:5.2f} GB  {command[2:5]}", flush=True)
    return child.returncode


def bench_env(root: Path, name: str) -> dict[str, str]:
    """Fresh warehouse, publish and work folders for one measured run."""
    for sub in ("work", "publish"):
        shutil.rmtree(root / name / sub, ignore_errors=True)
    (root / name).mkdir(parents=True, exist_ok=True)
    (root / name / "warehouse.duckdb").unlink(missing_ok=True)
    return os.environ | {
        "GX_ANALYTICS_ENABLED": "False",
        "CASEAUDIT_WAREHOUSE": str(root / name / "warehouse.duckdb"),
        "CASEAUDIT_PUBLISH": str(root / name / "publish"),
        "CASEAUDIT_WORK": str(root / name / "work"),
        # `airflow dags test` crashes on a DAG with a Deadline Alert (apache/airflow#73428)
        "CASEAUDIT_PUBLISH_WITHIN_MINUTES": "0",
    }


def generate(landing: Path, first: dt.date, last: dt.date, scale: float, areas: str, log: Path):
    if landing.exists():
        shutil.rmtree(landing)
    timing = Timing()
    command = [str(BIN / "caseaudit"), "generate", "--out", str(landing), "--from"]
    command += [first.isoformat(), "--to", last.isoformat(), "--scale", str(scale)]
    measure([*command, "--areas", areas, "--seed", "2006"], os.environ.copy(), log, timing)
    return timing


def floor(night: Path, repeats: int) -> Timing:
    """DuckDB's bare scan: count(*) over read_csv of every export file of the night."""
    timing = Timing()
    for _ in range(repeats + 1):  # the first scan only warms the page cache
        clock = time.perf_counter()
        with duckdb.connect() as con:
            rows = sum(
                con.execute(
                    "SELECT count(*) FROM read_csv(?, header = true, all_varchar = true)",
                    [str(night / "*" / export.file_name)],
                ).fetchone()[0]
                for export in EXPORT_FILES
            )
        timing.walls.append(time.perf_counter() - clock)
        timing.loads.append(os.getloadavg()[0])
    timing.walls.pop(0)
    timing.loads.pop(0)
    timing.stages = {"rows": rows}
    return timing


def caseaudit(
    root: Path,
    name: str,
    args: list[str],
    repeats: int,
    log: Path,
    landing: Path,
    start_from: str | None = None,
) -> Timing:
    """`caseaudit <args>` on fresh folders, or on a copy of run start_from's, each repeat.

    A copy of an earlier run's warehouse and work folder is the state a nightly
    run finds when the previous night loaded (a steady-state night).
    """
    timing = Timing()
    for _ in range(repeats):
        env = bench_env(root, name)
        if start_from is not None:
            shutil.copyfile(root / start_from / "warehouse.duckdb", env["CASEAUDIT_WAREHOUSE"])
            shutil.copytree(root / start_from / "work", env["CASEAUDIT_WORK"])
            for timings in Path(env["CASEAUDIT_WORK"]).rglob("bench-*.json"):
                timings.unlink()
        stages = root / name / "stages.json"
        command = [sys.executable, "-m", "benchmarks.night", str(stages), *args]
        # exit 1 is an area rejected (outputs.md): still a complete, measured run
        code = measure([*command, "--landing", str(landing)], env, log, timing, (0, 1))
        recorded = json.loads(stages.read_text())
        areas = [json.loads(p.read_text()) for p in (root / name / "work").rglob("bench-*.json")]
        recorded["area_ingest_seconds"] = sum(a["ingest"] for a in areas)
        if len(recorded["nights"]) == 0:
            raise RuntimeError(f"{shlex.join(args)} failed before a night finished: see {log}")
        recorded["area_gx_seconds"] = sum(a["gx"] for a in areas)
        recorded["ingest_process_peak_rss"] = max((a["process_peak_rss"] for a in areas), default=0)
        recorded["exit_code"] = code
        timing.stages.setdefault("runs", []).append(recorded)
    return timing


API_PORT = 28080


def airflow(root: Path, landing: Path, as_of: dt.date, repeats: int, log: Path) -> Timing:
    """The same night through `airflow dags test --use-executor`: mapped ingests two at a time.

    Plain `dags test` runs every task instance in its own process, one after
    another; with a LocalExecutor of parallelism 2 (the two cores) it runs them
    as a deployment does, which needs an Execution API server: one is started
    beforehand, outside the timing, and stopped after.
    """
    home = root / "airflow_home"
    base = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__CORE__EXECUTOR": "pipelines.run.warm_executor.WarmLocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": str(os.cpu_count() or 2),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{API_PORT}/execution/",
        # the task supervisor otherwise holds a finished task's slot up to 5 s
        "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",
        "CASEAUDIT_LANDING": str(landing),
    }
    env = bench_env(root, "airflow") | base
    with log.open("a") as out:
        for setup in (["db", "migrate"], ["pools", "set", "caseaudit_warehouse", "1", "writer"]):
            subprocess.run(
                [str(BIN / "airflow"), *setup], env=env, stdout=out, stderr=out, check=True
            )
    timing = Timing()
    with _execution_api(env, log):
        for _ in range(repeats):
            env = bench_env(root, "airflow") | base
            command = [str(BIN / "airflow"), "dags", "test", "--use-executor"]
            measure([*command, "nightly_case_audit", as_of.isoformat()], env, log, timing)
    return timing


@contextlib.contextmanager
def _execution_api(env: dict[str, str], log: Path):
    """`airflow api-server` serving only the Execution API, for the executor's task processes."""
    command = [str(BIN / "airflow"), "api-server", "-H", "127.0.0.1", "-p", str(API_PORT)]
    with log.open("a") as out:
        server = subprocess.Popen(
            [*command, "-w", "1", "--apps", "execution"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        health = env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] + "health"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(health):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"no Execution API server: see {log}") from None
                time.sleep(1)
        yield
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def fingerprint(warehouse: Path) -> dict[str, list]:
    """Row count and an order-free hash of every table the night writes, but the run log."""
    tables = [f"staging.{e.name}" for e in EXPORT_FILES]
    tables += ["quarantine.rows", "marts.case_outcomes", "marts.scorecard", "marts.benchmark"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            t: list(con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {t} AS t").fetchone())
            for t in tables
        }


def machine() -> str:
    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"{memory:.1f} GB memory, Python {platform.python_version()}, duckdb {duckdb.__version__}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("/tmp/caseaudit-bench"))
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2006, 9, 18))
    parser.add_argument("--repeats", type=int, default=3, help="runs of each small measurement")
    parser.add_argument(
        "--national-repeats", type=int, default=3, help="runs of each national-scale measurement"
    )
    parser.add_argument(
        "--airflow-repeats", type=int, default=3, help="runs of the night through Airflow"
    )
    parser.add_argument("--scale", type=float, default=1.0, help="of the national night")
    parser.add_argument("--areas", default="all", help="of the national night (smoke tests)")
    parser.add_argument("--backfill-nights", type=int, default=30)
    parser.add_argument("--backfill-scale", type=float, default=1.0)
    parser.add_argument("--backfill-areas", default="all")
    parser.add_argument("--out", type=Path, default=PROJECT / "docs" / "benchmarks.md")
    parser.add_argument(
        "--steps",
        default=",".join(STEPS),
        help="comma-separated subset of " + ",".join(STEPS) + " (for a resumed run)",
    )
    parser.add_argument(
        "--resume", action="store_true", help="keep the results.json of an earlier run"
    )
    args = parser.parse_args(argv)
    root: Path = args.root
    root.mkdir(parents=True, exist_ok=True)
    log = root / "bench.log"
    with log.open("a") as out:
        out.write(f"benchmark started {dt.datetime.now():%Y-%m-%d %H:%M:%S}\n")
    saved = root / "results.json"
    data = {"results": {}, "notes": [], "commands": []}
    if args.resume and saved.exists():
        data = json.loads(saved.read_text())
    results = {k: Timing(**v) for k, v in data["results"].items()}
    notes, commands = data["notes"], data["commands"]
    commands.append(shlex.join(["python", "-m", "benchmarks.run", *(argv or sys.argv[1:])]))
    for step in args.steps.split(","):
        print(step, flush=True)
        STEPS[step](args, root, log, results, notes)
        saved.write_text(
            json.dumps(
                {
                    "results": {k: asdict(t) for k, t in results.items()},
                    "notes": notes,
                    "commands": commands,
                },
                indent=1,
            )
        )
        write_report(args, results, notes, commands)
    print(args.out.read_text())
    return 0


def _landings(args, root: Path) -> tuple[Path, Path]:
    return root / "landing_1.0", root / "landing_0.25"


def step_generate(args, root, log, results, notes) -> None:
    national, quarter = _landings(args, root)
    day = args.as_of
    previous = day - dt.timedelta(days=1)  # the night before, for the steady-state night
    results["generate 1.0"] = generate(national, previous, day, args.scale, args.areas, log)
    results["generate 0.25"] = generate(quarter, day, day, args.scale / 4, args.areas, log)


def step_floor(args, root, log, results, notes) -> None:
    night = _landings(args, root)[0] / args.as_of.isoformat()
    results["floor"] = floor(night, args.repeats)
    rows = results["floor"].stages.pop("rows")
    files = len(list(night.glob("*/*.csv")))
    notes.append(
        f"The floor scans {files} export files, {rows:,} rows, of the scale-{args.scale} night."
    )


def step_shape(args, root, log, results, notes) -> None:
    """The spec's shape alone (benchmarks/shape.py): per-area typed Parquet, then one writer."""
    night = _landings(args, root)[0] / args.as_of.isoformat()
    out = root / "shape"
    module = [sys.executable, "-m", "benchmarks.shape"]
    areas, load = Timing(), Timing()
    for _ in range(args.repeats):
        measure([*module, "areas", str(night), str(out)], os.environ.copy(), log, areas)
        measure([*module, "writer", str(out)], os.environ.copy(), log, load)
    results["shape: area Parquet"], results["shape: writer load"] = areas, load
    notes.append(
        "Shape: the night's files cast to the staging types by DuckDB (no checks, no "
        "quarantine, no case_key) into per-area Parquet by two single-thread processes, "
        "then loaded into a fresh DuckDB file in one transaction: what the spec's "
        "per-area-Parquet-then-one-writer design costs before it validates anything."
    )


def _areas(args) -> list[str]:
    """The national night's areas, when a smoke run narrows them."""
    return [] if args.areas == "all" else ["--areas", args.areas]


def step_run(args, root, log, results, notes) -> None:
    run = ["run", "--as-of", args.as_of.isoformat(), *_areas(args)]
    national = _landings(args, root)[0]
    results["run 1.0"] = caseaudit(root, "run_1.0", run, args.national_repeats, log, national)


def step_steady(args, root, log, results, notes) -> None:
    """The national night after the previous night loaded: what the schedule pays."""
    national = _landings(args, root)[0]
    previous = (args.as_of - dt.timedelta(days=1)).isoformat()
    run = ["run", "--as-of", previous, *_areas(args)]
    results["run 1.0 previous night"] = caseaudit(root, "run_previous", run, 1, log, national)
    run = ["run", "--as-of", args.as_of.isoformat(), *_areas(args)]
    results["run 1.0 steady"] = caseaudit(
        root, "run_steady", run, args.national_repeats, log, national, "run_previous"
    )
    notes.append(
        f"Steady-state national night: {args.as_of} run on a copy of the warehouse and work "
        f"folder {previous} left (GX sees only contents not validated before); "
        "`run 1.0` is the same night cold (empty warehouse, nothing validated before)."
    )


def step_quarter(args, root, log, results, notes) -> None:
    run = ["run", "--as-of", args.as_of.isoformat(), *_areas(args)]
    quarter = _landings(args, root)[1]
    results["run 0.25"] = caseaudit(root, "run_0.25", run, args.repeats, log, quarter)


def step_airflow(args, root, log, results, notes) -> None:
    national = _landings(args, root)[0]
    results["airflow 1.0"] = airflow(root, national, args.as_of, args.airflow_repeats, log)
    cli_warehouse = root / "run_1.0" / "warehouse.duckdb"
    if not cli_warehouse.exists():
        notes.append("The Airflow warehouse was not compared: no `caseaudit run` warehouse.")
        return
    dag_prints = fingerprint(root / "airflow" / "warehouse.duckdb")
    cli_prints = fingerprint(cli_warehouse)
    if dag_prints != cli_prints or not cli_prints["marts.scorecard"][0]:
        raise RuntimeError(
            f"airflow and caseaudit run warehouses differ: {dag_prints} {cli_prints}"
        )
    notes.append(
        "The Airflow and `caseaudit run` warehouses are identical (row counts and hashes)."
    )


def step_backfill(args, root, log, results, notes) -> None:
    day = args.as_of.isoformat()
    series = root / "landing_backfill"
    first = args.as_of - dt.timedelta(days=args.backfill_nights - 1)
    results["generate backfill"] = generate(
        series, first, args.as_of, args.backfill_scale, args.backfill_areas, log
    )
    notes.append(
        f"Backfill: {args.backfill_nights} nightly snapshots {first} to {day} at scale "
        f"{args.backfill_scale}, areas {args.backfill_areas}, against one night of the same "
        "series (the last) on an empty warehouse."
    )
    areas = [] if args.backfill_areas == "all" else ["--areas", args.backfill_areas]
    run = ["run", "--as-of", day, *areas]
    results["night at backfill scale"] = caseaudit(
        root, "night_backfill", run, args.repeats, log, series
    )
    backfill = ["backfill", "--from", first.isoformat(), "--to", day, *areas]
    results["backfill"] = caseaudit(root, "backfill", backfill, 1, log, series)
    results["steady-state night at backfill scale"] = caseaudit(
        root, "steady", run, args.repeats, log, series, "backfill"
    )
    notes.append(
        "Steady-state night: the last night of the series rerun on the backfill's warehouse "
        "(every earlier night loaded)."
    )


def _chromium(url: str, work: Path, *extra: str) -> list[str]:
    """Headless Chromium with every request off the machine refused (as the report test)."""
    return [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--proxy-server=127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--window-size=1400,2200",
        f"--user-data-dir={work / 'profile'}",
        *extra,
        url,
    ]


PAGE_NIGHTS = 8  # nights of the report the page step opens
PAGE_SCALE = 0.05  # the page grows with areas and nights, not with a night's rows


def step_page(args, root, log, results, notes) -> None:
    """How long Chromium takes to open the report at national scale: all 42 areas over
    PAGE_NIGHTS nights, backfilled at PAGE_SCALE. A screenshot of the last night's
    page, less a screenshot of a blank page in the same run (the browser's own start)."""
    first = args.as_of - dt.timedelta(days=PAGE_NIGHTS - 1)
    series = root / "landing_page"
    generate(series, first, args.as_of, PAGE_SCALE, "all", log)
    backfill = [str(BIN / "caseaudit"), "backfill", "--landing", str(series)]
    backfill += ["--from", first.isoformat(), "--to", args.as_of.isoformat()]
    measure(backfill, bench_env(root, "run_page"), log, Timing())
    page = root / "run_page" / "publish" / args.as_of.isoformat() / "report.html"
    work = root / "page"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shot = PROJECT / "docs" / "report-national.png"
    blank, report = Timing(), Timing()
    for _ in range(args.repeats):
        measure(
            _chromium("about:blank", work, f"--screenshot={work / 'blank.png'}"),
            os.environ.copy(),
            log,
            blank,
        )
        measure(
            _chromium(page.as_uri(), work, f"--screenshot={shot}"), os.environ.copy(), log, report
        )
    results["chromium blank page"], results["chromium national report"] = blank, report
    notes.append(
        f"Report page: {page.stat().st_size:,} bytes (42 areas, {PAGE_NIGHTS} nights "
        f"{first} to {args.as_of}, backfilled at scale {PAGE_SCALE}); report_open_s is the "
        "median screenshot of it less the median screenshot of a blank page; "
        "docs/report-national.png is its first screen."
    )


def step_report(args, root, log, results, notes) -> None:
    """Measure nothing: rewrite docs/benchmarks.md from results.json (after a merge)."""


STEPS = {
    "generate": step_generate,
    "floor": step_floor,
    "shape": step_shape,
    "run": step_run,
    "steady": step_steady,
    "quarter": step_quarter,
    "airflow": step_airflow,
    "backfill": step_backfill,
    "page": step_page,
    "report": step_report,
}


def write_report(args, results: dict[str, Timing], notes: list[str], commands) -> None:
    ratio_inputs = {
        "run_vs_floor": ("run 1.0", "floor"),
        "steady_run_vs_floor": ("run 1.0 steady", "floor"),
        "peak_rss_gb": ("run 1.0", None),
        "airflow_vs_run": ("airflow 1.0", "run 1.0"),
        "scale_1_vs_025": ("run 1.0", "run 0.25"),
        "backfill_vs_night": ("backfill", "night at backfill scale"),
    }
    ratios = {}
    for key, (measured, base) in ratio_inputs.items():
        if measured in results and base is None:
            ratios[key] = results[measured].peak_rss / 2**30
        elif measured in results and base in results:
            ratios[key] = results[measured].median / results[base].median
    if "chromium national report" in results and "chromium blank page" in results:
        opened = results["chromium national report"].median
        ratios["report_open_s"] = opened - results["chromium blank page"].median
    lines = [
        "# Benchmarks",
        "",
        f"Machine: {machine()}.",
        f"Written {dt.datetime.now():%Y-%m-%d %H:%M}, export date {args.as_of}, by "
        "(from /work/main, in this order; a later command resumes the earlier one's "
        "results):",
        "",
        *(f"    .venv/bin/{c}" for c in commands),
        "",
        "| measurement | runs | median wall s | all runs s | peak RSS GB | load avg |",
        "|---|---|---|---|---|---|",
    ]
    for name, timing in results.items():
        walls = ", ".join(f"{w:.1f}" for w in timing.walls)
        rss = f"{timing.peak_rss / 2**30:.2f}" if timing.peak_rss else ""
        loads = ", ".join(f"{x:.1f}" for x in timing.loads)
        lines.append(
            f"| {name} | {len(timing.walls)} | {timing.median:.2f} | {walls} | {rss} | {loads} |"
        )
    lines += ["", "| target | measured | limit | met |", "|---|---|---|---|"]
    for key, limit in TARGETS.items():
        if key in ratios:
            lines.append(f"| {key} | {ratios[key]:.2f} | {limit} | {ratios[key] <= limit} |")
        else:
            lines.append(f"| {key} | not measured | {limit} | |")
    shape = [results.get(k) for k in ("shape: area Parquet", "shape: writer load")]
    if all(shape) and "floor" in results:
        seconds = sum(t.median for t in shape if t)
        lines += [
            "",
            "Reference, not a target: the spec's shape alone (area Parquet + writer load, "
            f"medians) takes {seconds:.1f} s, {seconds / results['floor'].median:.1f}x the floor.",
        ]
    lines += [
        "",
        "Stages of each `caseaudit` run, seconds (ingest = wall time of the ingest stage; "
        "area ingest and GX = summed over areas and nights, across the worker processes; "
        "derive = the SQL models in the writer transaction, of which benchmark = the "
        "regional benchmark mart; load = the writer step without derive):",
        "",
        "| measurement | nights | ingest | area ingest | of which GX | load | derive "
        "| benchmark | publish | exit |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, timing in results.items():
        for run in timing.stages.get("runs", []):
            nights = run["nights"]
            derive = sum(run["models"].values())
            total = {k: sum(n.get(k, 0.0) for n in nights) for k in ("ingest", "load", "publish")}
            lines.append(
                f"| {name} | {len(nights)} | {total['ingest']:.1f} "
                f"| {run['area_ingest_seconds']:.1f} | {run['area_gx_seconds']:.1f} "
                f"| {total['load'] - derive:.1f} | {derive:.1f} "
                f"| {run['models'].get('benchmark', 0.0):.2f} | {total['publish']:.1f} "
                f"| {run['exit_code']} |"
            )
    lines += ["", *(f"- {n}" for n in notes), ""]
    # the hand-written analysis below the marker survives a rerun of the harness
    if args.out.exists() and ANALYSIS_MARKER in args.out.read_text():
        lines += ["", ANALYSIS_MARKER + args.out.read_text().split(ANALYSIS_MARKER, 1)[1]]
    args.out.write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
