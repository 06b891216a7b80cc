"""run_night: the Data Docs site built beside the writer is published only with the night."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest

from pipelines import load, nightly, synth

NIGHT = dt.date(2006, 9, 4)


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("nightly") / "landing"
    synth.generate(root, [NIGHT], ["WAR"], scale=0.02, seed=5)
    return root


def run(landing: Path, root: Path, ingest_workers: int = 1) -> nightly.NightResult:
    return nightly.run_night(
        landing,
        root / "warehouse.duckdb",
        NIGHT,
        publish_root=root / "publish",
        work_root=root / "work",
        ingest_workers=ingest_workers,
    )


def test_a_night_publishes_its_data_docs_with_its_files(landing, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    night = run(landing, tmp_path)
    site = tmp_path / "publish" / NIGHT.isoformat() / "data_docs"
    assert night.published["data_docs"] == site / "index.html"
    assert "WAR" in (site / "index.html").read_text(encoding="utf-8")
    assert list((tmp_path / "scratch").iterdir()) == []  # the scratch site was moved, not left


def test_a_night_whose_writer_fails_publishes_no_data_docs(landing, tmp_path, monkeypatch):
    """The site is built while the writer runs; a failed writer must not publish it."""

    def failing(*args, **kwargs):
        raise load.ReconciliationError("injected: the writer fails after ingest")

    monkeypatch.setattr(load, "_replace_areas", failing)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    with pytest.raises(load.ReconciliationError, match="injected"):
        run(landing, tmp_path)
    assert not (tmp_path / "publish").exists()
    assert list((tmp_path / "scratch").iterdir()) == []


def test_areas_ingested_by_worker_processes_publish_one_site(tmp_path):
    """The default path: areas ingest in two processes; the site shows both."""
    landing = tmp_path / "landing"
    synth.generate(landing, [NIGHT], ["WAR", "DUR"], scale=0.02, seed=5)
    night = run(landing, tmp_path, ingest_workers=2)
    assert all(area.rows_validated for area in night.areas)  # a worker built the site
    assert [(a.area_code, a.status) for a in night.areas] == [("DUR", "loaded"), ("WAR", "loaded")]
    index = night.published["data_docs"].read_text(encoding="utf-8")
    assert "DUR" in index and "WAR" in index
