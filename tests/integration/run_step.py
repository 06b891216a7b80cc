"""One step of a night in its own process, as a worker on another host would run it.

`python -m tests.integration.run_step STEP [PLAN_JSON [AREA]]`: STEP is plan, prepare,
ingest, load, docs, publish or outcome; locations and the secret come from the
environment (CASEAUDIT_*), as they do for an Airflow task. `plan` prints the plan.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

from pipelines.run import settings, steps


def main(step: str, plan_json: str = "", area: str = "") -> None:
    if step == "plan":
        as_of = dt.date.fromisoformat(plan_json)
        plan = steps.plan_night(
            settings.landing_dir(),
            as_of,
            work_root=settings.work_root(),
            warehouse_path=settings.warehouse_path(),
        )
        print(json.dumps(plan.to_dict()))
        return
    plan = steps.NightPlan.from_dict(json.loads(plan_json))
    if step == "prepare":
        steps.prepare_validation(plan.work_root)
    elif step == "ingest":
        print(steps.ingest_area(plan, settings.landing_dir(), area).status)
    elif step == "load":
        steps.load_night(plan, settings.warehouse_path())
    elif step == "docs":
        steps.build_data_docs(plan)
    elif step == "publish":
        steps.publish_night(plan, settings.warehouse_path(), settings.publish_dir())
    elif step == "outcome":
        steps.night_outcome(plan, steps.area_results(plan))
    else:
        raise SystemExit(f"unknown step {step}")


if __name__ == "__main__":
    main(*sys.argv[1:])
