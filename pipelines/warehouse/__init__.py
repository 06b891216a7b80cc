"""The warehouse: one DuckDB file, written by one writer, one transaction per night.

connection (open, wait for the lock, transactions), schema (the tables),
reference (ref.* and config.*), models (the SQL of sql/: staging -> outcomes
-> marts), sample (the inspection sample), writer (every write).
"""
