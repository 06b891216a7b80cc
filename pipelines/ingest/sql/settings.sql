-- the area's DuckDB: no progress bar in task logs
set enable_progress_bar = false
