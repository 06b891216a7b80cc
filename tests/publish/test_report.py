"""report.html: self-contained, offline, its figures and charts, opened in headless Chromium.

Chromium runs with the network blocked (a dead proxy and no name resolution) and
writes a NetLog; any request the page starts shows there with the page as its
initiator (the browser's own background requests have none), and any console
message shows in its log. Needs Debian's `chromium` package.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import struct
import zlib
from pathlib import Path

import duckdb
import pytest

from pipelines.publish import report
from pipelines.warehouse import reference, schema
from tests.validate.browser import Opened, open_offline
from tests.warehouse.test_benchmark import (
    NIGHT_1,
    NIGHT_2,
    REJECTION,
    build_warehouse,
    insert_scorecard,
    wilson,
)

open_in_chromium = open_offline  # the report needs no script: extra says what to do


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


@pytest.mark.parametrize("built", ["page", "sampled_page"])
def test_page_needs_nothing_from_outside(built, request):
    text = request.getfixturevalue(built).read_text(encoding="utf-8")
    assert not re.search(r"https?:|//[a-z0-9]", text, re.IGNORECASE)
    # in-page anchors, and one link to the night's Data Docs published beside the report
    assert set(re.findall(r'(?:src|href)="([^"#][^"]*)"', text)) == {"data_docs/index.html"}
    for forbidden in ("<script", "<link", "<img", "<iframe", "@import", "url("):
        assert forbidden not in text


def test_chromium_renders_it_offline_without_errors(opened):
    assert opened.console == []
    assert opened.page_requests == []


# national chart; per criterion: area against region and nation, funnel, trend, per-area
# trends; the quarantine rate per area
CHARTS = 1 + 4 * 3 + 1


def test_every_chart_is_inline_svg_with_a_text_alternative(opened):
    dom = opened.dom
    svgs = re.findall(r"<svg[^>]*>", dom)
    assert len(svgs) == CHARTS
    assert all('role="img"' in s and 'aria-label="' in s for s in svgs)
    # every chart but the national one (whose table follows it) has its figures in <details>
    assert dom.count("the figures as a table") + dom.count("their limits as a table") == 12
    assert "@media print" in dom


def test_charts_write_area_names_and_question_texts_in_full(con, opened):
    dom = opened.dom
    areas = dom[dom.index('<section id="areas">') : dom.index('<section id="funnels">')]
    # B3 draws LEI (8 of 10): its whole name is the axis label, never cut
    assert re.search(r"<text [^>]*>Leicestershire and Rutland</text>", areas)
    assert "…" not in dom
    national = dom[dom.index('<section id="national">') : dom.index('<section id="quality">')]
    for question, title in con.execute(
        "SELECT question_id, title FROM config.questions"
    ).fetchall():
        assert re.search(rf"<text [^>]*>{re.escape(question)} {re.escape(title)}</text>", national)


def test_print_stylesheet_opens_details_and_starts_each_sheet_on_a_page(opened):
    css = opened.dom[opened.dom.index("@media print") :]
    css = css[: css.index("</style>")]
    assert "details > * { display: block; }" in css
    # Chromium hides a closed <details> through its ::details-content, whatever its children say
    assert "details::details-content { content-visibility: visible; display: block; }" in css
    assert "section#sheets .card { break-before: page;" in css
    assert "nav, details summary { display: none; }" in css


def test_no_hand_drawn_svg_in_pipelines():
    root = Path(report.__file__).parents[1]
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for mark in ("<polyline", "<rect", "<circle", "<path", "<line ", "viewBox"):
            assert mark not in text, (path, mark)


def area_row(name: str, region: str, *cells: str) -> str:
    return f'<tr><td class="text">{name}</td><td class="text">{region}</td>' + "".join(
        f"<td>{c}</td>" for c in cells
    )


def test_rendered_page_shows_the_scorecard_figures(con, opened):
    dom = opened.dom
    areas = dom[dom.index('<section id="areas">') : dom.index('<section id="funnels">')]
    for area, name in (("WAR", "Warwickshire"), ("WMD", "West Midlands"), ("STA", "Staffordshire")):
        met, evaluated, pct, low, high = con.execute(
            "SELECT met, evaluated, pct, ci_low, ci_high FROM marts.scorecard "
            "WHERE as_of_date = ? AND area_code = ? AND criterion_id = 'B1' "
            "AND question_id IS NULL",
            [NIGHT_2, area],
        ).fetchone()
        row = area_row(name, "West Midlands", f"{met}/{evaluated}", f"{pct:.1f}",
                       f"{low:.1f}–{high:.1f}")  # fmt: skip
        assert row in areas, row
    # LEI B1 is 3 of 4: suppressed in every place it would show
    suppressed = area_row("Leicestershire and Rutland", "East Midlands", "*", "*", "*", "*")
    assert suppressed.replace("<tr>", '<tr class="suppressed">') in areas
    assert "3/4" not in dom and "75.0" not in areas.split("<h3>B3")[0]


def test_the_comparison_says_what_it_pools_and_the_legend_reads(opened):
    dom = opened.dom
    assert "7 of 42 areas scored" in dom
    assert "Each area against its region and 7 areas scored" in dom
    assert "Pooled over 7 areas scored" in dom
    assert "similar the nation" not in dom and "similar to the national score" in dom
    assert "rulebook esi-2006.1 (HM Inspectorate of Probation" in dom
    assert '<section id="howto"' in dom


def funnel_rows(dom: str, criterion: str) -> dict[str, dict[str, float]]:
    block = dom[dom.index(f'id="funnel-{criterion}"') :]
    block = block[: block.index("</table>")]
    return {
        m["area"]: {k: float(m[k]) for k in ("n", "low95", "high95", "low998", "high998")}
        for m in re.finditer(
            r'<tr data-area="(?P<area>[^"]+)" data-n="(?P<n>\d+)" data-low95="(?P<low95>[\d.]+)"'
            r' data-high95="(?P<high95>[\d.]+)" data-low998="(?P<low998>[\d.]+)"'
            r' data-high998="(?P<high998>[\d.]+)">',
            block,
        )
    }


def binomial_limits(p: float, n: int, z: float) -> tuple[float, float]:
    half = z * math.sqrt(p * (1 - p) / n)
    return 100 * max(p - half, 0), 100 * min(p + half, 1)


def test_funnel_limits_are_the_binomial_control_limits(opened):
    dom = opened.dom
    # B1 of night 2, published rows only: WAR 40/50, STA 30/50, WME 30/50, WMD 25/50,
    # DBY 5/5; LEI (3/4) is suppressed and NOT evaluated nothing, so neither is plotted
    p = (40 + 30 + 30 + 25 + 5) / (50 * 4 + 5)
    rows = funnel_rows(dom, "B1")
    assert sorted(rows) == ["Derbyshire", "Staffordshire", "Warwickshire", "West Mercia",
                            "West Midlands"]  # fmt: skip
    for name, got in rows.items():
        n = int(got["n"])
        assert n == (5 if name == "Derbyshire" else 50)
        low95, high95 = binomial_limits(p, n, 1.96)
        low998, high998 = binomial_limits(p, n, 3.09)
        assert got["low95"] == pytest.approx(low95, abs=5e-4)
        assert got["high95"] == pytest.approx(high95, abs=5e-4)
        assert got["low998"] == pytest.approx(low998, abs=5e-4)
        assert got["high998"] == pytest.approx(high998, abs=5e-4)
    assert rows["Derbyshire"]["high95"] == 100.0  # clipped
    # WAR 80% is above the 95% limit (76.8) and inside the 99.8% (84.4); WMD 50% is just
    # under the 95% low limit (50.06)
    funnel_b1 = dom[dom.index('id="funnel-B1"') : dom.index('id="funnel-B3"')]
    assert (
        "Outside the 95% limits: Warwickshire (above 95%), West Midlands (below 95%)." in funnel_b1
    )
    assert f'data-p="{round(100 * p, 1)}"' in funnel_b1


def test_each_questions_funnel_limits_are_tabled_too(opened):
    # B1.1 of night 2: WAR 5/10 and WMD 5/10 published, so p = 0.5 at n = 10
    rows = funnel_rows(opened.dom, "B1.1")
    assert sorted(rows) == ["Warwickshire", "West Midlands"]
    low95, high95 = binomial_limits(0.5, 10, 1.96)
    low998, high998 = binomial_limits(0.5, 10, 3.09)
    for got in rows.values():
        assert got["n"] == 10
        assert (got["low95"], got["high95"]) == pytest.approx((low95, high95), abs=5e-4)
        assert (got["low998"], got["high998"]) == pytest.approx((low998, high998), abs=5e-4)
    # B1.5 (WAR 4/4) and B1.6 (complementary) are suppressed: no funnel for them
    assert 'id="funnel-B1.5"' not in opened.dom and 'id="funnel-B1.6"' not in opened.dom


def trend_table(dom: str, criterion: str) -> dict[str, list[str]]:
    block = dom[dom.index(f'id="area-trend-{criterion}"') :]
    block = block[: block.index("</table>")]
    return {
        m[1]: re.findall(r"<td>([^<]*)</td>", m[2])
        for m in re.finditer(r'<tr><td class="text">([^<]+)</td>(.*?)</tr>', block)
    }


def test_trend_per_area_over_every_night(opened):
    rows = trend_table(opened.dom, "B1")
    assert rows["Warwickshire"] == ["90.0", "80.0"]
    assert rows["West Midlands"] == ["20.0", "50.0"]
    assert rows["Derbyshire"] == ["100.0", "100.0"]
    assert rows["Leicestershire and Rutland"] == ["*", "*"]  # suppressed both nights
    assert rows["Nottinghamshire"] == ["*", "*"]  # nothing evaluated: suppressed too
    c2 = trend_table(opened.dom, "C2")
    assert c2["West Midlands"] == ["80.0", "80.0"] and c2["Nottinghamshire"] == ["60.0", "60.0"]


def test_a_night_whose_export_was_rejected_is_a_gap_not_a_zero(tmp_path):
    con = duckdb.connect()
    build_warehouse(con, tmp_path / "sql")
    con.execute(
        "INSERT INTO audit.runs (run_id, as_of_date, area_code, status, message) "
        "VALUES ('r1', ?, 'WAR', 'rejected', 'bad file')",
        [NIGHT_1],
    )
    page = report.build_report(con, NIGHT_2, tmp_path / "r.html", baseline_as_of=NIGHT_1)
    rows = trend_table(page.read_text(encoding="utf-8"), "B1")
    assert rows["Warwickshire"] == ["–", "80.0"]
    assert rows["West Midlands"] == ["20.0", "50.0"]


def test_scoring_summary_sheet_gives_question_texts_counts_and_significance(con, page):
    text = page.read_text(encoding="utf-8")
    war = text[text.index('<div class="card" data-area="WAR">') :]
    war = war[: war.index("</table>")]
    wmd = text[text.index('<div class="card" data-area="WMD">') :]
    wmd = wmd[: wmd.index("</table>")]
    titles = dict(con.execute("SELECT question_id, title FROM config.questions").fetchall())
    row = '<td class="text">{}</td><td class="text qtext">{}</td><td>{}</td><td>{}</td>' + (
        "<td>{}</td>" * 4
    )
    assert (
        row.format("B1", "Assessment of Risk of Harm", "40/50", "–", "90.0", "80.0", "-10.0", "no")
        in war
    )
    assert row.format("B1.1", titles["B1.1"], "5/10", "–", "50.0", "50.0", "+0.0", "no") in war
    # B1.5 (4 of 4) is suppressed, and B1.6 with it (complementary suppression)
    for question in ("B1.5", "B1.6"):
        assert row.format(question, titles[question], "*", "*", "*", "*", "–", "–") in war
    assert (
        row.format(
            "B1",
            "Assessment of Risk of Harm",
            "25/50",
            "–",
            "20.0",
            "50.0",
            "+30.0",
            '<span class="sig above">yes</span>',
        )
        in wmd
    )


def test_rejected_areas_are_marked_and_text_is_escaped(page):
    text = page.read_text(encoding="utf-8")
    assert "Northamptonshire" in text and '<span class="badge">rejected</span>' in text
    assert REJECTION not in text
    assert "column &#34;&lt;crn&gt;&#34; missing &amp; file rejected" in text  # markupsafe


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
    schema.ensure_schema(con)
    reference.install(con)
    text = report.build_report(con, NIGHT_2, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "0 of 42 areas scored" in text


# The inspection sample of night 2, beside the census of test_benchmark (threshold 5):
# WAR B1 24/30 = census 80.0; STA B1 28/30 = 93.3 against census 60.0 (outside the
# interval); WMD B1 3/4 suppressed; LEI B1 10/10 against a suppressed census 3/4; STA C2
# nothing evaluated, so suppressed too. WAR's B1 questions: B1.1 4/4 suppressed, so
# B1.5 (6, the smaller of the others) is suppressed with it; the census hides B1.5 (4/4)
# and so B1.6 (8).
SAMPLE_COUNTS = [
    ("WAR", "B1", None, 24, 30),
    ("WAR", "B1", "B1.1", 4, 4),
    ("WAR", "B1", "B1.5", 5, 6),
    ("WAR", "B1", "B1.6", 15, 20),
    ("WAR", "B3", None, 14, 30),
    ("WAR", "C2", None, 8, 12),
    ("STA", "B1", None, 28, 30),
    ("STA", "B3", None, 21, 30),
    ("STA", "C2", None, 0, 0),
    ("WMD", "B1", None, 3, 4),
    ("LEI", "B1", None, 10, 10),
]
SAMPLE_WINDOW = (dt.date(2006, 6, 1), dt.date(2006, 6, 30))


@pytest.fixture(scope="module")
def sampled_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of night 2 with its sample scored and its draw recorded."""
    con = duckdb.connect()
    build_warehouse(con, tmp_path_factory.mktemp("sql"))
    insert_scorecard(con, NIGHT_2, SAMPLE_COUNTS, scope="sample")
    con.execute(
        "INSERT INTO marts.sample_draws VALUES (?, ?, ?, 30, 3, 42, 74, 'esi-2006.1')",
        [NIGHT_2, *SAMPLE_WINDOW],
    )
    out = tmp_path_factory.mktemp("sampled") / "report.html"
    return report.build_report(con, NIGHT_2, out, baseline_as_of=NIGHT_1)


def sample_row(area: str, label: str, *cells: str) -> str:
    return f'<tr><td class="text">{area}</td><td class="text">{label}</td>' + "".join(
        f"<td>{c}</td>" for c in cells
    )


def interval(met: int, evaluated: int) -> str:
    low, high = wilson(met, evaluated)
    return f"{low:.1f}–{high:.1f}"


def test_no_sample_no_section(page):
    text = page.read_text(encoding="utf-8")
    assert "Inspection sample" not in text and 'id="sample"' not in text


def test_sample_section_says_how_it_was_drawn(sampled_page):
    text = sampled_page.read_text(encoding="utf-8")
    assert '<a href="#sample">Inspection sample</a>' in text
    section = text[text.index('<section id="sample">') :]
    section = section[: section.index("</section>")]
    assert (
        "74 cases drawn: in each area up to 30 cases starting between 2006-06-01 and "
        "2006-06-30 (unpaid work only excluded), at least 3 of them (or all there were) with "
        "an initial RoH level of high or very high, the rest at random from seed 42; "
        "rulebook esi-2006.1." in section
    )
    # published on both sides: WAR B1, B3, C2 and STA B3 inside, STA B1 outside
    assert "within the sample's interval for 4 of 5 area criterion scores" in section


def test_sample_figures_beside_the_census_with_small_numbers_suppressed(sampled_page):
    text = sampled_page.read_text(encoding="utf-8")
    section = text[text.index('<section id="sample">') : text.index('<section id="trend">')]
    criteria, questions = section.split("<details>")
    expected = [
        sample_row("Warwickshire", "B1", "80.0", interval(24, 30), "30", "80.0", "50", "+0.0",
                   "yes"),
        sample_row("Warwickshire", "B3", "46.7", interval(14, 30), "30", "50.0", "40", "-3.3",
                   "yes"),
        sample_row("Warwickshire", "C2", "66.7", interval(8, 12), "12", "50.0", "20", "+16.7",
                   "yes"),
        sample_row("Staffordshire", "B1", "93.3", interval(28, 30), "30", "60.0", "50", "+33.3",
                   '<span class="sig">no</span>'),
        sample_row("Staffordshire", "B3", "70.0", interval(21, 30), "30", "70.0", "50", "+0.0",
                   "yes"),
        sample_row("Staffordshire", "C2", "*", "*", "*", "50.0", "20", "*", "*"),
        sample_row("West Midlands", "B1", "*", "*", "*", "50.0", "50", "*", "*"),
        sample_row("Leicestershire and Rutland", "B1", "100.0", interval(10, 10), "10", "*",
                   "*", "*", "*"),
        sample_row("Warwickshire", "B1.1", "*", "*", "*", "50.0", "10", "*", "*"),
        sample_row("Warwickshire", "B1.5", "*", "*", "*", "*", "*", "*", "*"),
        sample_row("Warwickshire", "B1.6", "75.0", interval(15, 20), "20", "*", "*", "*", "*"),
    ]  # fmt: skip
    shown = [criteria.index(row) for row in expected[:8]]
    for row in expected[8:]:
        assert row in questions, row
    assert criteria.count("<tr><td") == 8 and questions.count("<tr><td") == 3
    # areas as in ref.areas (by region, then name), each area's criteria in order
    assert sorted(shown) == [shown[i] for i in (7, 3, 4, 5, 0, 1, 2, 6)]
    # the suppressed sample counts show nowhere, not even in the chart's tooltips
    assert "West Midlands sample" not in section and "3 cases" not in section
    assert section.count("sample suppressed (fewer than 5 cases)") == 2  # WMD B1, STA C2


def test_sample_chart_marks_the_census_in_or_outside_the_interval(sampled_page):
    text = sampled_page.read_text(encoding="utf-8")
    section = text[text.index('<section id="sample">') : text.index('<section id="calibration">')]
    labels = re.findall(r'<svg[^>]*aria-label="([^"]*)"', section)
    # per criterion, areas by region then name; WMD B1 and STA C2 suppressed, so not drawn
    assert labels == [
        "B1: inspection sample against census: Leicestershire and Rutland sample 100.0%, "
        "census –%; Staffordshire sample 93.3%, census 60.0%; Warwickshire sample 80.0%, "
        "census 80.0%",
        "B3: inspection sample against census: Staffordshire sample 70.0%, census 70.0%; "
        "Warwickshire sample 46.7%, census 50.0%",
        "C2: inspection sample against census: Warwickshire sample 66.7%, census 50.0%",
    ]
    low, high = wilson(28, 30)
    assert sample_row("Staffordshire", "B1", "93.3", f"{low:.1f}–{high:.1f}", "30") in section


def test_sampled_page_renders_offline_in_chromium(sampled_page, tmp_path):
    opened = open_in_chromium(sampled_page, tmp_path / "chromium", "--dump-dom")
    assert opened.console == [] and opened.page_requests == []
    assert opened.dom.count("<svg") == CHARTS + 3
    assert "<h2>Inspection sample vs census</h2>" in opened.dom
