"""The warm executor imports the ingest libraries and shares the cores before it forks its
workers, whose task processes inherit both."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import sys
from pipelines.run.warm_executor import WarmLocalExecutor

heavy = ("great_expectations", "duckdb", "pipelines.ingest.typed")
before = [m for m in heavy if m in sys.modules]
executor = WarmLocalExecutor(parallelism=2)
executor.start()
after = [m for m in heavy if m in sys.modules]
workers = len(executor.workers)
threads = sys.modules["pipelines.ingest.typed"]._threads["threads"]
executor.end()
print(before, after, workers, threads)
"""


def test_workers_are_forked_after_the_heavy_imports_with_the_cores_shared(tmp_path):
    """Two ingest tasks side by side each give DuckDB half the cores (ingest.share_cores):
    with every core each, their threads contended (a night's ingest tasks 170 -> 142 s)."""
    env = os.environ | {"AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert probe.returncode == 0, probe.stderr
    last = probe.stdout.strip().splitlines()[-1]
    threads = max(1, (os.cpu_count() or 1) // 2)
    assert last == f"[] ['great_expectations', 'duckdb', 'pipelines.ingest.typed'] 2 {threads}"
