"""The Airflow DAG files: wiring over pipelines.run only (an import-linter contract)."""
