"""The report's charts: Vega-Lite specifications built with Altair, rendered offline to SVG.

vl-convert renders each chart in-process (no browser, no network) to static
SVG, inlined in the page. It releases the GIL, so each chart renders on a thread
of its own while the page's other charts are specified, and the template waits
for each SVG where it places it: about a tenth of a national report's build
(docs/decisions.md). The data behind every chart is also given to the
template as rows, which it shows as a table under the chart (the chart's text
alternative). Nothing here draws SVG by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import altair as alt
import vl_convert
from markupsafe import escape

from pipelines.publish import funnel
from pipelines.publish.report_format import (
    BLACK,
    BLUE,
    FLAG_COLOURS,
    FLAG_SHAPES,
    GREY,
    INTERVAL_COLOURS,
    INTERVAL_WORDS,
    REGION_COLOURS,
    REGION_DASHES,
    SERIES_COLOURS,
    SERIES_DASHES,
    VERMILLION,
)

FONT = "DejaVu Sans, Liberation Sans, sans-serif"
_FLAGS = list(FLAG_COLOURS)
# the Vega-Lite release Altair writes for, so that the renderer compiles what Altair means
VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
_NAMESPACE = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


class Svg:
    """A chart's inline SVG, rendered on a thread: Jinja's autoescape takes `__html__`."""

    def __init__(self, rendering: Future[str], label: str):
        self._rendering, self._label = rendering, label

    def __html__(self) -> str:
        svg = _NAMESPACE.sub("", self._rendering.result())
        return svg.replace("<svg", f'<svg role="img" aria-label="{escape(self._label)}"', 1)


_renderer: ThreadPoolExecutor | None = None


def to_svg(chart: alt.TopLevelMixin, label: str) -> Svg:
    """The chart as inline SVG: role img with `label` as its accessible name.

    The namespace declarations are dropped: inline SVG in HTML needs none, and the
    page names no host at all.
    """
    global _renderer
    if _renderer is None:  # made on first use: a process that renders no chart starts no thread
        _renderer = ThreadPoolExecutor(os.cpu_count() or 1, thread_name_prefix="vl-convert")
    spec = chart.configure(
        font=FONT, aria=False, background="white", view={"stroke": None}
    ).to_dict()
    return Svg(_renderer.submit(vl_convert.vegalite_to_svg, spec, vl_version=VL_VERSION), label)


def _flag_encoding() -> dict[str, Any]:
    return {
        "color": alt.Color(
            "flag:N",
            scale=alt.Scale(domain=_FLAGS, range=[FLAG_COLOURS[f] for f in _FLAGS]),
            legend=alt.Legend(title="against the pooled score", orient="bottom"),
        ),
        "shape": alt.Shape(
            "flag:N",
            scale=alt.Scale(domain=_FLAGS, range=[FLAG_SHAPES[f] for f in _FLAGS]),
            legend=alt.Legend(title="against the pooled score", orient="bottom"),
        ),
    }


def _pct_axis(title: str, zero: bool = True, **axis: Any) -> dict[str, Any]:
    scale = alt.Scale(domain=[0, 100]) if zero else alt.Scale(zero=False, nice=True)
    return {"scale": scale, "title": title, "axis": alt.Axis(**axis)}


def national_chart(rows: list[dict[str, Any]], baseline: bool) -> alt.TopLevelMixin:
    """National score of every criterion and question (bar), the baseline night (diamond)."""
    order = [r["label"] for r in rows]
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=0))
    base = alt.Chart(alt.Data(values=rows)).encode(y=y)
    bars = base.mark_bar(color=BLUE, height=12).encode(
        x=alt.X("now:Q", **_pct_axis("national score, % met"))
    )
    labels = base.mark_text(align="left", dx=4, color=BLACK).encode(
        x="now:Q", text=alt.Text("now:Q", format=".1f")
    )
    layers = [bars, labels]
    if baseline:
        layers.append(
            base.mark_point(shape="diamond", color=VERMILLION, filled=False, size=70).encode(
                x="base:Q"
            )
        )
    return alt.layer(*layers).properties(width=420, height=alt.Step(18))


def area_chart(rows: list[dict[str, Any]], national: float | None) -> alt.FacetChart:
    """Per region, each area's score (flag shape) in its 95% interval, the region (tick)."""
    data = alt.Data(values=rows)
    y = alt.Y("area:N", sort=alt.EncodingSortField("pct", order="descending"), title=None)
    y = y.axis(labelLimit=0)
    x = alt.X("ci_low:Q", **_pct_axis("% met"))
    interval = alt.Chart().mark_rule(color=BLACK).encode(y=y, x=x, x2="ci_high:Q")
    region = alt.Chart().mark_tick(color=BLACK, thickness=2, size=12).encode(y=y, x="region_pct:Q")
    score = alt.Chart().mark_point(filled=True, size=60).encode(y=y, x="pct:Q", **_flag_encoding())
    layers = [interval, region, score]
    if national is not None:
        layers.append(
            alt.Chart().mark_rule(color=VERMILLION, strokeDash=[4, 3]).encode(x=alt.datum(national))
        )
    return (
        alt.layer(*layers, data=data)
        .properties(width=280, height=alt.Step(16))
        .facet(
            row=alt.Row("region:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left"))
        )
        .resolve_scale(y="independent")
    )


def funnel_chart(points: list[dict[str, Any]], p: float) -> alt.TopLevelMixin:
    """Score against cases evaluated, the national centre line (proportion p) and the
    control limits."""
    n = [point["n"] for point in points]
    curve = funnel.curve(p, min(n), max(n))
    limit_names = list(funnel.CONTROL_LIMITS)
    lines = (
        alt.Chart(alt.Data(values=curve))
        .mark_line(color=GREY)
        .encode(
            x=alt.X("n:Q", title="cases evaluated", scale=alt.Scale(zero=False, nice=False)),
            y=alt.Y("pct:Q", **_pct_axis("% met", zero=False)),
            detail="line:N",
            strokeDash=alt.StrokeDash(
                "limit:N",
                scale=alt.Scale(domain=limit_names, range=[[6, 3], [2, 2]]),
                legend=alt.Legend(title="control limits", orient="bottom"),
            ),
        )
    )
    centre = alt.Chart().mark_rule(color=BLACK).encode(y=alt.datum(100 * p))
    base = alt.Chart(alt.Data(values=points)).encode(x="n:Q", y="pct:Q")
    dots = base.mark_point(filled=True, size=70).encode(**_flag_encoding())
    names = (
        base.transform_filter("datum.position != 'within'")
        .mark_text(align="left", dx=7, color=BLACK)
        .encode(text="area:N")
    )
    return alt.layer(lines, centre, dots, names).properties(width=380, height=260)


def sample_chart(rows: list[dict[str, Any]]) -> alt.FacetChart:
    """Each sampled area's 95% interval (bar, by whether the census lies inside), its sample
    score (tick) and the census score (diamond)."""
    keys = [True, False, None]
    words = [INTERVAL_WORDS[k] for k in keys]
    y = alt.Y("area:N", title=None).axis(labelLimit=0)
    band = (
        alt.Chart()
        .mark_bar(height=9)
        .encode(
            y=y,
            x=alt.X("low:Q", **_pct_axis("% met")),
            x2="high:Q",
            color=alt.Color(
                "census:N",
                scale=alt.Scale(domain=words, range=[INTERVAL_COLOURS[k] for k in keys]),
                legend=alt.Legend(title="sample's 95% interval", orient="bottom"),
            ),
        )
    )
    tick = alt.Chart().mark_tick(color=BLACK, thickness=2, size=14).encode(y=y, x="pct:Q")
    census = (
        alt.Chart()
        .mark_point(shape="diamond", color=VERMILLION, filled=True)
        .encode(y=y, x="census_pct:Q")
    )
    return (
        alt.layer(band, tick, census, data=alt.Data(values=rows))
        .properties(width=280, height=alt.Step(16))
        .facet(
            row=alt.Row("region:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left"))
        )
        .resolve_scale(y="independent")
    )


NIGHT_LABELS = 8  # at most this many nights labelled on a time axis, first and last included


def _night_axis(nights: list[str], grid: bool = True) -> alt.X:
    """Nights as UTC dates, labelled as ISO dates at (at most NIGHT_LABELS of) the nights."""
    step = max(1, -(-(len(nights) - 1) // (NIGHT_LABELS - 1)))
    shown = sorted(set(nights[::step]) | set(nights[-1:]))
    return alt.X(
        "night:T",
        timeUnit="utcyearmonthdate",
        title=None,
        axis=alt.Axis(values=shown, labelExpr="utcFormat(datum.value, '%Y-%m-%d')", labelAngle=-30),
    )


def _nights(rows: list[dict[str, Any]]) -> list[str]:
    return sorted({r["night"] for r in rows})


def trend_chart(rows: list[dict[str, Any]], baseline: dt.date, nation: str) -> alt.TopLevelMixin:
    """The nation (thick) and each region's pooled score over the nights, y scaled to the
    data, the baseline night marked."""
    series = list(dict.fromkeys(r["series"] for r in rows))
    colours = [
        BLACK if s == nation else REGION_COLOURS[i % len(REGION_COLOURS)]
        for i, s in enumerate(series)
    ]
    dashes = [
        [1, 0] if s == nation else REGION_DASHES[i % len(REGION_DASHES)]
        for i, s in enumerate(series)
    ]
    lines = (
        alt.Chart()
        .mark_line(point=True)
        .encode(
            x=_night_axis(_nights(rows)),
            y=alt.Y("pct:Q", **_pct_axis("% met (axis scaled to the data)", zero=False)),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=series, range=colours),
                legend=alt.Legend(title=None, orient="bottom", columns=3),
            ),
            strokeDash=alt.StrokeDash(
                "series:N", scale=alt.Scale(domain=series, range=dashes), legend=None
            ),
            size=alt.condition(
                alt.FieldEqualPredicate(field="series", equal=nation), alt.value(3), alt.value(1.5)
            ),
        )
    )
    return alt.layer(lines, _baseline_rule(baseline, rows), data=alt.Data(values=rows)).properties(
        width=380, height=220
    )


def _baseline_rule(baseline: dt.date, rows: list[dict[str, Any]]) -> alt.Chart:
    """The baseline night, a dashed vertical line (its own data: a facet repeats it)."""
    return (
        alt.Chart()
        .mark_rule(color=GREY, strokeDash=[3, 3])
        .encode(x=alt.X("baseline:T", timeUnit="utcyearmonthdate"))
        .transform_calculate(baseline=json.dumps(baseline.isoformat()))
        .transform_filter(
            f"datum.night == {json.dumps(rows[0]['night'])} "
            f"&& datum.series == {json.dumps(rows[0]['series'])}"
        )
    )


def area_trends_chart(
    rows: list[dict[str, Any]], baseline: dt.date, columns: int
) -> alt.FacetChart:
    """Small multiples, one per area: its score, its region's and the nation's over the
    nights (gaps where a night's export was rejected or missing, or the score suppressed)."""
    kinds = list(SERIES_COLOURS)
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=kinds, range=[SERIES_COLOURS[k] for k in kinds]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    x = _night_axis(_nights(rows), grid=False)
    y = alt.Y("pct:Q", **_pct_axis("% met", zero=False, grid=False))
    lines = (
        alt.Chart()
        .mark_line(strokeWidth=1.5)
        .encode(
            x=x,
            y=y,
            color=colour,
            strokeDash=alt.StrokeDash(
                "series:N",
                scale=alt.Scale(domain=kinds, range=[SERIES_DASHES[k] for k in kinds]),
                legend=None,
            ),
        )
    )
    # the area's own nights as dots, so a night between two gaps still shows
    dots = (
        alt.Chart()
        .mark_point(filled=True, size=14)
        .encode(x=x, y=y, color=colour)
        .transform_filter("datum.series == 'area'")
    )
    return (
        alt.layer(lines, dots, _baseline_rule(baseline, rows), data=alt.Data(values=rows))
        .properties(width=150, height=90)
        .facet(
            facet=alt.Facet("area:N", title=None, header=alt.Header(labelLimit=0)), columns=columns
        )
    )


def quality_trend_chart(rows: list[dict[str, Any]], columns: int) -> alt.FacetChart:
    """Small multiples, one per area: the share of its rows quarantined night by night, y
    scaled to the data (a gap where the night's export was rejected or missing)."""
    x = _night_axis(_nights(rows), grid=False)
    # a title no longer than a panel is high: it repeats beside every row of panels
    y = alt.Y("pct:Q", title="% quarantined", scale=alt.Scale(zero=False, nice=True))
    line = alt.Chart().mark_line(color=BLUE, strokeWidth=1.5).encode(x=x, y=y)
    dots = alt.Chart().mark_point(color=BLUE, filled=True, size=14).encode(x=x, y=y)
    return (
        alt.layer(line, dots, data=alt.Data(values=rows))
        .properties(width=150, height=90)
        .facet(
            facet=alt.Facet("area:N", title=None, header=alt.Header(labelLimit=0)), columns=columns
        )
    )
