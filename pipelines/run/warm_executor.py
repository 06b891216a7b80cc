"""A LocalExecutor whose task processes start with the ingest libraries already imported.

Airflow forks every task process from an executor worker. An ingest task that
imports Great Expectations, DuckDB and pyarrow itself spends 3 to 5 s doing so,
as long as a small area's whole ingest; importing them once in the executor,
before it forks its workers, lets every task inherit them. Each task's DuckDB
also inherits its share of the cores (ingest.typed.share_cores over the executor's
parallelism), as `caseaudit run`'s worker processes have. Select it with
AIRFLOW__CORE__EXECUTOR=pipelines.run.warm_executor.WarmLocalExecutor.
"""

from __future__ import annotations

from airflow.executors.local_executor import LocalExecutor


class WarmLocalExecutor(LocalExecutor):
    """LocalExecutor with pipelines.ingest and Great Expectations imported, and the cores
    shared among its parallel tasks, before forking."""

    def start(self) -> None:
        import great_expectations  # noqa: F401
        from great_expectations.data_context.types import base  # noqa: F401

        from pipelines.ingest import typed
        from pipelines.run import steps  # noqa: F401

        typed.share_cores(self.parallelism)
        super().start()
