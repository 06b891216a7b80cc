"""The one-screen summary printed at the end of a run: scores, rejections, quarantine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from pipelines.publish import tables
from pipelines.sql_files import Statements

SQL = Statements(Path(__file__).parent)

HEADLINE_QUESTIONS = ("B1.1", "B3.1")


def night_table(con, as_of: dt.date, scope: str = "census") -> Table:
    """One row per area: each criterion's score and the headline questions, with counts."""
    rows = con.execute(
        SQL.text("night_table"),
        {"as_of": as_of, "scope": scope, "questions": list(HEADLINE_QUESTIONS)},
    ).fetchall()
    measures = sorted({r[5] for r in rows})
    table = Table(
        title=f"Scorecard {as_of} ({scope}): % met",
        caption="cases: evaluated for B1.1; scorecard.csv has every count",
    )
    table.add_column("area")
    table.add_column("region", no_wrap=True)
    for measure in measures:
        table.add_column(measure, justify="right")
    table.add_column("cases", justify="right")
    by_area: dict[tuple[str, str], dict[str, str]] = {}
    for area, region, _met, evaluated, pct, measure in rows:
        cells = by_area.setdefault((area, region), {})
        cells[measure] = "-" if pct is None else f"{pct:.1f}"
        if measure == HEADLINE_QUESTIONS[0]:
            cells["cases"] = str(evaluated)
    for (area, region), cells in by_area.items():
        table.add_row(area, region, *(cells.get(m, "") for m in (*measures, "cases")))
    return table


def night_notes(con, night) -> list[str]:
    """Plain lines on what did not load cleanly, for the end of the summary."""
    notes = []
    for entry in night.plan.refused:
        notes.append(f"[red]refused landing entry[/red] {escape(entry)}")
    for code in night.plan.missing:
        notes.append(f"[red]missing[/red] {code}: expected, but no export landed")
    for area in night.rejected:
        notes.append(f"[red]rejected[/red] {area.area_code}: {escape(area.message)}")
    for alert in tables.quarantine_alerts(con, night.as_of):
        notes.append(
            f"[yellow]{alert['area_code']} {alert['file']} lost {alert['lost_share']:.1%} of its "
            f"rows to quarantine[/yellow] ({alert['rows_quarantined']:,} of "
            f"{alert['rows_in']:,}; quarantine.rows has each line and rule)"
        )
    loaded = sum(f.rows_loaded for a in night.areas for f in a.files)
    quarantined = sum(f.rows_quarantined for a in night.areas for f in a.files)
    notes.append(
        f"{night.as_of}: {len(night.areas) - len(night.rejected)} areas loaded, "
        f"{loaded:,} rows loaded, {quarantined:,} rows quarantined"
    )
    for name, path in night.published.items():
        notes.append(f"published {name}: {path}")
    return notes
