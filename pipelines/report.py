"""The published report: one self-contained HTML file built from marts and audit aggregates.

It must open offline and make no request at all, so the CSS is inline, the
fonts are the reader's own and every chart is SVG drawn here. It shows only
what the published CSVs show (small numbers suppressed, see publish.py), and
every piece of text is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipelines import publish, sample

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
Key = tuple[str, str, str | None]  # area_code, criterion_id, question_id

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


@dataclass
class ReportData:
    as_of: dt.date
    baseline_as_of: dt.date
    scope: str
    version: str
    threshold: int
    areas: list[dict[str, Any]]
    regions: list[str]
    questions: list[dict[str, Any]]
    card: dict[Key, dict[str, Any]]
    bench: dict[Key, dict[str, Any]]
    changes: dict[Key, dict[str, Any]]
    national: dict[tuple[str, str | None], dict[str, Any]]
    trend: list[dict[str, Any]]
    runs: list[dict[str, Any]]
    weights: dict[str, float]
    sample: list[dict[str, Any]]
    draw: dict[str, Any] | None

    @property
    def shown_regions(self) -> list[str]:
        """Regions with an area scored or reporting tonight (a partial run shows only those)."""
        present = {k[0] for k in self.card} | {r["area_code"] for r in self.runs}
        return [
            r
            for r in self.regions
            if any(a["area_code"] in present for a in self.areas if a["region"] == r)
        ]

    @property
    def criteria(self) -> list[str]:
        return sorted({q["criterion_id"] for q in self.questions})


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with None for every kind of missing value."""
    rows = []
    for row in frame.to_dict("records"):
        rows.append({k: (None if _missing(v) else v) for k, v in row.items()})
    return rows


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _key(row: dict[str, Any]) -> Key:
    return row["area_code"], row["criterion_id"], row["question_id"]


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence | dict) -> list[dict]:
    return _records(con.execute(sql, params).df())


def gather(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    baseline_as_of: dt.date | None = None,
    scope: str = "census",
) -> ReportData:
    """Everything the report shows, already suppressed as the published files are."""
    changes = publish.baseline_changes(con, as_of, baseline_as_of, scope)
    baseline = changes["baseline_as_of_date"].iloc[0] if len(changes) else baseline_as_of
    baseline = pd.Timestamp(baseline).date() if baseline is not None else as_of
    cards = {
        night: _records(publish.public_scorecard(con, night, scope)) for night in {as_of, baseline}
    }
    benches = {
        night: _records(publish.public_benchmark(con, night, scope)) for night in {as_of, baseline}
    }
    hidden_now = {_key(r) for r in cards[as_of] if r["suppressed"]}
    hidden_base = {_key(r) for r in cards[baseline] if r["suppressed"]}
    masked = {}
    for row in _records(changes):
        key = _key(row)
        if key in hidden_base:
            row.update(baseline_met=None, baseline_evaluated=None, baseline_pct=None)
        if key in hidden_now:
            row.update(current_met=None, current_evaluated=None, current_pct=None)
        if key in hidden_base or key in hidden_now:
            row.update(change_pts=None, z=None, significant=None)
        row["base_hidden"], row["now_hidden"] = key in hidden_base, key in hidden_now
        masked[key] = row
    national: dict[tuple[str, str | None], dict[str, Any]] = defaultdict(dict)
    for side, night in (("now", as_of), ("base", baseline)):
        pooled = national_pool(cards[night], benches[night])
        for pool, value in pooled.items():
            national[pool][side] = value
    areas = _query(con, "SELECT * FROM ref.areas ORDER BY region, area_name", [])
    # criterion rows are only ever suppressed for their own small count, so this pools
    # exactly the published criterion scores, as public_benchmark does
    trend = _query(
        con,
        """SELECT sc.as_of_date, sc.criterion_id, ar.region,
               round(100.0 * sum(sc.met) / nullif(sum(sc.evaluated), 0), 1) AS pct
           FROM marts.scorecard AS sc JOIN ref.areas AS ar USING (area_code)
           JOIN config.rulebook AS rb ON sc.evaluated >= rb.suppression_min_evaluated
           WHERE sc.scope = $scope AND sc.as_of_date <= $as_of AND sc.question_id IS NULL
           GROUP BY GROUPING SETS ((sc.as_of_date, sc.criterion_id, ar.region),
               (sc.as_of_date, sc.criterion_id))
           ORDER BY ALL""",
        {"scope": scope, "as_of": as_of},
    )
    return ReportData(
        as_of=as_of,
        baseline_as_of=baseline,
        scope=scope,
        version=str(publish.config_value(con, "rulebook_version")),
        threshold=int(publish.config_value(con, "suppression_min_evaluated")),
        areas=areas,
        regions=sorted({a["region"] for a in areas}),
        questions=_query(con, "SELECT * FROM config.questions ORDER BY question_id", []),
        card={_key(r): r for r in cards[as_of]},
        bench={_key(r): r for r in benches[as_of]},
        changes=masked,
        national=dict(national),
        trend=trend,
        weights=dict(
            con.execute("SELECT criterion_id, weight FROM config.criterion_weights").fetchall()
        ),
        runs=_query(
            con,
            """WITH latest AS (
                   SELECT area_code, max(finished_at) AS finished_at FROM audit.runs
                   WHERE as_of_date = $as_of GROUP BY area_code)
               SELECT r.area_code AS area_code, any_value(r.status) AS status,
                   any_value(r.message) AS message, sum(r.rows_in) AS rows_in,
                   sum(r.rows_loaded) AS rows_loaded, sum(r.rows_quarantined) AS rows_quarantined
               FROM audit.runs AS r JOIN latest ON r.area_code = latest.area_code
                   AND r.finished_at IS NOT DISTINCT FROM latest.finished_at
               WHERE r.as_of_date = $as_of GROUP BY r.area_code ORDER BY r.area_code""",
            {"as_of": as_of},
        ),
        sample=public_sample_vs_census(con, as_of),
        draw=_draw(con, as_of),
    )


def public_sample_vs_census(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[dict]:
    """sample.sample_vs_census of the night, with each side blanked where its published
    scorecard is suppressed (and so the difference and the interval test too)."""
    rows = sample.sample_vs_census(con, as_of)
    if not rows:
        return []
    hidden = {}
    for scope in ("sample", "census"):
        published = _records(publish.public_scorecard(con, as_of, scope))
        hidden[scope] = {_key(r) for r in published if r["suppressed"]}
    for row in rows:
        key = _key(row)
        row["sample_hidden"] = key in hidden["sample"]
        row["census_hidden"] = key in hidden["census"]
        if row["sample_hidden"]:
            row.update(
                sample_met=None,
                sample_evaluated=None,
                sample_pct=None,
                sample_ci_low=None,
                sample_ci_high=None,
            )
        if row["census_hidden"]:
            row.update(census_met=None, census_evaluated=None, census_pct=None)
        if row["sample_hidden"] or row["census_hidden"]:
            row.update(diff_pts=None, census_in_interval=None)
    return rows


def _draw(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> dict[str, Any] | None:
    """The night's row of marts.sample_draws; None also for a warehouse older than that table
    (the report opens it read-only, so its schema cannot be brought up to date)."""
    (exists,) = con.execute(
        "SELECT count(*) FROM duckdb_tables() "
        "WHERE schema_name = 'marts' AND table_name = 'sample_draws'"
    ).fetchone() or (0,)
    if not exists:
        return None
    rows = _query(con, "SELECT * FROM marts.sample_draws WHERE as_of_date = ?", [as_of])
    return rows[0] if rows else None


def national_pool(
    card: list[dict[str, Any]], bench: list[dict[str, Any]]
) -> dict[tuple[str, str | None], dict[str, Any]]:
    """National met, evaluated and score per criterion and question, of published rows only."""
    pooled: dict[tuple[str, str | None], dict[str, Any]] = {}
    for row in card:
        entry = pooled.setdefault(
            (row["criterion_id"], row["question_id"]), {"met": 0, "evaluated": 0, "pct": None}
        )
        if not row["suppressed"]:
            entry["met"] += row["met"]
            entry["evaluated"] += row["evaluated"]
    for row in bench:
        if row["national_pct"] is not None:
            pooled[(row["criterion_id"], row["question_id"])]["pct"] = row["national_pct"]
    return pooled


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
                    and t["as_of_date"].date() == data.as_of
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
    dates = sorted({t["as_of_date"].date() for t in points})
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
            (t["as_of_date"].date(), t["pct"])
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
    totals = {
        k: int(sum(r[k] or 0 for r in data.runs))
        for k in ("rows_in", "rows_loaded", "rows_quarantined")
    }
    lines = [
        _row(
            [
                esc(r["area_code"]),
                esc(_area_name(data, r["area_code"])),
                esc(r["message"] or ""),
            ]
        )
        for r in rejected
    ]
    table = (
        _table(["Area", "Name", "Reason"], lines)
        if lines
        else '<p class="muted">No area export was rejected.</p>'
    )
    return (
        '<section id="quality"><h2>Data quality</h2>'
        f"<p>{len(data.runs)} area exports received; {len(rejected)} rejected"
        + (
            ' (marked † and <span class="badge">rejected</span> below: their scores, if any, '
            "are from the last good load of this night)"
            if rejected
            else ""
        )
        + f". Rows received {totals['rows_in']:,}, loaded "
        f"{totals['rows_loaded']:,}, quarantined {totals['rows_quarantined']:,}.</p>"
        f"{table}</section>"
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


def _sample_cells(row: dict[str, Any]) -> list[str]:
    """Sample %, interval, n, census %, n, difference and the interval test of one row."""

    s_hidden, c_hidden = row["sample_hidden"], row["census_hidden"]
    if s_hidden or c_hidden:  # a side with nothing evaluated is suppressed, so none is blank
        verdict = SUPPRESSED
    else:
        verdict = "yes" if row["census_in_interval"] else '<span class="sig">no</span>'
    return [
        fmt_pct(row["sample_pct"], s_hidden),
        SUPPRESSED if s_hidden else f"{row['sample_ci_low']:.1f}–{row['sample_ci_high']:.1f}",
        SUPPRESSED if s_hidden else str(int(row["sample_evaluated"])),
        fmt_pct(row["census_pct"], c_hidden),
        SUPPRESSED if c_hidden else str(int(row["census_evaluated"])),
        SUPPRESSED if s_hidden or c_hidden else fmt_change(row["diff_pts"]),
        verdict,
    ]


def _draw_note(data: ReportData) -> str:
    draw = data.draw
    if draw is None:
        return "How this sample was drawn is not recorded."
    return (
        f"{int(draw['drawn'])} cases drawn: in each area up to {int(draw['size'])} cases "
        f"starting between {draw['window_start']:%Y-%m-%d} and {draw['window_end']:%Y-%m-%d} "
        f"(unpaid work only excluded), at least {int(draw['min_high_rosh'])} of them (or all "
        "there were) with an initial RoH level of high or very high, the rest at random from "
        f"seed {int(draw['seed'])}; rulebook {draw['rulebook_version']}."
    )


def sample_section(data: ReportData) -> str:
    """The night's inspection sample beside the census; nothing when none was scored."""
    if not data.sample:
        return ""
    names = {a["area_code"]: a["area_name"] for a in data.areas}
    order = {a["area_code"]: i for i, a in enumerate(data.areas)}
    rows = sorted(data.sample, key=lambda r: order.get(r["area_code"], len(order)))
    head = [
        "Area",
        "Criterion",
        "Sample %",
        "95% interval",
        "Sample n",
        "Census %",
        "Census n",
        "Difference (pts)",
        "Census in interval",
    ]

    def line(row: dict[str, Any]) -> str:
        label = row["question_id"] or row["criterion_id"]
        area = names.get(row["area_code"], row["area_code"])
        return _row([esc(area), esc(label), *_sample_cells(row)], text_columns=2)

    criteria = [line(r) for r in rows if r["question_id"] is None]
    questions = [line(r) for r in rows if r["question_id"] is not None]
    tested = [
        r["census_in_interval"]
        for r in rows
        if r["question_id"] is None and not (r["sample_hidden"] or r["census_hidden"])
    ]
    charts = "".join(
        f"<div><h3>{esc(c)} {esc(CRITERION_NAMES.get(c, ''))}</h3>{sample_chart(data, c)}</div>"
        for c in data.criteria
    )
    legend = (
        '<p class="legend">'
        f'<span><i class="swatch" style="background:{INTERVAL_COLOURS[True]}"></i>'
        "sample's 95% interval, census inside</span>"
        f'<span><i class="swatch" style="background:{INTERVAL_COLOURS[False]}"></i>'
        "census outside</span>"
        f'<span><i class="swatch" style="background:{INTERVAL_COLOURS[None]}"></i>'
        "census suppressed</span><span>│ dark tick: sample score</span>"
        '<span><b style="color:#c0392b">●</b> red dot: census score</span>'
        "<span>right: sample minus census (pts)</span></p>"
    )
    return (
        '<section id="sample"><h2>Inspection sample vs census</h2>'
        f'<p class="note">{esc(_draw_note(data))} The sample is scored exactly as the census '
        "is, and set beside the census of the same night, so the error of judging an area "
        "from a sample is visible. The interval is the sample's 95% Wilson interval. "
        f"Scores with fewer than {data.threshold} cases evaluated are suppressed "
        f"({SUPPRESSED}), on either side.</p>"
        f"<p>The census score lies within the sample's interval for {sum(tested)} of "
        f"{len(tested)} area criterion scores published on both sides.</p>"
        f'{legend}<div class="grid">{charts}</div><h3>Per area and criterion</h3>'
        + _table(head, criteria, text_columns=2)
        + "<details><summary>questions</summary>"
        + _table(["Area", "Question", *head[2:]], questions, text_columns=2)
        + "</details></section>"
    )


def render(data: ReportData) -> str:
    rejected = {r["area_code"] for r in data.runs if r["status"] == "rejected"}
    scored = len({k[0] for k in data.card})
    body = "".join(
        [
            _header(data, scored),
            national_section(data),
            quality_section(data),
            league_section(data, rejected),
            areas_section(data, rejected),
            sample_section(data),
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
) -> Path:
    """Write the night's report to out_path (atomically) and return the path."""
    text = render(gather(con, as_of, baseline_as_of, scope))
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_suffix(out_path.suffix + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(out_path)
    return out_path
