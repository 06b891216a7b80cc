"""The local runner: the night's steps in a pool; the Data Docs site publishes with the night."""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
from pathlib import Path

import pytest

from pipelines import synth
from pipelines.run import local, steps
from pipelines.validate import data_docs
from pipelines.warehouse import writer

NIGHT = dt.date(2006, 9, 4)


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("nightly") / "landing"
    synth.generate(root, [NIGHT], ["WAR"], scale=0.02, seed=5, defect_rate=0.05)
    return root


def run(landing: Path, root: Path, workers: int = 1, areas=("WAR",)) -> local.NightResult:
    with local.workers(workers) as pool:
        return local.run_night(
            pool,
            landing,
            root / "warehouse.duckdb",
            NIGHT,
            areas=list(areas),
            publish_root=root / "publish",
            work_root=root / "work",
        )


def test_a_night_publishes_its_data_docs_with_its_files(landing, tmp_path):
    night = run(landing, tmp_path)
    site = tmp_path / "publish" / NIGHT.isoformat() / "data_docs"
    assert night.published["data_docs"] == site / "index.html"
    assert night.areas[0].rows_validated  # defects: GX validated values no store knew
    assert "WAR" in (site / "index.html").read_text(encoding="utf-8")
    assert night.exit_code == 0


def test_a_night_whose_writer_fails_publishes_nothing(landing, tmp_path, monkeypatch):
    """The site is built while the writer runs; a failed writer must not publish it."""

    def failing(*args, **kwargs):
        raise writer.ReconciliationError("injected: the writer fails after ingest")

    monkeypatch.setattr(writer, "_replace_areas", failing)
    with pytest.raises(steps.NightNotLoaded, match="injected"):
        run(landing, tmp_path)
    assert not (tmp_path / "publish").exists()


def test_a_night_whose_data_docs_fail_publishes_nothing(landing, tmp_path, monkeypatch):
    """The report renders while the site builds; a failed site must not publish it, as
    the DAG's publish task does not run after a failed build_data_docs."""

    def failing(*args, **kwargs):
        raise RuntimeError("injected: the Data Docs build fails")

    monkeypatch.setattr(data_docs, "publish_data_docs", failing)
    with pytest.raises(RuntimeError, match="injected"):
        run(landing, tmp_path)
    assert list((tmp_path / "publish").rglob("*")) == []


@pytest.mark.skipif(sys.platform != "linux", reason="a thread's own nice value is Linux's")
def test_the_data_docs_step_yields_the_cpu_and_leaves_its_caller_as_it_was(
    landing, tmp_path, monkeypatch
):
    build = data_docs.publish_data_docs
    seen = []

    def recording(*args, **kwargs):
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return build(*args, **kwargs)

    monkeypatch.setattr(data_docs, "publish_data_docs", recording)
    night = run(landing, tmp_path)
    assert seen == [steps.LOWEST_PRIORITY]
    assert night.published["data_docs"].is_file()

    def current() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = current()
    assert before < steps.LOWEST_PRIORITY
    inside = []
    steps.yielding_cpu(lambda: inside.append(current()))
    assert (inside, current()) == ([steps.LOWEST_PRIORITY], before)


def test_areas_ingested_by_worker_processes_load_and_publish(tmp_path):
    """The default path: areas ingest in two processes, in any order; the site shows both."""
    landing = tmp_path / "landing"
    synth.generate(landing, [NIGHT], ["WAR", "DUR"], scale=0.02, seed=5, defect_rate=0.05)
    night = run(landing, tmp_path, workers=2, areas=("WAR", "DUR"))
    assert [(a.area_code, a.status) for a in night.areas] == [("DUR", "loaded"), ("WAR", "loaded")]
    assert all(area.rows_validated for area in night.areas)
    index = night.published["data_docs"].read_text(encoding="utf-8")
    assert "DUR" in index and "WAR" in index


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities here")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: one thread runs every step")
def test_only_the_data_docs_process_runs_at_the_lowest_priority():
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    with local.workers(2) as pool:
        areas = pool.areas.submit(os.getpriority, os.PRIO_PROCESS, 0).result()
        data_docs = pool.data_docs.submit(os.getpriority, os.PRIO_PROCESS, 0).result()
    assert (areas, data_docs) == (ours, steps.LOWEST_PRIORITY)
