"""Row-level defects of exports.md injected into a night's files.

Bad and future dates, dates out of order, unknown codes, duplicate keys, missing
required values and lines with the wrong number of fields, cycling through the kinds
each file can have.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.contract import exports as c
from pipelines.synth.calendar import to_iso
from pipelines.synth.rng import Rng
from pipelines.synth.snapshots import Snapshot

EXCEL_EPOCH_SHIFT = 25569  # Excel serial of 1970-01-01
DATE_KINDS = ("bad_date", "future_date")
ROW_KINDS = ("unknown_code", "duplicate_key", "missing_required", "field_count")
DEFECT_KINDS = {
    "events": DATE_KINDS + ("date_order",) + ROW_KINDS,
    "registrations": DATE_KINDS + ("date_order",) + ROW_KINDS,
    "contacts": DATE_KINDS + ROW_KINDS,
    "oasys_assessments": DATE_KINDS + ("date_order",) + ROW_KINDS,
    "oasys_needs": ROW_KINDS,
    "sentence_plans": DATE_KINDS + ROW_KINDS,
    "plan_objectives": ROW_KINDS,
}
UNKNOWN_CODES = {
    "events": (("sentence_type", "CJO"), ("requirements", "|EMC")),
    "registrations": (("register_type", "RSOF"), ("register_level", "M4")),
    "contacts": (("contact_type", "CTEL"),),
    "oasys_assessments": (("purpose_code", "520"), ("assessment_status", "DELETED")),
    "oasys_needs": (("section", "13"),),
    "sentence_plans": (("plan_type", "TRANSFER"),),
    "plan_objectives": (("who_does_work", "CRC"), ("need_section", "13")),
}
MISSING_REQUIRED = {
    "events": ("tier", "offender_manager", "sentence_date"),
    "registrations": ("registration_date", "register_type"),
    "contacts": ("contact_date", "contact_type"),
    "oasys_assessments": ("initiation_date", "assessment_status"),
    "oasys_needs": ("section", "oasys_set_pk"),
    "sentence_plans": ("plan_date", "plan_type"),
    "plan_objectives": ("plan_id", "need_section"),
}
EVENT_DATE = {
    "registrations": ("registration_date", "reg"),
    "contacts": ("contact_date", "day"),
    "oasys_assessments": ("initiation_date", "init"),
    "sentence_plans": ("plan_date", "day"),
}


def _bad_date(day: int, variant: int) -> str:
    """Unparseable or non-ISO renderings of a date, as real exports send them."""
    iso = to_iso(day)
    year, month, dom = iso[:4], iso[5:7], iso[8:]
    return (
        f"{dom}/{month}/{year}",
        f"{year}-13-{dom}",
        str(day + EXCEL_EPOCH_SHIFT),
        f"31/04/{year}",
    )[variant % 4]


Edit = tuple[str, str | None]


def _edits(name, kind, variant, row, snap: Snapshot, as_of: int) -> list[Edit]:
    """Column values that give one row one defect of the given kind."""
    d, later = snap.dates, 1 + variant % 60
    if kind == "unknown_code":
        column, value = UNKNOWN_CODES[name][variant % len(UNKNOWN_CODES[name])]
        if value.startswith("|"):
            current = snap.columns[column][row].as_py()
            value = f"{current}{value}" if current else value[1:]
        return [(column, value)]
    if kind == "missing_required":
        return [(MISSING_REQUIRED[name][variant % len(MISSING_REQUIRED[name])], None)]
    if name == "events":
        start_column = "release_date" if d["lic"][row] else "sentence_date"
        if kind == "bad_date":
            return [("sentence_date", _bad_date(int(d["sentence"][row]), variant))]
        if kind == "future_date":
            return [(start_column, to_iso(as_of + later)), ("termination_date", None)]
        return [("termination_date", to_iso(int(d["start"][row]) - later))]
    if name == "oasys_assessments" and kind != "bad_date":
        init, done = int(d["init"][row]), int(d["done"][row])
        if kind == "future_date":
            column = "date_completed" if done >= 0 else "initiation_date"
            blanks: list[Edit] = [("voided_date", None), ("countersigned_date", None)]
            return [(column, to_iso(as_of + later))] + (blanks if done < 0 else [])
        column = "date_completed" if done >= 0 else "voided_date"
        return [(column, to_iso(init - later))]
    column, day = EVENT_DATE[name]
    if kind == "bad_date":
        return [(column, _bad_date(int(d[day][row]), variant))]
    if kind == "future_date":
        extra: list[Edit] = [("deregistration_date", None)] if name == "registrations" else []
        return [(column, to_iso(as_of + later))] + extra
    return [("deregistration_date", to_iso(int(d["reg"][row]) - later))]  # registrations order


def inject_defects(
    name: str, snap: Snapshot, as_of: int, rate: float, rng: Rng
) -> tuple[pa.Table, list[tuple[int, int]], int]:
    """Row-level defects of exports.md at `rate`, cycling through the file's kinds.

    Returns the table to write, the (line, variant) of rows to write with a wrong
    number of fields, and how many rows carry a defect.
    """
    export = c.EXPORTS_BY_NAME[name]
    chosen = (
        np.flatnonzero(rng.u(snap.keys, f"defect:{name}") < rate)
        if rate > 0
        else np.zeros(0, np.int64)
    )
    kinds = DEFECT_KINDS[name]
    edits: dict[str, dict[int, str | None]] = {}
    duplicates, misshapen = [], []
    for ordinal, row in enumerate(chosen.tolist()):
        kind, variant = kinds[ordinal % len(kinds)], ordinal // len(kinds)
        if kind == "duplicate_key":
            duplicates.append(row)
        elif kind == "field_count":
            misshapen.append((row, variant))
        else:
            for column, value in _edits(name, kind, variant, row, snap, as_of):
                edits.setdefault(column, {})[row] = value
    columns = dict(snap.columns)
    for column, values in edits.items():
        rows = sorted(values)
        mask = np.zeros(len(snap.keys), dtype=bool)
        mask[rows] = True
        columns[column] = pc.replace_with_mask(
            columns[column].cast(pa.string()),
            pa.array(mask),
            pa.array([values[r] for r in rows], pa.string()),
        )
    table = pa.table({n: columns[n] for n in export.column_names})
    dup = np.array(duplicates, dtype=np.int64)
    if len(dup):
        n = table.num_rows
        order = np.argsort(np.concatenate([np.arange(n) * 2, dup * 2 + 1]), kind="stable")
        table = table.take(pa.array(np.concatenate([np.arange(n), dup])[order]))
    lines = [(row + int(np.searchsorted(dup, row, side="left")), v) for row, v in misshapen]
    return table, lines, len(chosen)


def splice_field_counts(data: bytes, lines: list[tuple[int, int]]) -> bytes:
    """Give data lines one field too many (even variant) or too few (odd variant)."""
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    pieces, done = [], 0
    for line, variant in sorted(lines):
        begin, end = int(newlines[line]) + 1, int(newlines[line + 1])
        if variant % 2 == 0:
            pieces += [data[done:end], b",N"]
            done = end
        else:
            pieces.append(data[done : data.rfind(b",", begin, end)])
            done = end
    pieces.append(data[done:])
    return b"".join(pieces)
