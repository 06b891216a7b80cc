"""Great Expectations runs: a suite over a check frame, failing rows named by `line`."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipelines.contract.exports import ExportFile
from pipelines.validate.suites import suite_path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["line"],
    "partial_unexpected_count": 20,
}
DATASOURCE = "caseaudit_ingest"


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
