"""The report's inspection-sample section: the night's sample scored beside the census."""

from __future__ import annotations

from typing import Any

from pipelines.publish.report_charts import (
    CRITERION_NAMES,
    INTERVAL_COLOURS,
    SUPPRESSED,
    _row,
    _table,
    esc,
    fmt_change,
    fmt_pct,
    sample_chart,
)
from pipelines.publish.report_data import ReportData


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
