"""Run: the steps of a night that the DAGs and the command line both call.

steps (plan, validate the contract's values, ingest an area, load, Data Docs,
publish, outcome), local (where `caseaudit run` runs them), airflow (task
context and Asset helpers), warm_executor (a LocalExecutor that forks warm),
settings (paths and the case-key secret from the environment).
"""
