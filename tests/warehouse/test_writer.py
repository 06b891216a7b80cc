"""The writer names each staging row's night and area; the area's Parquet holds neither."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest

from pipelines import synth
from pipelines.contract.handoff import read_result
from pipelines.run import steps
from pipelines.warehouse import writer

NIGHT = dt.date(2006, 9, 4)
STARTED = dt.datetime(2006, 9, 5, 2)


def test_staging_rows_take_the_night_and_the_area_of_their_folder(tmp_path):
    landing = tmp_path / "landing"
    synth.generate(landing, [NIGHT], ["WAR"], scale=0.02, seed=5)
    plan = steps.plan_night(landing, NIGHT, ["WAR"], work_root=tmp_path / "work")
    result = steps.ingest_area(plan, landing, "WAR")
    out = plan.area_dir("WAR")
    warehouse = tmp_path / "warehouse.duckdb"

    misplaced = tmp_path / "elsewhere" / "DUR"
    shutil.copytree(out, misplaced)
    with pytest.raises(ValueError, match="not in a folder named for its area"):
        writer.load_night(warehouse, NIGHT, [(result, misplaced)], plan.run_id, STARTED)

    writer.load_night(warehouse, NIGHT, [(read_result(out), out)], plan.run_id, STARTED)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        nights = con.execute(
            "SELECT as_of_date, area_code, count(*) FROM staging.contacts GROUP BY ALL"
        ).fetchall()
        ((runs,),) = con.execute("SELECT count(*) FROM audit.runs").fetchall()
    contacts = next(f for f in result.files if f.file == "contacts.csv")
    assert nights == [(NIGHT, "WAR", contacts.rows_loaded)]
    assert runs == len(result.files)  # the misplaced load left nothing behind
