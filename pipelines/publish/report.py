"""The published report: one self-contained HTML file built from marts and audit aggregates.

It must open offline and make no request at all, so the CSS is inline, the
fonts are the reader's own and every chart is SVG (report_charts.py). It shows
only what the published CSVs show (publish/disclosure.py), and every piece of
text is escaped.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from pipelines.publish import disclosure
from pipelines.publish.report_calibration import calibration_section
from pipelines.publish.report_charts import (
    CRITERION_NAMES,
    FLAG_COLOURS,
    FLAG_MARKS,
    MISSING,
    REGION_COLOURS,
    SUPPRESSED,
    _row,
    _table,
    criterion_chart,
    esc,
    fmt_change,
    fmt_pct,
    fmt_rank,
    national_chart,
    trend_chart,
)
from pipelines.publish.report_data import ReportData, gather
from pipelines.publish.report_sample import sample_section

CSS = """
:root { --ink: #1d2733; --muted: #5c6b7a; --rule: #d5dde5; --band: #f3f6f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto,
  "DejaVu Sans", "Liberation Sans", sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1360px; margin: 0 auto; padding: 16px 24px 48px; }
header { border-bottom: 3px solid var(--ink); margin-bottom: 12px; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 1px solid var(--rule); }
h3 { font-size: 15px; margin: 12px 0 6px; }
p.meta, p.note, .muted { color: var(--muted); }
nav a { margin-right: 14px; color: var(--ink); }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 2px 8px; text-align: right; border-bottom: 1px solid var(--rule);
  white-space: nowrap; }
td.text { white-space: normal; }
th { background: var(--band); font-weight: 600; }
th.text, td.text { text-align: left; }
tr.criterion td { font-weight: 600; background: #fafbfc; }
.grid { display: grid; gap: 14px 22px;
  grid-template-columns: repeat(auto-fill, minmax(var(--cell, 420px), 1fr)); }
.grid.sheets { --cell: 320px; }
.card th, .card td { padding: 1px 4px; }
.grid.regional { --cell: 440px; }
.grid.regional table, .card table { font-size: 12px; width: 100%; }
.card { border: 1px solid var(--rule); border-radius: 4px; padding: 6px 10px; }
.card h3 { margin: 2px 0 4px; }
.card table { width: 100%; }
.badge { font-size: 11px; padding: 0 5px; border-radius: 3px; color: #fff;
  background: #c62828; margin-left: 6px; }
.above { color: #2e7d32; } .below { color: #c62828; }
.sig { font-weight: 700; }
.legend span { display: inline-block; margin-right: 14px; white-space: nowrap; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px;
  vertical-align: -2px; border-radius: 2px; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  fill: var(--ink); }
details summary { cursor: pointer; color: var(--muted); }
"""


# ------------------------------------------------------------------ sections


def _header(data: ReportData, scored: int) -> str:
    baseline = (
        "no earlier night in the warehouse; the baseline is this night"
        if data.baseline_as_of == data.as_of
        else f"baseline night {data.baseline_as_of.isoformat()}"
    )
    return (
        "<header><h1>Effective Supervision audit: scorecard and regional benchmarks, "
        f"{esc(data.as_of.isoformat())}</h1>"
        f'<p class="meta">Scope {esc(data.scope)} · rulebook {esc(data.version)} · '
        f"{scored} of {len(data.areas)} areas scored · {esc(baseline)} · "
        f"scores with fewer than {data.threshold} cases evaluated are suppressed "
        f"({SUPPRESSED}).</p>"
        '<nav><a href="#national">National summary</a><a href="#quality">Data quality</a>'
        '<a href="#league">League tables</a><a href="#areas">Areas against region and nation</a>'
        + ('<a href="#sample">Inspection sample</a>' if data.sample else "")
        + '<a href="#trend">Trends</a><a href="#sheets">Scoring summary sheets</a></nav></header>'
    )


def national_section(data: ReportData) -> str:
    rows = []
    for criterion in data.criteria:
        ids = [None] + [q["question_id"] for q in data.questions if q["criterion_id"] == criterion]
        titles = {q["question_id"]: q["title"] for q in data.questions}
        for question in ids:
            sides = data.national.get((criterion, question), {})
            now, base = sides.get("now", {}), sides.get("base", {})
            change = (
                None
                if now.get("pct") is None or base.get("pct") is None
                else round(now["pct"] - base["pct"], 1)
            )
            label = (
                f"{criterion} {CRITERION_NAMES.get(criterion, '')}"
                if question is None
                else f"{question} {titles[question]}"
            )
            rows.append(
                _row(
                    [
                        esc(label),
                        fmt_pct(base.get("pct")),
                        fmt_pct(now.get("pct")),
                        fmt_change(change),
                        esc(now.get("met", MISSING)),
                        esc(now.get("evaluated", MISSING)),
                    ],
                    "criterion" if question is None else "",
                )
            )
    table = _table(
        [
            "Criterion / question",
            f"Baseline {data.baseline_as_of.isoformat()} %",
            f"Current {data.as_of.isoformat()} %",
            "Change (pts)",
            "Met",
            "Evaluated",
        ],
        rows,
    )
    return (
        '<section id="national"><h2>National summary</h2>'
        '<p class="note">Pooled over all scored areas: cases meeting the standard divided by '
        "cases evaluated. Bars show the current night; the red diamond marks the baseline night."
        f"</p>{national_chart(data)}{table}</section>"
    )


def quality_section(data: ReportData) -> str:
    if not data.runs:
        return (
            '<section id="quality"><h2>Data quality</h2>'
            '<p class="muted">No run log for this night in audit.runs.</p></section>'
        )
    rejected = [r for r in data.runs if r["status"] == "rejected"]
    missing = [r for r in data.runs if r["status"] == "missing"]
    totals = {
        k: int(sum(r[k] or 0 for r in data.runs))
        for k in ("rows_in", "rows_loaded", "rows_quarantined")
    }
    lines = [
        _row(
            [
                esc(r["area_code"]),
                esc(_area_name(data, r["area_code"])),
                esc(r["status"]),
                esc(r["message"] or ""),
            ]
        )
        for r in rejected + missing
    ]
    table = (
        _table(["Area", "Name", "Status", "Reason"], lines)
        if lines
        else '<p class="muted">No area export was rejected or missing.</p>'
    )
    alerts = [
        _row(
            [
                esc(a["area_code"]),
                esc(a["file"]),
                f"{int(a['rows_quarantined']):,}",
                f"{int(a['rows_in']):,}",
                f"{100 * a['lost_share']:.1f}",
            ],
            text_columns=2,
        )
        for a in data.alerts
    ]
    alert_table = (
        "<h3>Files that lost more than "
        f"{100 * data.alert_share:.0f}% of their rows to quarantine</h3>"
        + _table(["Area", "File", "Quarantined", "Rows", "%"], alerts, text_columns=2)
        if alerts
        else ""
    )
    received = len(data.runs) - len(missing)
    return (
        '<section id="quality"><h2>Data quality</h2>'
        f"<p>{received} area exports received; {len(rejected)} rejected; "
        f"{len(missing)} expected but missing"
        + (
            ' (marked † and <span class="badge">rejected</span> below: their scores, if any, '
            "are from the last good load of this night)"
            if rejected or missing
            else ""
        )
        + f". Rows received {totals['rows_in']:,}, loaded "
        f"{totals['rows_loaded']:,}, quarantined {totals['rows_quarantined']:,}.</p>"
        f"{table}{alert_table}</section>"
    )


def _area_name(data: ReportData, code: str) -> str:
    return next((a["area_name"] for a in data.areas if a["area_code"] == code), code)


def _cell_pct(data: ReportData, code: str, criterion: str, rank_field: str) -> str:
    card = data.card.get((code, criterion, None))
    bench = data.bench.get((code, criterion, None)) or {}
    if card is None:
        return MISSING
    if card["suppressed"]:
        return SUPPRESSED
    flag = bench.get("flag") or "similar"
    rank = bench.get(rank_field)
    rank_text = f' <span class="muted">({fmt_rank(rank)})</span>' if rank else ""
    return f'<span class="{flag}">{fmt_pct(card["pct"])}{FLAG_MARKS[flag]}</span>{rank_text}'


def _composite(data: ReportData, code: str) -> tuple[float | None, int | None]:
    for criterion in data.criteria:
        bench = data.bench.get((code, criterion, None))
        if bench is not None:
            return bench["composite_score"], bench["composite_rank"]
    return None, None


def league_section(data: ReportData, rejected: set[str]) -> str:
    scored = [a for a in data.areas if _composite(data, a["area_code"])[0] is not None]
    scored.sort(key=lambda a: (_composite(data, a["area_code"])[1], a["area_name"]))
    national_rows = [
        _row(
            [
                fmt_rank(_composite(data, a["area_code"])[1]),
                _area_label(a, rejected),
                esc(a["region"]),
                fmt_pct(_composite(data, a["area_code"])[0]),
                *(_cell_pct(data, a["area_code"], c, "rank_national") for c in data.criteria),
            ],
            text_columns=3,
        )
        for a in scored
    ]
    national = _table(
        ["Rank", "Area", "Region", "Composite", *(f"{c} % (rank)" for c in data.criteria)],
        national_rows,
        text_columns=3,
    )
    regional = []
    for region in data.shown_regions:
        members = [a for a in data.areas if a["region"] == region]
        members.sort(key=lambda a: (-(_composite(data, a["area_code"])[0] or -1), a["area_name"]))
        composites = [_composite(data, a["area_code"])[0] for a in members]
        rows = []
        for a, score in zip(members, composites, strict=True):
            rank = (
                None
                if score is None
                else 1 + sum(1 for s in composites if s is not None and s > score)
            )
            rows.append(
                _row(
                    [
                        fmt_rank(rank),
                        _area_label(a, rejected),
                        fmt_pct(score),
                        *(
                            _cell_pct(data, a["area_code"], c, "rank_in_region")
                            for c in data.criteria
                        ),
                    ],
                    text_columns=2,
                )
            )
        regional.append(
            f"<div><h3>{esc(region)}</h3>"
            + _table(["#", "Area", "Composite", *data.criteria], rows, text_columns=2)
            + "</div>"
        )
    weights = ", ".join(f"{c} {w:g}" for c, w in sorted(data.weights.items()))
    return (
        '<section id="league"><h2>League tables</h2>'
        '<p class="note">Composite: weighted mean of an area\'s criterion scores ('
        f"weights {esc(weights)}), over the criteria with at least {data.threshold} cases "
        "evaluated. Ranks: 1 is highest, ties share the lower number. "
        "▲/▼: the area's 95% interval lies wholly above/below the national score. "
        "Bracketed figures are ranks.</p>"
        '<div class="league"><div><h3>National league (composite)</h3>'
        f'{national}</div><div><h3>Regional league tables</h3><div class="grid regional">'
        f"{''.join(regional)}</div></div></div></section>"
    )


def _area_label(area: dict[str, Any], rejected: set[str]) -> str:
    badge = '<span class="badge">rejected</span>' if area["area_code"] in rejected else ""
    return f"{esc(area['area_name'])}{badge}"


def areas_section(data: ReportData, rejected: set[str]) -> str:
    charts = "".join(
        f"<div><h3>{esc(c)} {esc(CRITERION_NAMES.get(c, ''))}</h3>"
        f"{criterion_chart(data, c, rejected)}</div>"
        for c in data.criteria
    )
    legend = (
        '<p class="legend">'
        + "".join(
            f'<span><i class="swatch" style="background:{colour}"></i>{esc(flag)} the nation</span>'
            for flag, colour in FLAG_COLOURS.items()
        )
        + "<span>│ thick tick: region score</span><span>┆ red dashed line: national score</span>"
        "<span>— thin line: 95% interval</span></p>"
    )
    return (
        '<section id="areas"><h2>Each area against its region and the nation</h2>'
        f'{legend}<div class="grid">{charts}</div></section>'
    )


def trend_section(data: ReportData) -> str:
    charted = {t["region"] for t in data.trend}
    legend = (
        '<p class="legend"><span><i class="swatch" style="background:#1d2733"></i>'
        "England and Wales</span>"
        + "".join(
            f'<span><i class="swatch" style="background:{REGION_COLOURS[i % len(REGION_COLOURS)]}">'
            f"</i>{esc(r)}</span>"
            for i, r in enumerate(data.regions)
            if r in charted
        )
        + "</p>"
    )
    charts = "".join(
        f"<div><h3>{esc(c)} {esc(CRITERION_NAMES.get(c, ''))}</h3>{trend_chart(data, c)}</div>"
        for c in data.criteria
    )
    return (
        '<section id="trend"><h2>Trends over the nights scored</h2>'
        f'{legend}<div class="grid">{charts}</div></section>'
    )


def _change_cells(row: dict[str, Any] | None) -> list[str]:
    if row is None:
        return [MISSING] * 4
    sig = row.get("significant")
    change = row.get("change_pts")
    if sig and change is not None:
        direction = "above" if change > 0 else "below"
        verdict = f'<span class="sig {direction}">yes</span>'
    else:
        verdict = MISSING if row.get("z") is None else "no"
    return [
        fmt_pct(row.get("baseline_pct"), row.get("base_hidden", False)),
        fmt_pct(row.get("current_pct"), row.get("now_hidden", False)),
        fmt_change(change),
        verdict,
    ]


def sheets_section(data: ReportData, rejected: set[str]) -> str:
    head = ["", "Baseline", "Current", "Change", "Sig."]
    cards = []
    for area in sorted(data.areas, key=lambda a: a["area_name"]):
        code = area["area_code"]
        if not any(k[0] == code for k in data.changes):
            continue
        rows = [
            _row([esc(c), *_change_cells(data.changes.get((code, c, None)))]) for c in data.criteria
        ]
        detail = [
            _row(
                [
                    esc(q["question_id"]),
                    *_change_cells(data.changes.get((code, q["criterion_id"], q["question_id"]))),
                ]
            )
            for q in data.questions
        ]
        score, rank = _composite(data, code)
        cards.append(
            f'<div class="card"><h3>{_area_label(area, rejected)}</h3>'
            f'<div class="muted">{esc(area["region"])} · composite {fmt_pct(score)}'
            f" · national rank {fmt_rank(rank)}</div>"
            + _table(head, rows)
            + "<details><summary>questions</summary>"
            + _table(["Question", *head[1:]], detail)
            + "</details></div>"
        )
    return (
        '<section id="sheets"><h2>Scoring summary sheets</h2>'
        '<p class="note">Per area, like an inspection report\'s scoring summary: each '
        f"criterion's score on the baseline night ({esc(data.baseline_as_of.isoformat())}) and "
        f"now ({esc(data.as_of.isoformat())}), the change in percentage points, and whether the "
        "change is significant: a two-proportion z-test at the 5% level (successive nights "
        "share cases, so treat borderline results with care).</p>"
        f'<div class="grid sheets">{"".join(cards)}</div></section>'
    )


def render(data: ReportData) -> str:
    rejected = {r["area_code"] for r in data.runs if r["status"] in ("rejected", "missing")}
    scored = len({k[0] for k in data.card})
    body = "".join(
        [
            _header(data, scored),
            national_section(data),
            quality_section(data),
            league_section(data, rejected),
            areas_section(data, rejected),
            sample_section(data),
            calibration_section(data),
            trend_section(data),
            sheets_section(data, rejected),
        ]
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Effective Supervision audit {esc(data.as_of.isoformat())}</title>"
        f"<style>{CSS}</style></head><body><main>{body}</main></body></html>\n"
    )


def build_report(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    out_path: Path,
    baseline_as_of: dt.date | None = None,
    scope: str = "census",
    night: disclosure.PublicNight | None = None,
) -> Path:
    """Write the night's report to out_path (atomically) and return the path.

    `night`: the night's published figures, when the caller has computed them.
    """
    text = render(gather(con, as_of, baseline_as_of, scope, night))
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_suffix(out_path.suffix + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(out_path)
    return out_path
