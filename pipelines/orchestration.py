"""What the asset-scheduled DAGs do, kept out of the DAG files.

`nightly_case_audit` announces each night it publishes as an event of the
scorecard Asset with the export date in its extra; `regional_benchmark` turns
those events back into dates and rebuilds that night's benchmark and report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pipelines import derive, publish, report, warehouse

AS_OF_KEY = "as_of"


def asset_extra(as_of: dt.date) -> dict[str, str]:
    """The extra the nightly DAG attaches to its scorecard Asset event."""
    return {AS_OF_KEY: as_of.isoformat()}


def nights_from_events(events: Iterable[Any]) -> list[dt.date]:
    """Export dates named by triggering Asset events, oldest first, each once.

    Several nights can land in one benchmark run when the scheduler batches
    events (a backfill publishes nights faster than the benchmark runs).
    """
    nights = set()
    for event in events:
        extra: Mapping[str, Any] = event.extra or {}
        if AS_OF_KEY not in extra:
            raise ValueError(f"scorecard Asset event without {AS_OF_KEY!r} in its extra: {extra}")
        nights.add(dt.date.fromisoformat(extra[AS_OF_KEY]))
    return sorted(nights)


def rebuild_benchmarks(
    warehouse_path: Path, as_of: dt.date, publish_root: Path, scope: str = "census"
) -> dict[str, Path]:
    """Recompute marts.benchmark of the night from its scorecard, then its published files.

    The benchmark pools every area's scores, so it is rebuilt after any change
    to the night's scorecard; the rewrite is one transaction and idempotent.
    """

    def write() -> None:
        with warehouse.connect(warehouse_path) as con, warehouse.transaction(con):
            derive.run_models(con, as_of, scope, only={"benchmark"})

    warehouse.with_lock_retry(write)

    def files() -> dict[str, Path]:
        out = Path(publish_root) / as_of.isoformat()
        with warehouse.connect(warehouse_path, read_only=True) as con:
            benchmark = publish.public_benchmark(con, as_of, scope)
            return {
                "benchmark": publish.write_csv(
                    benchmark, publish.BENCHMARK_COLUMNS, out / "benchmark.csv"
                ),
                "report": report.build_report(con, as_of, out / "report.html", scope=scope),
            }

    return warehouse.with_lock_retry(files)
