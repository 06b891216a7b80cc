-- audit.latest_runs: the run log's rows of each area's latest run of each night; a
-- rerun of a night supersedes what earlier runs recorded for its areas
create or replace view audit.latest_runs as
select
    run_id,
    as_of_date,
    area_code,
    status,
    started_at,
    finished_at,
    file,
    rows_in,
    rows_loaded,
    rows_quarantined,
    sha256,
    message,
    key_fingerprint
from audit.runs
qualify finished_at is not distinct from max(finished_at) over (
    partition by as_of_date, area_code
)
