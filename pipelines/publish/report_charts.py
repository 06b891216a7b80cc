"""The report's marks: formatting of figures, and its charts as SVG drawn here (offline)."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence
from typing import Any

from pipelines.publish.report_data import ReportData

CRITERION_NAMES = {
    "B1": "Assessment of Risk of Harm",
    "B3": "Case management",
    "C2": "Delivering appropriate supervision",
}
REGION_COLOURS = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#8c8c8c",
)  # fmt: skip
FLAG_COLOURS = {"above": "#2e7d32", "below": "#c62828", "similar": "#8fa3b0"}
FLAG_MARKS = {"above": "▲", "below": "▼", "similar": ""}
# the sample's interval: census inside, outside, or not published
INTERVAL_COLOURS = {True: "#b9cde0", False: "#f6c7a1", None: "#dde3ea"}
SUPPRESSED = "*"
MISSING = "–"


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


# ---------------------------------------------------------------- formatting


def fmt_pct(value: float | None, hidden: bool = False) -> str:
    if hidden:
        return SUPPRESSED
    return MISSING if value is None else f"{value:.1f}"


def fmt_change(value: float | None) -> str:
    return MISSING if value is None else f"{value:+.1f}"


def fmt_rank(rank: int | None) -> str:
    return MISSING if rank is None else str(int(rank))


def _table(head: Sequence[str], rows: Iterable[str], text_columns: int = 1) -> str:
    header = "".join(
        f'<th class="text">{esc(h)}</th>' if i < text_columns else f"<th>{esc(h)}</th>"
        for i, h in enumerate(head)
    )
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _row(cells: Sequence[str], cls: str = "", text_columns: int = 1) -> str:
    """A table row of already-escaped cells; the first text_columns are left-aligned words."""
    attr = f' class="{cls}"' if cls else ""
    tds = (
        f'<td class="text">{c}</td>' if i < text_columns else f"<td>{c}</td>"
        for i, c in enumerate(cells)
    )
    return f"<tr{attr}>" + "".join(tds) + "</tr>"


# -------------------------------------------------------------------- charts


def _svg(width: int, height: int, body: Iterable[str], label: str) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{esc(label)}"><title>{esc(label)}</title>{"".join(body)}</svg>'
    )


def national_chart(data: ReportData) -> str:
    """National score of every criterion and question, with the baseline night marked."""
    left, plot, row_h = 300, 520, 18
    rows = []
    for criterion in data.criteria:
        rows.append((criterion, None, f"{criterion} {CRITERION_NAMES.get(criterion, '')}"))
        rows += [
            (criterion, q["question_id"], f"{q['question_id']} {q['title']}")
            for q in data.questions
            if q["criterion_id"] == criterion
        ]
    height = 24 + row_h * len(rows)
    body = [_axis(left, plot, 18, height)]
    for i, (criterion, question, label) in enumerate(rows):
        y = 22 + i * row_h
        sides = data.national.get((criterion, question), {})
        now = sides.get("now", {}).get("pct")
        base = sides.get("base", {}).get("pct")
        weight = "700" if question is None else "400"
        body.append(
            f'<text x="{left - 6}" y="{y + 12}" text-anchor="end" font-weight="{weight}">'
            f"{esc(_clip(label, 46))}</text>"
        )
        if now is not None:
            body.append(
                f'<rect x="{left}" y="{y + 2}" width="{plot * now / 100:.1f}" height="{row_h - 5}" '
                f'fill="{"#34495e" if question is None else "#6f8fab"}">'
                f"<title>{esc(label)}: {now:.1f}%</title></rect>"
            )
            label_at = max(now, base if base is not None else now)
            body.append(
                f'<text x="{left + plot * label_at / 100 + 7:.1f}" y="{y + 12}">{now:.1f}</text>'
            )
        if base is not None and data.baseline_as_of != data.as_of:
            x = left + plot * base / 100
            body.append(
                f'<path d="M{x:.1f} {y} l4 {row_h / 2 - 1:.1f} l-4 {row_h / 2 - 1:.1f} '
                f'l-4 -{row_h / 2 - 1:.1f} z" fill="#fff" stroke="#c0392b" stroke-width="1.5">'
                f"<title>baseline {esc(data.baseline_as_of)}: {base:.1f}%</title></path>"
            )
    return _svg(left + plot + 50, height, body, "National score per criterion and question")


def _axis(left: float, plot: float, top: float, bottom: float) -> str:
    parts = []
    for tick in (0, 25, 50, 75, 100):
        x = left + plot * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#e3e8ee"/>'
            f'<text x="{x:.1f}" y="{top - 4}" text-anchor="middle" fill="#5c6b7a">{tick}</text>'
        )
    return "".join(parts)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def criterion_chart(data: ReportData, criterion: str, rejected: set[str]) -> str:
    """Every area's score against its region (tick) and the nation (dashed line)."""
    left, plot, row_h = 150, 250, 15
    national = data.national.get((criterion, None), {}).get("now", {}).get("pct")
    items: list[tuple[str, Any]] = []
    for region in data.shown_regions:
        items.append(("region", region))
        members = [a for a in data.areas if a["region"] == region]
        members.sort(
            key=lambda a: (-(_pct_of(data, a["area_code"], criterion) or -1), a["area_name"])
        )
        items += [("area", a) for a in members]
    height = 30 + row_h * len(items)
    body = [_axis(left, plot, 16, height)]
    for i, (kind, item) in enumerate(items):
        y = 20 + i * row_h
        if kind == "region":
            region_pct = next(
                (
                    t["pct"]
                    for t in data.trend
                    if t["region"] == item
                    and t["criterion_id"] == criterion
                    and t["as_of_date"] == data.as_of
                ),
                None,
            )
            body.append(
                f'<text x="2" y="{y + 11}" font-weight="700">{esc(_clip(item, 26))}'
                f" ({fmt_pct(region_pct)})</text>"
            )
            continue
        code, name = item["area_code"], item["area_name"]
        card = data.card.get((code, criterion, None))
        bench = data.bench.get((code, criterion, None))
        label = f"{name}{' †' if code in rejected else ''}"
        body.append(
            f'<text x="{left - 6}" y="{y + 11}" text-anchor="end">{esc(_clip(label, 24))}</text>'
        )
        if card is None:
            body.append(f'<text x="{left + 4}" y="{y + 11}" fill="#8c8c8c">not scored</text>')
            continue
        if card["suppressed"]:
            body.append(
                f'<text x="{left + 4}" y="{y + 11}" fill="#8c8c8c">'
                f"suppressed (fewer than {data.threshold} cases)</text>"
            )
            continue
        pct, flag = card["pct"], (bench or {}).get("flag") or "similar"
        body.append(
            f'<rect x="{left}" y="{y + 2}" width="{plot * pct / 100:.1f}" height="{row_h - 4}" '
            f'fill="{FLAG_COLOURS[flag]}"><title>{esc(name)}: {pct:.1f}% '
            f"(95% CI {card['ci_low']:.1f}–{card['ci_high']:.1f}), {esc(flag)} the nation"
            "</title></rect>"
        )
        mid = y + row_h / 2
        body.append(
            f'<line x1="{left + plot * card["ci_low"] / 100:.1f}" y1="{mid:.1f}" '
            f'x2="{left + plot * card["ci_high"] / 100:.1f}" y2="{mid:.1f}" stroke="#1d2733" '
            'stroke-width="1"/>'
        )
        region_pct = (bench or {}).get("region_pct")
        if region_pct is not None:
            x = left + plot * region_pct / 100
            body.append(
                f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + row_h}" stroke="#1d2733" '
                'stroke-width="2.5"/>'
            )
        body.append(f'<text x="{left + plot + 6}" y="{y + 11}">{pct:.1f}{FLAG_MARKS[flag]}</text>')
    if national is not None:
        x = left + plot * national / 100
        body.append(
            f'<line x1="{x:.1f}" y1="16" x2="{x:.1f}" y2="{height}" stroke="#c0392b" '
            f'stroke-width="1.5" stroke-dasharray="4 3"><title>national {national:.1f}%</title>'
            "</line>"
        )
    return _svg(
        left + plot + 48, height, body, f"{criterion}: each area against its region and nation"
    )


def sample_chart(data: ReportData, criterion: str) -> str:
    """Each sampled area's sample score (tick) in its 95% interval (band), and the census
    score (red dot): a dot outside its band is a sample that misjudged the area."""
    left, plot, row_h = 150, 250, 15
    rows = {
        r["area_code"]: r
        for r in data.sample
        if r["criterion_id"] == criterion and r["question_id"] is None
    }
    items: list[tuple[str, Any]] = []
    for region in data.regions:
        members = [a for a in data.areas if a["region"] == region and a["area_code"] in rows]
        if members:
            items += [("region", region), *(("area", a) for a in members)]
    height = 24 + row_h * len(items)
    body = [_axis(left, plot, 16, height)]
    for i, (kind, item) in enumerate(items):
        y = 20 + i * row_h
        if kind == "region":
            body.append(f'<text x="2" y="{y + 11}" font-weight="700">{esc(_clip(item, 26))}</text>')
            continue
        row, name = rows[item["area_code"]], item["area_name"]
        body.append(
            f'<text x="{left - 6}" y="{y + 11}" text-anchor="end">{esc(_clip(name, 24))}</text>'
        )
        if row["sample_hidden"]:  # so is every sample with nothing evaluated
            body.append(
                f'<text x="{left + 4}" y="{y + 11}" fill="#8c8c8c">'
                f"sample suppressed (fewer than {data.threshold} cases)</text>"
            )
            continue
        low, high, pct = row["sample_ci_low"], row["sample_ci_high"], row["sample_pct"]
        inside = None if row["census_hidden"] else row["census_in_interval"]
        body.append(
            f'<rect x="{left + plot * low / 100:.1f}" y="{y + 3}" '
            f'width="{plot * (high - low) / 100:.1f}" height="{row_h - 6}" '
            f'fill="{INTERVAL_COLOURS[inside]}"><title>{esc(name)} sample: {pct:.1f}% '
            f"(95% CI {low:.1f}–{high:.1f}), {int(row['sample_evaluated'])} cases</title></rect>"
            f'<line x1="{left + plot * pct / 100:.1f}" y1="{y + 1}" '
            f'x2="{left + plot * pct / 100:.1f}" y2="{y + row_h - 1}" stroke="#1d2733" '
            'stroke-width="2.5"/>'
        )
        if row["census_pct"] is not None:
            body.append(
                f'<circle cx="{left + plot * row["census_pct"] / 100:.1f}" '
                f'cy="{y + row_h / 2:.1f}" r="3.5" fill="#c0392b"><title>{esc(name)} census: '
                f"{row['census_pct']:.1f}%</title></circle>"
            )
        diff = SUPPRESSED if row["census_hidden"] else fmt_change(row["diff_pts"])
        body.append(f'<text x="{left + plot + 6}" y="{y + 11}">{diff}</text>')
    return _svg(left + plot + 48, height, body, f"{criterion}: inspection sample against census")


def _pct_of(data: ReportData, code: str, criterion: str) -> float | None:
    card = data.card.get((code, criterion, None))
    return None if card is None else card["pct"]


def trend_chart(data: ReportData, criterion: str) -> str:
    """National (thick) and regional pooled scores of a criterion over the nights."""
    left, top, plot_w, plot_h = 34, 14, 380, 200
    points = [t for t in data.trend if t["criterion_id"] == criterion]
    dates = sorted({t["as_of_date"] for t in points})
    if not dates:
        return '<p class="muted">No nights scored yet.</p>'
    first, span = dates[0], max((dates[-1] - dates[0]).days, 1)

    def x(day: dt.date) -> float:
        if len(dates) == 1:
            return left + plot_w / 2
        return left + plot_w * (day - first).days / span

    def y(pct: float) -> float:
        return top + plot_h * (1 - pct / 100)

    body = []
    for tick in (0, 25, 50, 75, 100):
        body.append(
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{left + plot_w}" y2="{y(tick):.1f}" '
            f'stroke="#e3e8ee"/><text x="{left - 4}" y="{y(tick) + 4:.1f}" text-anchor="end" '
            f'fill="#5c6b7a">{tick}</text>'
        )
    for day in _date_ticks(dates):
        body.append(
            f'<text x="{x(day):.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
            f'fill="#5c6b7a">{day.isoformat()}</text>'
        )
    series = [(r, REGION_COLOURS[i % len(REGION_COLOURS)], 1.5) for i, r in enumerate(data.regions)]
    for region, colour, width in [*series, (None, "#1d2733", 3.5)]:
        line = sorted(
            (t["as_of_date"], t["pct"])
            for t in points
            if t["region"] == region and t["pct"] is not None
        )
        name = region or "England and Wales"
        coords = " ".join(f"{x(d):.1f},{y(p):.1f}" for d, p in line)
        if len(line) > 1:
            body.append(
                f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                f'stroke-width="{width}"><title>{esc(name)}</title></polyline>'
            )
        for d, p in line:
            body.append(
                f'<circle cx="{x(d):.1f}" cy="{y(p):.1f}" r="{width / 2 + 1.5:.1f}" '
                f'fill="{colour}"><title>{esc(name)} {d.isoformat()}: {p:.1f}%</title></circle>'
            )
    return _svg(
        left + plot_w + 40, top + plot_h + 22, body, f"{criterion} score over time by region"
    )


def _date_ticks(dates: list[dt.date]) -> list[dt.date]:
    """At most five labelled dates, first and last included."""
    if len(dates) <= 5:
        return dates
    step = (len(dates) - 1) / 4
    return [dates[round(i * step)] for i in range(5)]
