"""The night's Data Docs: a validation per area and landed file, its counts those of the
warehouse, on a defect night and on the steady-state night after it; offline in Chromium.

Two generated nights a week apart (defects included) run through the local runner
into one warehouse and work root, so the second night reads the values the first
validated (its outcomes are mostly carried over). Real GX, DuckDB and files.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines import synth
from pipelines.contract.exports import LANDED_FILES
from pipelines.run import local
from pipelines.validate import offline
from tests.validate.browser import open_offline

AREAS = ["DUR", "WAR"]
NIGHTS = [dt.date(2006, 10, 2), dt.date(2006, 10, 9)]
FILE_NAMES = {e.file_name: e.name for e in LANDED_FILES}


@dataclass
class Nights:
    warehouse: Path
    publish: Path
    results: dict[dt.date, local.NightResult]


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def nights(tmp_path_factory, monkeypatch_module) -> Nights:
    root = tmp_path_factory.mktemp("data-docs")
    monkeypatch_module.setenv("CASEAUDIT_CASE_KEY_SECRET", "test-secret")
    synth.generate(root / "landing", NIGHTS, AREAS, scale=0.02, seed=7, defect_rate=0.05)
    ran = Nights(root / "warehouse.duckdb", root / "publish", {})
    with local.workers(1) as pool:
        for night in NIGHTS:
            ran.results[night] = local.run_night(
                pool,
                root / "landing",
                ran.warehouse,
                night,
                AREAS,
                publish_root=ran.publish,
                work_root=root / "work",
            )
    return ran


def site(nights: Nights, night: dt.date) -> Path:
    return nights.publish / night.isoformat() / "data_docs"


def marker(page: str, label: str) -> str:
    """A figure of the page's file (its `batch_markers` table, rendered by GX)."""
    found = re.search(
        re.escape(html.escape(label, quote=False)) + r"</span>.*?<span[^>]*>([^<]*)</span>",
        page,
        re.DOTALL,
    )
    assert found, label
    return found.group(1)


def audited(warehouse: Path, night: dt.date) -> dict[tuple[str, str], tuple[int, int]]:
    """(area, export) -> (rows_in, distinct lines in quarantine.rows) of the night's run."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """SELECT r.area_code, r.file, r.rows_in,
                   (SELECT count(DISTINCT q.line) FROM quarantine.rows AS q
                    WHERE q.as_of_date = r.as_of_date AND q.area_code = r.area_code
                    AND q.file = r.file)
               FROM audit.latest_runs AS r
               WHERE r.as_of_date = ? AND r.sha256 IS NOT NULL""",
            [night],
        ).fetchall()
    return {(area, FILE_NAMES[file]): (rows_in, q) for area, file, rows_in, q in rows}


@pytest.mark.parametrize("night", NIGHTS, ids=["defect night", "steady-state night"])
def test_every_area_and_landed_file_has_a_validation_with_the_warehouse_counts(nights, night):
    root = site(nights, night)
    expected = audited(nights.warehouse, night)
    assert len(expected) == len(AREAS) * (len(LANDED_FILES) - 1)  # no readings landed
    index = (root / "index.html").read_text(encoding="utf-8")
    pages = {}
    for export, area in sorted(
        p.relative_to(root / "validations").parts[:2]
        for p in (root / "validations").rglob("*.html")
    ):
        pages[area, export] = next((root / "validations" / export / area).rglob("*.html"))
    assert sorted(pages) == sorted(expected)
    for (area, export), (rows_in, quarantined) in expected.items():
        assert f"validations/{export}/{area}/" in index
        page = pages[area, export].read_text(encoding="utf-8")
        assert marker(page, "rows in the file (audit.runs rows_in)") == str(rows_in)
        assert marker(page, "rows quarantined (quarantine.rows)") == str(quarantined)
        assert marker(page, "rows loaded") == str(rows_in - quarantined)
        misshapen = int(marker(page, "rows misshapen (field_count, not checked)"))
        totals = set(re.findall(r"of ([0-9,]+) total rows", page))
        assert totals <= {str(rows_in - misshapen)}, (area, export)
    defects = [p for p in pages.values() if "unexpected values found" in p.read_text("utf-8")]
    assert defects, "the defect rate shows failing expectations"


def test_the_steady_state_night_says_which_outcomes_were_carried_over(nights):
    first, second = NIGHTS
    texts = [p.read_text("utf-8") for p in (site(nights, second) / "validations").rglob("*.html")]
    # values GX validated on the first night are not validated again, and the page says so
    assert any(f"from nights {first.isoformat()}" in t for t in texts)
    assert all("from the contract's values" in t for t in texts)
    tonight = [int(marker(t, "values GX validated tonight")) for t in texts]
    earlier = (site(nights, first) / "validations").rglob("*.html")
    first_texts = [p.read_text("utf-8") for p in earlier]
    assert sum(tonight) < sum(int(marker(t, "values GX validated tonight")) for t in first_texts)


def test_no_page_loads_anything_from_another_host(nights):
    for page in site(nights, NIGHTS[0]).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not offline.REMOTE.search(text), page
        assert not [m for m in offline.LINK.finditer(text) if "//" in m.group()], page
        assert "amazonaws" not in text and "dataContextId" not in text


@pytest.mark.parametrize("which", ["index", "validation"])
def test_data_docs_open_offline_in_chromium(nights, which, tmp_path):
    root = site(nights, NIGHTS[1])
    page = root / "index.html"
    if which == "validation":
        page = next((root / "validations" / "events" / "DUR").rglob("*.html"))
    # every file the page loads is in the site (Chromium does not log a missing file: URL)
    text = page.read_text(encoding="utf-8")
    loaded = re.findall(r'<(?:script|img)[^>]* src="([^"]+)"|<link[^>]* href="([^"]+)"', text)
    files = [a or b for a, b in loaded]
    assert any("static/vendor/jquery" in f for f in files)
    assert [f for f in files if not (page.parent / f).is_file()] == []
    opened = open_offline(page, tmp_path / "chromium")
    # no request left the machine or failed (a file: URL that is missing logs a console error)
    assert [u for u in opened.page_requests if not u.startswith("file://")] == []
    assert opened.failed == []
    assert opened.console == []
    # bootstrap-table (jQuery, Bootstrap) ran: it wraps each table it draws
    assert 'class="bootstrap-table' in opened.dom
    if which == "validation":
        assert "rows in the file (audit.runs rows_in)" in opened.dom
    else:
        assert "validations/events/DUR/" in opened.dom


def test_the_harness_catches_a_remote_request_and_a_console_error(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><img src="https://example.com/x.png">'
        '<script>console.error("boom")</script>',
        encoding="utf-8",
    )
    opened = open_offline(bad, tmp_path / "chromium")
    assert opened.page_requests == ["https://example.com/x.png"]
    assert opened.failed == ["https://example.com/x.png"]
    assert len(opened.console) == 1 and '"boom"' in opened.console[0]
