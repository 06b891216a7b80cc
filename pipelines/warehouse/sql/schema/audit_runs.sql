-- audit.runs: the append-only run log, one row per file per area per run
create table if not exists audit.runs (
    run_id varchar not null,
    as_of_date date not null,
    area_code varchar not null,
    status varchar not null,
    started_at timestamp,
    finished_at timestamp,
    file varchar,
    rows_in bigint,
    rows_loaded bigint,
    rows_quarantined bigint,
    sha256 varchar,
    message varchar,
    key_fingerprint varchar
)
