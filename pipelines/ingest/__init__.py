"""Ingest: one area's landing folder of a night -> its work folder; never the warehouse.

landing (the layout and manifest) -> files (the file gate, records) -> typed
(typed rows, case keys) -> checks (the check frame) -> validation
(pipelines/validate) -> quarantine -> area (the whole of one area, and its
staging Parquet).
"""
