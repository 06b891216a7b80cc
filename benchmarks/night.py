"""`caseaudit <args>` with stage timers: the real command line, timed from inside.

`python -m benchmarks.night STAGES_JSON run --as-of ...` runs `pipelines.cli.main`
unchanged except that it records, into STAGES_JSON, run_night's stage timings,
each SQL model's seconds in the writer transaction, and per area the ingest and
Great Expectations seconds (written by the ingest processes themselves, since
spawned workers do not share this process's patches).
"""

from __future__ import annotations

import json
import re
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

from pipelines import cli, derive, nightly, validate

TARGET = re.compile(r"(?:INTO marts\.|TEMP TABLE )([a-z0-9_]+)")
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


def timed_ingest_one(landing, as_of, area_code, work_root=None):
    """nightly.ingest_one, also writing its ingest and GX seconds next to the area's folder."""
    gx = {"seconds": 0.0}

    def timed(function):
        def wrapper(*args, **kwargs):
            clock = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                gx["seconds"] += time.perf_counter() - clock

        return wrapper

    originals = validate.open_context, validate.validate_frame
    validate.open_context, validate.validate_frame = map(timed, originals)
    clock = time.perf_counter()
    try:
        result, out = _INGEST_ONE(landing, as_of, area_code, work_root)
    finally:
        validate.open_context, validate.validate_frame = originals
    seconds = time.perf_counter() - clock
    worker_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    (out.parent / AREA_TIMINGS.format(code=area_code)).write_text(
        json.dumps({"ingest": seconds, "gx": gx["seconds"], "process_peak_rss": worker_peak})
    )
    return result, out


_INGEST_ONE = nightly.ingest_one


def main(stages_json: Path, argv: list[str]) -> int:
    nights: list[dict] = []
    models: dict[str, float] = defaultdict(float)
    run_night, run_models = nightly.run_night, derive.run_models

    def recorded_run_night(*args, **kwargs):
        night = run_night(*args, **kwargs)
        nights.append({"as_of": night.as_of.isoformat(), **night.stage_timings})
        return night

    def recorded_run_models(con, *args, **kwargs):
        return run_models(_TimedConnection(con, models), *args, **kwargs)

    nightly.run_night, derive.run_models = recorded_run_night, recorded_run_models
    nightly.ingest_one = timed_ingest_one
    try:
        return cli.main(argv)
    finally:
        # with ingest workers this process only plans, loads, derives and publishes
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        stages_json.write_text(
            json.dumps({"nights": nights, "models": models, "main_peak_rss": peak}, indent=2)
        )


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2:]))
