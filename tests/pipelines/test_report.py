"""report.html: self-contained, offline, its figures and charts, opened in headless Chromium.

Chromium runs with the network blocked (a dead proxy and no name resolution) and
writes a NetLog; any request the page starts shows there with the page as its
initiator (the browser's own background requests have none), and any console
message shows in its log. Needs Debian's `chromium` package.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines import reference_data, report, warehouse
from tests.pipelines.test_benchmark import NIGHT_1, NIGHT_2, REJECTION, build_warehouse

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--enable-logging=stderr",
    "--v=0",
)


@dataclass
class Opened:
    dom: str
    console: list[str]
    page_requests: list[str]


def open_in_chromium(page: Path, work: Path, *extra: str) -> Opened:
    """Load a local page offline; return its DOM, console lines and the requests it made."""
    assert Path(CHROMIUM).exists(), "install Debian's chromium package (apt-get install chromium)"
    work.mkdir(parents=True, exist_ok=True)
    netlog = work / "netlog.json"
    done = subprocess.run(
        [
            CHROMIUM,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={work / 'profile'}",
            f"--log-net-log={netlog}",
            *extra,
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    requests = [
        event["params"]["url"]
        for event in log["events"]
        if event["type"] == start_job
        and "url" in event.get("params", {})
        and event["params"].get("initiator") != "not an origin"
    ]
    return Opened(done.stdout, console, requests)


def png_size_and_colours(path: Path) -> tuple[int, int, int]:
    """(width, height, distinct byte values of the pixel data) of a PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    pixels, at = b"", 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        if kind == b"IDAT":
            pixels += data[at + 8 : at + 8 + length]
        at += 12 + length
    return width, height, len(set(zlib.decompress(pixels)))


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    build_warehouse(con, tmp_path_factory.mktemp("sql"))
    return con


@pytest.fixture(scope="module")
def page(con, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    return report.build_report(con, NIGHT_2, out, baseline_as_of=NIGHT_1)


@pytest.fixture(scope="module")
def opened(page: Path, tmp_path_factory: pytest.TempPathFactory) -> Opened:
    return open_in_chromium(page, tmp_path_factory.mktemp("chromium"), "--dump-dom")


def test_the_harness_catches_console_errors_and_requests(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><img src="https://example.com/x.png">'
        '<script>console.error("boom")</script>',
        encoding="utf-8",
    )
    opened = open_in_chromium(bad, tmp_path / "chromium", "--dump-dom")
    assert opened.page_requests == ["https://example.com/x.png"]
    assert len(opened.console) == 1 and '"boom"' in opened.console[0]


def test_page_needs_nothing_from_outside(page):
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"https?:|//[a-z0-9]", text, re.IGNORECASE)
    assert re.findall(r'(?:src|href)="([^"#][^"]*)"', text) == []  # only in-page anchors
    for forbidden in ("<script", "<link", "<img", "<iframe", "@import", "url("):
        assert forbidden not in text


def test_chromium_renders_it_offline_without_errors(opened):
    assert opened.console == []
    assert opened.page_requests == []


def test_rendered_page_has_its_charts(opened):
    dom = opened.dom
    # national chart, three area-against-region charts, three trend charts
    assert dom.count("<svg") == 7
    assert dom.count("<polyline") >= 3  # two nights: national trend line per criterion
    assert dom.count("<rect") >= 20


def test_rendered_page_shows_the_scorecard_figures(con, opened):
    dom = opened.dom
    for area, name in (("WAR", "Warwickshire"), ("WMD", "West Midlands"), ("DBY", "Derbyshire")):
        pct, low, high = con.execute(
            "SELECT pct, ci_low, ci_high FROM marts.scorecard WHERE as_of_date = ? "
            "AND area_code = ? AND criterion_id = 'B1' AND question_id IS NULL",
            [NIGHT_2, area],
        ).fetchone()
        assert f"{name}: {pct:.1f}% (95% CI {low:.1f}–{high:.1f})" in dom
    assert "Leicestershire and Rutland: 75.0%" not in dom  # 3 of 4: suppressed


def test_scoring_summary_sheet_gives_baseline_current_change_and_significance(page):
    text = page.read_text(encoding="utf-8")
    war = text[text.index('<div class="card"><h3>Warwickshire') :]
    wmd = text[text.index('<div class="card"><h3>West Midlands') :]
    row = '<td class="text">B1</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
    assert row.format("90.0", "80.0", "-10.0", "no") in war[: war.index("</table>")]
    assert (
        row.format("20.0", "50.0", "+30.0", '<span class="sig above">yes</span>')
        in wmd[: wmd.index("</table>")]
    )


def test_rejected_areas_are_marked_and_text_is_escaped(page):
    text = page.read_text(encoding="utf-8")
    assert "Northamptonshire" in text and '<span class="badge">rejected</span>' in text
    assert REJECTION not in text
    assert "column &quot;&lt;crn&gt;&quot; missing &amp; file rejected" in text


def test_screenshot_on_a_laptop_sized_window(page, tmp_path):
    shot = tmp_path / "report.png"
    opened = open_in_chromium(
        page, tmp_path / "chromium", f"--screenshot={shot}", "--window-size=1400,2000"
    )
    assert opened.console == [] and opened.page_requests == []
    width, height, colours = png_size_and_colours(shot)
    assert (width, height) == (1400, 2000)
    assert shot.stat().st_size > 50_000 and colours > 100


def test_report_of_an_empty_warehouse_still_builds(tmp_path):
    con = duckdb.connect()
    warehouse.ensure_schema(con)
    reference_data.install(con)
    text = report.build_report(con, NIGHT_2, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "0 of 42 areas scored" in text
