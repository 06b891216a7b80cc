"""Which folders of a night's landing are areas, and which are not."""

from __future__ import annotations

import datetime as dt

from pipelines.ingest import landing

AS_OF = dt.date(2007, 6, 4)


def test_discover_areas_separates_bad_folders(tmp_path):
    night = tmp_path / AS_OF.isoformat()
    for name in ("DUR", "NBR", "WAR;DROP", "x"):
        (night / name).mkdir(parents=True)
    (night / "notes.txt").write_text("not a folder")
    (night / "LEI").write_text("a file where LEI's folder should be")
    assert landing.discover_areas(tmp_path, AS_OF) == (
        ["DUR", "NBR"],
        [
            "LEI (a file where the area's folder should be)",
            "<AAA;AAAA> (a folder not named by an area code)",
            "<a> (a folder not named by an area code)",
        ],
    )
    assert landing.discover_areas(tmp_path, dt.date(2007, 6, 5)) == ([], [])
