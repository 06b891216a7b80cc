"""The check frame's columns: what DuckDB computes per row for Great Expectations to check.

Division of work (docs/decisions.md, "Validation"): DuckDB parses every value
and computes the cross-row facts; GX checks cheap per-row expectations on a
typed, PII-free frame ("check frame"). These names are shared by the typing and
checking SQL of pipelines/ingest and the suites of pipelines/validate/suites.py.

- `<col>__valid`: NULL when blank, true when well-formed for its kind, else false.
- `<col>__not_early` / `<col>__not_future`: a date on or after its earliest date /
  not after the export date.
- `<col>__unknown`: for code lists, the unknown elements, NULL when none.
- `<parent>__exists`, `key__unique`: cross-row facts over the whole snapshot.
- `<later>__not_before_<earlier>`: a date order.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.contract.exports import (
    EARLIEST_BIRTH_DATE,
    EARLIEST_DATE,
    SENTENCE_PLANS,
    Column,
    ExportFile,
)

PLAN_EVENT_SENTENCE_DATE = "event_sentence_date"
SUPERVISION_START = "supervision_start"


def valid_column(name: str) -> str:
    """NULL when blank, true when the value is well-formed for its kind, else false."""
    return f"{name}__valid"


def not_early_column(name: str) -> str:
    return f"{name}__not_early"


def not_future_column(name: str) -> str:
    return f"{name}__not_future"


def unknown_column(name: str) -> str:
    """For code lists: the unknown elements, quoted and comma-joined, NULL when none."""
    return f"{name}__unknown"


def exists_column(export: ExportFile) -> str | None:
    """Whether the row's parent exists (contract Parent), NULL when its reference is."""
    return f"{export.parent.export}__exists" if export.parent else None


KEY_UNIQUE = "key__unique"
AREA_IS_FOLDER = "area_code__is_folder"  # events.area_code equals the export folder's area


def holds_value(column: Column) -> bool:
    """Whether the check frame carries the value itself, not only flags about it.

    Only values with few possible contents do (codes, Y/N, the crn's shape); free
    text such as offender_manager is a presence flag, so equal rows stay equal.
    """
    return (
        column.kind in ("text", "yn")
        and not column.pii
        and (column.codes is not None or column.pattern is not None)
    )


@dataclass(frozen=True)
class CheckedOrder:
    """A date order the check frame carries as a DuckDB-computed flag (`order_column`)."""

    later: str
    earlier: str
    problem: str = "is before"
    other: str = ""  # the column the detail names after the problem


def date_orders(export: ExportFile) -> list[CheckedOrder]:
    """The contract's date orders, plus plan_date against its event's sentence_date."""
    orders = [CheckedOrder(o.later, o.earlier, other=o.earlier) for o in export.date_orders]
    if export is SENTENCE_PLANS:
        orders.append(
            CheckedOrder(
                "plan_date", PLAN_EVENT_SENTENCE_DATE, "is before the sentence_date of its event"
            )
        )
    return orders


def order_column(order: CheckedOrder) -> str:
    """NULL when either date is blank, else whether `later` is on or after `earlier`."""
    return f"{order.later}__not_before_{order.earlier}"


def earliest_date(column: Column) -> str:
    return EARLIEST_BIRTH_DATE if column.name == "date_of_birth" else EARLIEST_DATE
