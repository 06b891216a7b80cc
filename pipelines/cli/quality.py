"""`caseaudit quality`: one screen of what each area's quarantine held on a night.

Per area: the rows quarantined per file and rule with their share of the file,
the cases whose outcomes may be affected (counts only, never a case key), a
rejected or missing area's message (the file, the reason, what to do), and the
quarantine rate over the nights scored. The figures come from the queries of
pipelines/publish/tables.py, which the report can reuse.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path
from typing import Any

from rich.table import Table

from pipelines.cli.commands import EXIT_OK, _read, _require_night, console
from pipelines.run import settings

TREND_NIGHTS = 8  # the latest nights of the trend shown


def cmd_quality(args: argparse.Namespace) -> int:
    from pipelines.publish import tables

    with _read(args.warehouse) as con:
        _require_night(con, args.as_of, args.warehouse)
        held = tables.quality_quarantine(con, args.as_of)
        cases = tables.data_quality(con, args.as_of).to_dict("records")
        rejected = tables.quality_rejected(con, args.as_of)
        trend = tables.quality_trend(con, args.as_of)
    wanted = _wanted(args.area)
    console.print(_quarantine_table(args.as_of, [r for r in held if wanted(r)]))
    console.print(_cases_table([r for r in cases if wanted(r)]))
    for row in (r for r in rejected if wanted(r)):
        console.print(f"[red]{row['area_code']} {row['status']}:[/red] {row['message']}")
    console.print(_trend_table([r for r in trend if wanted(r)]))
    docs = settings.publish_dir() / args.as_of.isoformat() / "data_docs" / "index.html"
    if Path(docs).exists():
        console.print(f"Data Docs (every expectation of every file): {docs}")
    return EXIT_OK


def _wanted(area: str | None):
    return lambda row: area is None or row["area_code"] == area


def _quarantine_table(as_of, rows: list[dict[str, Any]]) -> Table:
    """One line per area and file: its rows quarantined (each once), their share of the
    file, and the rules with their rows."""
    table = Table(
        title=f"Quarantine {as_of}: rows kept out of staging",
        caption="rules: rows failing each (a row failing several counts under each)",
    )
    for column in ("area", "file", "rows", "of rows in", "share", "rules"):
        table.add_column(
            column, justify="right" if column in ("rows", "of rows in", "share") else "left"
        )
    files: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        files[row["area_code"], row["file"]].append(row)
    if not files:
        table.add_row("-", "nothing quarantined", "", "", "", "")
    for (area, file), rules in files.items():
        held, rows_in = rules[0]["file_rows_quarantined"], rules[0]["rows_in"]
        table.add_row(
            area,
            file,
            f"{held:,}",
            f"{rows_in:,}",
            f"{100 * held / rows_in:.2f}%",
            ", ".join(f"{r['rule']} {r['rows_quarantined']:,}" for r in rules),
        )
    return table


def _cases_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="Cases whose outcomes may be affected (counts only)")
    headers = ("area", "scope", "rows quarantined", "cases touched", "cases scored")
    for column in (*headers, "scored cases touched"):
        table.add_column(column, justify="left" if column in ("area", "scope") else "right")
    for row in rows:
        table.add_row(
            row["area_code"],
            row["scope"],
            *(f"{row[k]:,}" for k in ("rows_quarantined", "cases_touched", "cases_scored")),
            f"{row['scored_cases_touched']:,}",
        )
    return table


def _trend_table(rows: list[dict[str, Any]]) -> Table:
    by_area: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_area[row["area_code"]].append(row)
    nights = sorted({r["as_of_date"] for r in rows})[-TREND_NIGHTS:]
    table = Table(title="Quarantine rate over the nights scored (rows quarantined / rows in)")
    table.add_column("area")
    for night in nights:
        table.add_column(night.isoformat(), justify="right")
    for area, area_rows in sorted(by_area.items()):
        rates = {r["as_of_date"]: r["quarantine_rate"] for r in area_rows}
        table.add_row(
            area, *("-" if rates.get(n) is None else f"{100 * rates[n]:.2f}%" for n in nights)
        )
    return table
