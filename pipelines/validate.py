"""Great Expectations validation of one area's night: the row rules of exports.md.

Division of work (performance.md): DuckDB parses every value and computes the
cross-row facts; GX checks cheap per-row expectations on a typed, PII-free
pandas frame ("check frame") and names the failing rows by their CSV `line`.

- GX: required values (not_null), code lists (in_set; unknown list elements via a
  precomputed `<col>__unknown`), crn pattern (regex on a shape mask: letters -> A,
  digits -> 0, so no crn reaches GX results or Data Docs), integer validity and
  ranges, date validity and bounds (on DuckDB-parsed booleans: `between` on
  dates and `match_strftime_format` cost 5-10x an `in_set`), date orders (on
  DuckDB-computed `<later>__not_before_<earlier>` flags, so the frame holds no
  dates and has few distinct rows: pipelines/check_content.py), conditional
  presence (`row_condition`), area_code equal to the export folder's area (a
  DuckDB flag, so a content means the same in every area).
- DuckDB, fed to GX as boolean columns: key uniqueness (`key__unique`, every row
  sharing a key is false), orphans (`<parent>__exists`) and date orders, with the
  event's sentence_date joined onto plans; keys and orphans need the whole
  snapshot, so an incremental run keeps computing them on all rows.

Each expectation's meta names its quarantine `rule` and the `column` (and
`other` column) the detail text quotes. The suites in expectations/*.json are
generated from the contract by `expected_suite` and checked against it by the
tests; regenerate with `python -m pipelines.validate`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pipelines import settings
from pipelines.contract import (
    EARLIEST_BIRTH_DATE,
    EARLIEST_DATE,
    EVENTS,
    EXPORT_FILES,
    OASYS_ASSESSMENTS,
    REGISTER_TYPES,
    REGISTRATIONS,
    SENTENCE_PLANS,
    SENTENCE_TYPES,
    Column,
    ExportFile,
)

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["line"],
    "partial_unexpected_count": 20,
}
DATASOURCE = "caseaudit_ingest"

# (child export, parent export, child columns, parent columns) checked by DuckDB joins
PARENTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "registrations": ("events", ("crn",), ("crn",)),
    "contacts": ("events", ("crn", "event_number"), ("crn", "event_number")),
    "oasys_assessments": ("events", ("crn", "event_number"), ("crn", "event_number")),
    "sentence_plans": ("events", ("crn", "event_number"), ("crn", "event_number")),
    "oasys_needs": ("oasys_assessments", ("oasys_set_pk",), ("oasys_set_pk",)),
    "plan_objectives": ("sentence_plans", ("plan_id",), ("plan_id",)),
}
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
    parent = PARENTS.get(export.name)
    return f"{parent[0]}__exists" if parent else None


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
    if parent:
        child_columns = PARENTS[export.name][1]
        out.append(
            _expect(
                "column_values_to_be_in_set",
                "orphan",
                ",".join(child_columns),
                f"has no matching row in {PARENTS[export.name][0]}.csv",
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
            "source": "generated from pipelines/contract.py by pipelines/validate.py",
            "frame": "one row per CSV row; `line` is its physical line in the file",
        },
        "notes": None,
    }


def suite_path(export: ExportFile, directory: Path | None = None) -> Path:
    return (directory or settings.EXPECTATIONS_DIR) / f"{export.name}.json"


def write_suites(directory: Path | None = None) -> list[Path]:
    paths = []
    for export in EXPORT_FILES:
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


def frame_columns(export: ExportFile) -> list[str]:
    """The check frame's columns: only what the suite reads, never PII or a raw crn."""
    names = ["line"]
    for read in expectation_columns(export):
        names += [c for c in read if c not in names]
    return names


@dataclass(frozen=True)
class Finding:
    """One failed expectation on one row."""

    line: int
    rule: str
    column: str
    other: str
    problem: str
    checked: str  # the check-frame column the expectation read


def open_context(gx_root: Path, fresh: bool = False):
    """A GX file context under gx_root, so validation results feed Data Docs.

    `fresh` starts an empty project: the night's Data Docs then show only this run.
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    if fresh and gx_root.exists():
        shutil.rmtree(gx_root)
    gx_root.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(gx_root))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _validation_definition(context, export: ExportFile):
    """Register the export's asset, suite and validation definition in a fresh context."""
    import great_expectations as gx

    try:
        source = context.data_sources.get(DATASOURCE)
    except KeyError:
        source = context.data_sources.add_pandas(DATASOURCE)
    batch = source.add_dataframe_asset(export.name).add_batch_definition_whole_dataframe("night")
    suite_json = json.loads(suite_path(export).read_text(encoding="utf-8"))
    suite = context.suites.add(gx.ExpectationSuite(**suite_json))
    return context.validation_definitions.add(
        gx.ValidationDefinition(name=export.name, data=batch, suite=suite)
    )


def validate_frame(
    context, export: ExportFile, frame: pd.DataFrame, area_code: str
) -> list[Finding]:
    """Run the export's suite on its check frame; one Finding per failing row and rule."""
    from great_expectations.core.run_identifier import RunIdentifier

    definition = _validation_definition(context, export)
    result = definition.run(
        batch_parameters={"dataframe": frame},
        result_format=RESULT_FORMAT,
        # the run name keeps areas apart when publish_data_docs merges their results
        run_id=RunIdentifier(run_name=area_code, run_time=dt.datetime.now(dt.UTC)),
    )
    findings = []
    for outcome in result.results:
        if outcome.success:
            continue
        meta = outcome.expectation_config.meta
        if "unexpected_index_list" not in outcome.result:
            raise RuntimeError(
                f"{export.file_name}: expectation {outcome.expectation_config.type} on "
                f"{meta['column']} did not run: {outcome.exception_info}"
            )
        for index in outcome.result["unexpected_index_list"]:
            findings.append(
                Finding(
                    int(index["line"]),
                    meta["rule"],
                    meta["column"],
                    meta.get("other", ""),
                    meta["problem"],
                    outcome.expectation_config.kwargs["column"],
                )
            )
    return findings


def build_data_docs(gx_root: Path) -> Path:
    """Render the stored validation results of gx_root as Data Docs; returns index.html."""
    context = open_context(gx_root)
    context.build_data_docs()
    (index,) = gx_root.rglob("data_docs/local_site/index.html")
    return index


def publish_data_docs(gx_roots: Sequence[Path], site_dir: Path) -> Path:
    """One Data Docs site of the night's validations in site_dir; returns its index.html.

    Each area ingests into its own GX project (areas run in parallel); their stored
    validation results, kept apart by run name (the area code), are merged into a
    scratch project and rendered once, so the night has one site and one copy of
    GX's static files. The site replaces any earlier one in site_dir.
    """
    import great_expectations as gx

    with tempfile.TemporaryDirectory(prefix="data-docs-") as scratch:
        context = open_context(Path(scratch))
        for export in EXPORT_FILES:
            suite_json = json.loads(suite_path(export).read_text(encoding="utf-8"))
            context.suites.add(gx.ExpectationSuite(**suite_json))
        merged = Path(scratch) / "gx" / "uncommitted" / "validations"
        for root in gx_roots:
            stored = Path(root) / "gx" / "uncommitted" / "validations"
            for suite_dir in sorted(p for p in stored.glob("*") if p.is_dir()):
                shutil.copytree(suite_dir, merged / suite_dir.name, dirs_exist_ok=True)
        context.build_data_docs()
        built = Path(scratch) / "gx" / "uncommitted" / "data_docs" / "local_site"
        partial = site_dir.with_name(site_dir.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(built, partial)
    shutil.rmtree(site_dir, ignore_errors=True)
    partial.rename(site_dir)
    return site_dir / "index.html"


if __name__ == "__main__":
    for written in write_suites():
        print(written)
