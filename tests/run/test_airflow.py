"""The nightly DAG's wait for exports (which areas count as complete) and its deadline."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DeadlineReference

from pipelines.contract.exports import EVENTS, EXPORT_FILES, MANIFEST_NAME
from pipelines.run.airflow import complete_areas, publish_deadline

NIGHT = dt.date(2006, 9, 4)


def test_an_export_is_complete_with_its_manifest_or_else_all_its_files(tmp_path):
    night = tmp_path / NIGHT.isoformat()
    for code in ("WAR", "DUR", "CUM", "LEI"):
        (night / code).mkdir(parents=True)
        for export in EXPORT_FILES:
            (night / code / export.file_name).write_text("header\n")
    (night / "DUR" / EVENTS.file_name).unlink()  # still arriving: no manifest yet
    (night / "CUM" / EVENTS.file_name).unlink()  # sent without it: the manifest came last
    (night / "CUM" / MANIFEST_NAME).write_text("{}")
    expected = ["WAR", "DUR", "CUM", "NBR"]
    assert complete_areas(str(tmp_path), NIGHT, expected) == ["CUM", "WAR"]


def test_the_publish_deadline_is_the_configured_minutes_after_queueing_or_none(monkeypatch):
    monkeypatch.setenv("CASEAUDIT_PUBLISH_WITHIN_MINUTES", "90")
    alert = publish_deadline()
    assert alert is not None
    assert alert.interval == dt.timedelta(minutes=90)
    assert alert.reference == DeadlineReference.DAGRUN_QUEUED_AT
    assert alert.callback.path == "pipelines.run.airflow.night_not_published"
    monkeypatch.setenv("CASEAUDIT_PUBLISH_WITHIN_MINUTES", "0")
    assert publish_deadline() is None
