"""The run log's reads: a rerun of a night supersedes only the areas it ran."""

from __future__ import annotations

import datetime as dt

import duckdb

from pipelines.warehouse import audit, schema

NIGHT, NEXT = dt.date(2006, 9, 17), dt.date(2006, 9, 18)
FIRST, RERUN, LATER = (dt.datetime(2006, 9, 18, h) for h in (1, 2, 3))


def test_a_rerun_supersedes_only_the_areas_it_ran(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    runs = [
        # night, area, status, finished, file
        (NIGHT, "WAR", "loaded", FIRST, "events.csv"),
        (NIGHT, "WAR", "loaded", FIRST, "contacts.csv"),
        (NIGHT, "DUR", "rejected", FIRST, None),
        (NIGHT, "DUR", "loaded", RERUN, "events.csv"),  # DUR alone, rerun after a fix
        (NEXT, "WAR", "loaded", LATER, "events.csv"),
        (NEXT, "DUR", "missing", LATER, None),
    ]
    with duckdb.connect(str(path)) as con:
        schema.ensure_schema(con)
        con.executemany(
            "INSERT INTO audit.runs (run_id, as_of_date, area_code, status, finished_at, file) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (f"{night}/{finished:%H}", night, a, s, finished, f)
                for night, a, s, finished, f in runs
            ],
        )
        latest = con.execute(
            "SELECT as_of_date, area_code, status, file FROM audit.latest_runs ORDER BY ALL"
        ).fetchall()
    assert latest == [
        (NIGHT, "DUR", "loaded", "events.csv"),
        (NIGHT, "WAR", "loaded", "contacts.csv"),
        (NIGHT, "WAR", "loaded", "events.csv"),
        (NEXT, "DUR", "missing", None),
        (NEXT, "WAR", "loaded", "events.csv"),
    ]
    assert audit.nights(path) == [
        {"as_of_date": NIGHT, "loaded": 2, "rejected": 0, "missing": 0, "last_run": RERUN},
        {"as_of_date": NEXT, "loaded": 1, "rejected": 0, "missing": 1, "last_run": LATER},
    ]
