"""The night's outcome of every expectation, per area and landed file, as a GX validation result.

GX validates only the values no store knew (contents.py), so what GX computed
tonight is not what a data engineer asks of a night's file: how did each
expectation fare on its rows? After the findings fan out, contents_<export>
holds every distinct value of each component with the number of lines that
have it, its findings, and where its outcome came from (`carried` from a
store, `validated_on` the night GX first validated it; NULL for the contract's
domain). So, per expectation of the file's suite, exactly:

- the rows it checked (every line of the check frame: rows_in less misshapen
  lines, which only the field_count rule sees), the rows failing it, their
  share, and a few failing values as the check frame holds them (a code in its
  list, else its shape, or a flag): never a value that could be personal;
- how many of those rows had their value validated by GX tonight, how many took
  their outcome from the contract's domain, and how many from earlier nights
  (first and last night), so nothing looks validated tonight that was not.

The result is written in GX's own validation-result JSON (`validation_<export>.json`
in the area's work folder), without importing GX, so an area with nothing new
stays GX-free; the file-level figures (rows_in, rows quarantined, as
audit.runs and quarantine.rows have them) are in its `meta`. The
build_data_docs step stores the night's results in one GX project and renders
them (data_docs.py).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb

from pipelines.contract.exports import ExportFile
from pipelines.sql_files import Statements, literal
from pipelines.validate.suites import component_of, content_columns, gx_release, suite_path

SQL = Statements(Path(__file__).parent)
EXAMPLES = 5  # failing values shown per expectation
DATASOURCE = "caseaudit_night"


def result_name(export: ExportFile) -> str:
    return f"validation_{export.name}.json"


def expectations(export: ExportFile) -> list[dict[str, Any]]:
    """The suite's expectations as stored (type, kwargs, meta), in suite order."""
    suite = json.loads(suite_path(export).read_text(encoding="utf-8"))
    return [
        {"type": e["type"], "kwargs": e["kwargs"], "meta": e.get("meta", {})}
        for e in suite["expectations"]
    ]


def _finding(meta: dict[str, Any]) -> str:
    """The findings struct (contents.FINDINGS_TYPE) an expectation's failure records."""
    fields = {
        "rule": meta["rule"],
        "col": meta["column"],
        "other": meta.get("other", ""),
        "problem": meta["problem"],
    }
    return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in fields.items()) + "}"


def figures(con: duckdb.DuckDBPyConnection, export: ExportFile) -> list[dict[str, Any]]:
    """Each expectation's night figures, from contents_<export> after GX (module doc)."""
    listed = [
        {
            "finding": _finding(e["meta"]),
            "checked": e["kwargs"]["column"],
            "component": component_of(export, e["kwargs"]["column"]),
        }
        for e in expectations(export)
    ]
    statement = SQL.render(
        "expectation_figures",
        name=export.name,
        names=content_columns(export),
        expectations=listed,
        examples=EXAMPLES,
    )
    cursor = con.execute(statement)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _nights(first: dt.date | None, last: dt.date | None) -> str:
    if first is None or last is None:
        return ""
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"


def _carried(f: dict[str, Any]) -> str:
    parts = []
    if f["rows_contract"]:
        parts.append(f"{f['rows_contract']:,} from the contract's values")
    if f["rows_earlier"]:
        parts.append(
            f"{f['rows_earlier']:,} from nights {_nights(f['first_night'], f['last_night'])}"
        )
    return "; ".join(parts) or "0"


def _tonight(f: dict[str, Any]) -> str:
    if not f["rows_tonight"]:
        return "0"
    values = f["values_tonight"]
    return f"{f['rows_tonight']:,} ({values:,} new value{'s' if values != 1 else ''})"


def _description(expectation: dict[str, Any], f: dict[str, Any]) -> str:
    """What GX renders as the expectation: caseaudit's rule, and how tonight's outcome
    was come by (no `$`: GX reads it as a template)."""
    meta = expectation["meta"]
    checked = expectation["kwargs"]["column"]
    subject = meta["column"] + (f" ({checked})" if checked != meta["column"] else "")
    return (
        f"{meta['rule']}: {subject} {meta['problem']} (failing rows are quarantined). "
        f"Rows whose value GX validated tonight: {_tonight(f)}; "
        f"outcome carried over from an identical value validated before: {_carried(f)}."
    ).replace("$", "")


def _html(value: str | None) -> str | None:
    """A check-frame value as GX's page shows it: GX writes values into the page as they
    are, so a shape's angle brackets (`<AA00>`) would read as a tag."""
    if value is None:
        return None
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _share(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def _outcome(expectation: dict[str, Any], f: dict[str, Any]) -> dict[str, Any]:
    counts: dict[str | None, int] = {}  # a component's rows may share the checked value
    for x in f["examples"]:
        counts[_html(x["value"])] = counts.get(_html(x["value"]), 0) + int(x["count"])
    examples = [{"value": v, "count": n} for v, n in counts.items()]
    meta = dict(expectation["meta"])
    meta["attributes"] = {
        "night": {
            "rows_checked": int(f["rows_checked"]),
            "rows_failed": int(f["rows_failed"]),
            "gx_tonight": _tonight(f),
            "carried_over": _carried(f),
        }
    }
    return {
        "success": f["rows_failed"] == 0,
        "expectation_config": {
            "type": expectation["type"],
            "kwargs": expectation["kwargs"],
            "meta": meta,
            "description": _description(expectation, f),
        },
        "result": {
            "element_count": int(f["rows_checked"]),
            "unexpected_count": int(f["rows_failed"]),
            "unexpected_percent": _share(f["rows_failed"], f["rows_checked"]),
            "unexpected_percent_total": _share(f["rows_failed"], f["rows_checked"]),
            "partial_unexpected_list": [x["value"] for x in examples],
            "partial_unexpected_counts": examples,
        },
        "meta": {},
        "exception_info": {
            "raised_exception": False,
            "exception_traceback": None,
            "exception_message": None,
        },
    }


def night_result(
    export: ExportFile,
    area_code: str,
    as_of: dt.date,
    per_expectation: list[dict[str, Any]],
    file_figures: dict[str, Any],
) -> dict[str, Any]:
    """The validation result (GX's JSON form) of the file's night (module doc)."""
    outcomes = [_outcome(e, f) for e, f in zip(expectations(export), per_expectation, strict=True)]
    passed = sum(o["success"] for o in outcomes)
    run_time = dt.datetime.combine(as_of, dt.time(), dt.UTC).isoformat()
    return {
        "success": passed == len(outcomes),
        "results": outcomes,
        "suite_name": export.name,
        "suite_parameters": {},
        "statistics": {
            "evaluated_expectations": len(outcomes),
            "successful_expectations": passed,
            "unsuccessful_expectations": len(outcomes) - passed,
            "success_percent": _share(passed, len(outcomes)),
        },
        "meta": {
            "great_expectations_version": gx_release(),
            "run_id": {"run_name": area_code, "run_time": run_time},
            "validation_time": run_time,
            "active_batch_definition": {
                "datasource_name": DATASOURCE,
                "data_connector_name": "fluent",
                "data_asset_name": export.name,
                "batch_identifiers": {"area_code": area_code, "export_date": as_of.isoformat()},
            },
            # GX names the data asset from batch_spec, and renders it and batch_markers
            # on the page ("Show more info")
            "batch_spec": {"data_asset_name": f"{area_code} {export.file_name}"},
            "batch_markers": file_figures,
        },
        "id": None,
    }


def file_figures(
    rows_in: int,
    misshapen: int,
    rows_quarantined: int,
    values_tonight: int,
    per_expectation: list[dict[str, Any]],
) -> dict[str, Any]:
    """The file's figures on its page: audit.runs' rows_in and rows_quarantined, and how
    the outcomes were come by."""
    firsts = [f["first_night"] for f in per_expectation if f["first_night"] is not None]
    lasts = [f["last_night"] for f in per_expectation if f["last_night"] is not None]
    return {
        "rows in the file (audit.runs rows_in)": rows_in,
        "rows quarantined (quarantine.rows)": rows_quarantined,
        "rows loaded": rows_in - rows_quarantined,
        "rows misshapen (field_count, not checked)": misshapen,
        "rows checked by each expectation": rows_in - misshapen,
        "values GX validated tonight": values_tonight,
        "outcomes carried over from nights": _nights(
            min(firsts, default=None), max(lasts, default=None)
        )
        or "none",
        "how": (
            "GX validated tonight only the values no earlier validation knew; every other "
            "value's outcome is the one GX gave the identical value before (the contract's "
            "values once per suite version, or an earlier night), applied to every row "
            "holding it. Each expectation's row counts cover every checked row."
        ),
    }


def write(out_dir: Path, export: ExportFile, result: dict[str, Any]) -> None:
    """Compact JSON: an indented dump takes Python's slow encoder (7x the time)."""
    path = Path(out_dir) / result_name(export)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(result, sort_keys=True), encoding="utf-8")
    partial.replace(path)
