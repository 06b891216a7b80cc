"""The one-screen summary printed at the end of a run: scores, rejections, quarantine."""

from __future__ import annotations

import datetime as dt

from rich.table import Table


def night_table(con, as_of: dt.date, scope: str = "census") -> Table:
    """One row per area: each criterion's score with its counts."""
    rows = con.execute(
        """
        SELECT s.area_code, a.region, s.criterion_id, s.met, s.evaluated, s.pct, s.band
        FROM marts.scorecard AS s JOIN ref.areas AS a USING (area_code)
        WHERE s.as_of_date = ? AND s.scope = ? AND s.question_id IS NULL
        ORDER BY a.region, s.area_code, s.criterion_id
        """,
        [as_of, scope],
    ).fetchall()
    criteria = sorted({r[2] for r in rows})
    table = Table(title=f"Scorecard {as_of} ({scope}): % met (met/evaluated)")
    table.add_column("area")
    table.add_column("region")
    for criterion in criteria:
        table.add_column(criterion, justify="right")
    by_area: dict[tuple[str, str], dict[str, str]] = {}
    for area, region, criterion, met, evaluated, pct, _band in rows:
        cell = "-" if pct is None else f"{pct:.1f} ({met}/{evaluated})"
        by_area.setdefault((area, region), {})[criterion] = cell
    for (area, region), cells in by_area.items():
        table.add_row(area, region, *(cells.get(c, "") for c in criteria))
    return table


def night_notes(con, night) -> list[str]:
    """Plain lines on what did not load cleanly, for the end of the summary."""
    notes = []
    for folder in night.bad_folders:
        notes.append(f"[red]rejected landing folder[/red] {folder!r}: not an area code")
    for area in night.rejected:
        notes.append(f"[red]rejected[/red] {area.area_code}: {area.message}")
    quarantined = con.execute(
        "SELECT count(*) FROM quarantine.rows WHERE as_of_date = ?", [night.as_of]
    ).fetchone()[0]
    loaded = sum(f.rows_loaded for a in night.areas for f in a.files)
    notes.append(
        f"{night.as_of}: {len(night.areas) - len(night.rejected)} areas loaded, "
        f"{loaded:,} rows loaded, {quarantined:,} rows quarantined"
    )
    for name, path in night.published.items():
        notes.append(f"published {name}: {path}")
    return notes
