create table if not exists marts.scorecard (
    as_of_date date not null,
    area_code varchar not null,
    scope varchar not null,
    criterion_id varchar not null,
    question_id varchar,
    met bigint not null,
    evaluated bigint not null,
    pct double,
    ci_low double,
    ci_high double,
    band varchar,
    rulebook_version varchar not null
)
