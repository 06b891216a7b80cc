-- quarantine.rows: one record per failed rule of a row kept out of staging
create table if not exists quarantine.rows (
    as_of_date date not null,
    area_code varchar not null,
    file varchar not null,
    line bigint,
    case_key varchar,
    rule varchar not null,
    detail varchar
)
