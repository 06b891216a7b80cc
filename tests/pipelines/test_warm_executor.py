"""The warm executor imports the ingest libraries before it forks its workers."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import sys
from pipelines.warm_executor import WarmLocalExecutor

heavy = ("great_expectations", "duckdb", "pipelines.ingest")
before = [m for m in heavy if m in sys.modules]
executor = WarmLocalExecutor(parallelism=1)
executor.start()
after = [m for m in heavy if m in sys.modules]
workers = len(executor.workers)
executor.end()
print(before, after, workers)
"""


def test_workers_are_forked_after_the_heavy_imports(tmp_path):
    env = os.environ | {"AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert probe.returncode == 0, probe.stderr
    last = probe.stdout.strip().splitlines()[-1]
    assert last == "[] ['great_expectations', 'duckdb', 'pipelines.ingest'] 1"
