create table if not exists marts.data_quality (
    as_of_date date not null,
    area_code varchar not null,
    scope varchar not null,
    rows_quarantined bigint not null,
    cases_touched bigint not null,
    cases_scored bigint not null,
    scored_cases_touched bigint not null
)
