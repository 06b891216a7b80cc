"""`caseaudit <args>` with stage timers: the real command line, timed from inside.

`python -m benchmarks.night STAGES_JSON run --as-of ...` runs `pipelines.cli.main`
unchanged except that it records, into STAGES_JSON, each night's stage timings
(ingest: from the plan to the writer; load: the writer step; publish), each SQL
model's seconds in the writer transaction, and per area the ingest and Great
Expectations seconds (written by the worker processes themselves, since spawned
workers do not share this process's patches).
"""

from __future__ import annotations

import json
import re
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

from pipelines import cli
from pipelines.run import steps
from pipelines.validate import gx
from pipelines.warehouse import models

TARGET = re.compile(r"(?:into marts\.|temp table )([a-z0-9_]+)", re.IGNORECASE)
AREA_TIMINGS = "bench-{code}.json"


class _TimedConnection:
    """Forwards `execute` to DuckDB, adding each statement's seconds to its model."""

    def __init__(self, con, seconds: dict[str, float]):
        self._con, self._seconds = con, seconds

    def execute(self, sql: str, *args):
        clock = time.perf_counter()
        result = self._con.execute(sql, *args)
        match = TARGET.search(sql)
        self._seconds[match.group(1) if match else "other"] += time.perf_counter() - clock
        return result


def timed_ingest_area(plan, landing, area_code):
    """steps.ingest_area, also writing its ingest and GX seconds beside the area's folder."""
    seconds = {"gx": 0.0}

    def timed(function):
        def wrapper(*args, **kwargs):
            clock = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds["gx"] += time.perf_counter() - clock

        return wrapper

    originals = gx.open_context, gx.validate_frame
    gx.open_context, gx.validate_frame = map(timed, originals)
    clock = time.perf_counter()
    try:
        result = _INGEST_AREA(plan, landing, area_code)
    finally:
        gx.open_context, gx.validate_frame = originals
    worker_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    (plan.work_dir / AREA_TIMINGS.format(code=area_code)).write_text(
        json.dumps(
            {
                "ingest": time.perf_counter() - clock,
                "gx": seconds["gx"],
                "process_peak_rss": worker_peak,
            }
        )
    )
    return result


_INGEST_AREA = steps.ingest_area


def main(stages_json: Path, argv: list[str]) -> int:
    nights: list[dict] = []
    model_seconds: dict[str, float] = defaultdict(float)
    originals = steps.plan_night, steps.load_night, steps.publish_night, models.run_models

    def plan_night(*args, **kwargs):
        plan = originals[0](*args, **kwargs)
        nights.append({"as_of": plan.as_of.isoformat(), "planned": time.perf_counter()})
        return plan

    def load_night(*args, **kwargs):
        clock = time.perf_counter()
        nights[-1]["ingest"] = clock - nights[-1].pop("planned")
        try:
            return originals[1](*args, **kwargs)
        finally:
            nights[-1]["load"] = time.perf_counter() - clock

    def publish_night(*args, **kwargs):
        clock = time.perf_counter()
        try:
            return originals[2](*args, **kwargs)
        finally:
            nights[-1]["publish"] = time.perf_counter() - clock

    def run_models(con, *args, **kwargs):
        return originals[3](_TimedConnection(con, model_seconds), *args, **kwargs)

    steps.plan_night, steps.load_night, steps.publish_night = plan_night, load_night, publish_night
    models.run_models = run_models
    steps.ingest_area = timed_ingest_area
    try:
        return cli.main(argv)
    finally:
        # with ingest workers this process only plans, loads, derives and publishes
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        stages_json.write_text(
            json.dumps({"nights": nights, "models": model_seconds, "main_peak_rss": peak}, indent=2)
        )


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2:]))
