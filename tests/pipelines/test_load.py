"""The writer names each staging row's night and area; the area's Parquet holds neither."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest

from pipelines import ingest, load, nightly, synth

NIGHT = dt.date(2006, 9, 4)


def test_staging_rows_take_the_night_and_the_area_of_their_folder(tmp_path):
    landing = tmp_path / "landing"
    synth.generate(landing, [NIGHT], ["WAR"], scale=0.02, seed=5)
    result, out = nightly.ingest_one(landing, NIGHT, "WAR", tmp_path / "work")
    warehouse = tmp_path / "warehouse.duckdb"

    misplaced = tmp_path / "elsewhere" / "DUR"
    shutil.copytree(out, misplaced)
    with pytest.raises(ValueError, match="not in a folder named for its area"):
        load.load_night(warehouse, NIGHT, [(result, misplaced)])

    load.load_night(warehouse, NIGHT, [(ingest.read_result(out), out)])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        nights = con.execute(
            "SELECT as_of_date, area_code, count(*) FROM staging.contacts GROUP BY ALL"
        ).fetchall()
        (runs,) = con.execute("SELECT count(*) FROM audit.runs").fetchone()
    contacts = next(f for f in result.files if f.file == "contacts.csv")
    assert nights == [(NIGHT, "WAR", contacts.rows_loaded)]
    assert runs == len(result.files)  # the misplaced load left nothing behind
