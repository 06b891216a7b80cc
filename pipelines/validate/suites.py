"""The Great Expectations suites: the row rules of docs/exports.md, one suite per export file.

Each expectation's meta names its quarantine `rule` and the `column` (and
`other` column) the detail text quotes. The suites in expectations/*.json are
generated from the contract by `expected_suite` and checked against it by the
tests; regenerate with `python -m pipelines.validate.suites`.

- GX: required values (not_null), code lists (in_set; unknown list elements via a
  precomputed `<col>__unknown`), crn pattern (regex on a shape mask: letters -> A,
  digits -> 0, so no crn reaches GX results or Data Docs), integer validity and
  ranges, date validity and bounds (on DuckDB-parsed booleans: `between` on
  dates and `match_strftime_format` cost 5-10x an `in_set`), date orders (on
  DuckDB-computed flags, so the frame holds no dates and has few distinct
  values), conditional presence (`row_condition`), area_code equal to the export
  folder's area (a DuckDB flag, so a value means the same in every area).
- DuckDB, fed to GX as boolean columns (pipelines/validate/frame.py): key
  uniqueness, orphans and date orders, with the event's sentence_date joined
  onto plans; keys and orphans need the whole snapshot.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

from pipelines.contract.exports import (
    EVENTS,
    LANDED_FILES,
    OASYS_ASSESSMENTS,
    REGISTER_TYPES,
    REGISTRATIONS,
    SENTENCE_TYPES,
    Column,
    ExportFile,
)
from pipelines.validate.frame import (
    AREA_IS_FOLDER,
    KEY_UNIQUE,
    date_orders,
    earliest_date,
    exists_column,
    holds_value,
    not_early_column,
    not_future_column,
    order_column,
    unknown_column,
    valid_column,
)

EXPECTATIONS_DIR = Path(__file__).resolve().parent / "expectations"


def _expect(
    kind: str, rule: str, subject: str, problem: str, other: str = "", **kwargs: Any
) -> dict:
    """One expectation; meta names the quarantine rule and the column its detail quotes."""
    meta = {"rule": rule, "column": subject, "problem": problem}
    if other:
        meta["other"] = other
    return {"type": f"expect_{kind}", "kwargs": kwargs, "meta": meta}


def _range_problem(column: Column) -> str:
    if column.maximum is None:
        return f"is below {column.minimum}"
    return f"is outside {column.minimum}..{column.maximum}"


def _column_expectations(column: Column) -> list[dict]:
    name, out = column.name, []
    present: str | None = name if holds_value(column) else valid_column(name)
    if column.kind == "codes":
        present = None  # blank is an empty list: never missing
    if column.required and present:
        out.append(
            _expect(
                "column_values_to_not_be_null", "value_missing", name, "is blank", column=present
            )
        )
    if column.pattern:
        out.append(
            _expect(
                "column_values_to_match_regex",
                "value_invalid",
                name,
                f"does not match {column.pattern}",
                column=name,
                regex=f"^{column.pattern}$",
            )
        )
    if column.kind == "int":
        out.append(
            _expect(
                "column_values_to_be_in_set",
                "value_invalid",
                name,
                "is not a whole number",
                column=valid_column(name),
                value_set=[True],
            )
        )
        if column.codes is None and (column.minimum is not None or column.maximum is not None):
            bounds: dict[str, Any] = {"min_value": column.minimum, "max_value": column.maximum}
            out.append(
                _expect(
                    "column_values_to_be_between",
                    "value_invalid",
                    name,
                    _range_problem(column),
                    column=name,
                    **{k: v for k, v in bounds.items() if v is not None},
                )
            )
    if column.kind == "date":
        out.append(
            _expect(
                "column_values_to_be_in_set",
                "date_unparseable",
                name,
                "is not a YYYY-MM-DD date",
                column=valid_column(name),
                value_set=[True],
            )
        )
        earliest = earliest_date(column)
        out.append(
            _expect(
                "column_values_to_be_in_set",
                f"date_before_{earliest[:4]}",
                name,
                f"is before {earliest}",
                column=not_early_column(name),
                value_set=[True],
            )
        )
        out.append(
            _expect(
                "column_values_to_be_in_set",
                "date_after_export",
                name,
                "is after the export date",
                column=not_future_column(name),
                value_set=[True],
            )
        )
    if column.kind == "codes":
        out.append(
            _expect(
                "column_values_to_be_null",
                "code_unknown",
                name,
                "has unknown code(s)",
                column=unknown_column(name),
            )
        )
    elif column.codes is not None:
        out.append(
            _expect(
                "column_values_to_be_in_set",
                "code_unknown",
                name,
                "is not a known code",
                column=name,
                value_set=list(column.codes),
            )
        )
    return out


def _conditional(
    rule: str, subject: str, frame_column: str, condition: str, problem: str, blank: bool
) -> dict:
    kind = "column_values_to_be_null" if blank else "column_values_to_not_be_null"
    return _expect(
        kind,
        rule,
        subject,
        problem,
        column=frame_column,
        row_condition=condition,
        condition_parser="pandas",
    )


def _file_expectations(export: ExportFile) -> list[dict]:
    """Rules that relate columns or rows: keys, orphans, date orders, presence by type."""
    out = [
        _expect(
            "column_values_to_be_in_set",
            "key_duplicate",
            ",".join(export.key),
            "is shared by another row",
            column=KEY_UNIQUE,
            value_set=[True],
        )
    ]
    parent = exists_column(export)
    if parent and export.parent:
        out.append(
            _expect(
                "column_values_to_be_in_set",
                "orphan",
                ",".join(export.parent.columns),
                f"has no matching row in {export.parent.export}.csv",
                column=parent,
                value_set=[True],
            )
        )
    for order in date_orders(export):
        out.append(
            _expect(
                "column_values_to_be_in_set",
                "date_order",
                order.later,
                order.problem,
                other=order.other,
                column=order_column(order),
                value_set=[True],
            )
        )
    if export is EVENTS:
        out += [
            _expect(
                "column_values_to_be_in_set",
                "area_mismatch",
                "area_code",
                "is not the area of the export folder",
                column=AREA_IS_FOLDER,
                value_set=[True],
            ),
            _conditional(
                "value_missing",
                "release_date",
                valid_column("release_date"),
                'sentence_type == "LIC"',
                "is blank for a LIC event",
                blank=False,
            ),
            _conditional(
                "value_conflict",
                "release_date",
                valid_column("release_date"),
                f"sentence_type in {[t for t in SENTENCE_TYPES if t != 'LIC']}",
                "is given for a CO or SSO event",
                blank=True,
            ),
        ]
    if export is REGISTRATIONS:
        out += [
            _conditional(
                "value_missing",
                "register_level",
                "register_level",
                'register_type == "MAPP"',
                "is blank for a MAPP registration",
                blank=False,
            ),
            _conditional(
                "value_conflict",
                "register_level",
                "register_level",
                f"register_type in {[t for t in REGISTER_TYPES if t != 'MAPP']}",
                "is given for a registration other than MAPP",
                blank=True,
            ),
        ]
    if export is OASYS_ASSESSMENTS:
        done = 'assessment_status in ["SIGNED", "COMPLETE"]'
        out += [
            _conditional(
                "value_conflict",
                "date_completed",
                valid_column("date_completed"),
                'assessment_status in ["OPEN", "LOCKED_INCOMPLETE"]',
                "is given for an assessment neither SIGNED nor COMPLETE",
                blank=True,
            ),
            _conditional(
                "value_missing",
                "rosh_level",
                "rosh_level",
                done,
                "is blank for a SIGNED or COMPLETE assessment",
                blank=False,
            ),
        ]
    return out


def expected_suite(export: ExportFile) -> dict[str, Any]:
    """The GX ExpectationSuite JSON for one export file, derived from the contract."""
    expectations = [e for c in export.columns for e in _column_expectations(c)]
    return {
        "name": export.name,
        "expectations": expectations + _file_expectations(export),
        "meta": {
            "great_expectations_version": "1.24.1",
            "source": "generated from the contract by pipelines/validate/suites.py",
            "frame": "one row per CSV row; `line` is its physical line in the file",
        },
        "notes": None,
    }


def suite_path(export: ExportFile, directory: Path | None = None) -> Path:
    return (directory or EXPECTATIONS_DIR) / f"{export.name}.json"


def write_suites(directory: Path | None = None) -> list[Path]:
    paths = []
    for export in LANDED_FILES:
        path = suite_path(export, directory)
        path.write_text(json.dumps(expected_suite(export), indent=2) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def expectation_columns(export: ExportFile) -> list[list[str]]:
    """Per expectation of the suite, the check-frame columns its outcome on a row reads."""
    out = []
    for expectation in expected_suite(export)["expectations"]:
        kwargs = expectation["kwargs"]
        read = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
        condition = kwargs.get("row_condition", "")
        read += [c for c in export.column_names if c in condition and c not in read]
        out.append(read)
    return out


def content_columns(export: ExportFile) -> list[str]:
    """The check frame's columns but `line`: what an expectation's outcome on a row reads."""
    return frame_columns(export)[1:]


@functools.cache
def components(export: ExportFile) -> dict[str, tuple[str, ...]]:
    """{name: columns}: the frame's columns grouped so no expectation reads two groups.

    A column joins the group of every other column an expectation reads with it
    (union-find over the suite); the name is the group's columns, comma-joined.
    """
    group = {c: c for c in content_columns(export)}

    def root(column: str) -> str:
        while group[column] != column:
            column = group[column]
        return column

    for read in expectation_columns(export):
        for other in read[1:]:
            group[root(other)] = root(read[0])
    members: dict[str, list[str]] = {}
    for column in content_columns(export):
        members.setdefault(root(column), []).append(column)
    return {",".join(columns): tuple(columns) for columns in members.values()}


def component_of(export: ExportFile, column: str) -> str:
    return next(name for name, columns in components(export).items() if column in columns)


@functools.cache
def gx_release() -> str:
    """The installed GX's version, read once: reading package metadata takes some 2 ms."""
    return version("great_expectations")


@functools.cache
def suite_digest(export: ExportFile) -> str:
    """Changes with the suite, the frame's columns, their components or the GX release:
    a stored value's findings hold only under the digest they were found with."""
    suite = suite_path(export).read_bytes()
    columns = ",".join(content_columns(export)).encode()
    layout = "|".join(components(export)).encode()
    release = gx_release().encode()
    return hashlib.sha256(b"\0".join([suite, columns, layout, release])).hexdigest()


def frame_columns(export: ExportFile) -> list[str]:
    """The check frame's columns: only what the suite reads, never PII or a raw crn."""
    names = ["line"]
    for read in expectation_columns(export):
        names += [c for c in read if c not in names]
    return names


if __name__ == "__main__":
    for written in write_suites():
        print(written)
