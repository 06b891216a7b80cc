-- one row of the run log: a file of an area (file NULL for an area with no file loaded)
insert into audit.runs (
    run_id, as_of_date, area_code, status, started_at, finished_at, file, rows_in,
    rows_loaded, rows_quarantined, sha256, message, key_fingerprint
)
values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
