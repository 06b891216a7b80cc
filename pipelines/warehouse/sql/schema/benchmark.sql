create table if not exists marts.benchmark (
    as_of_date date not null,
    scope varchar not null,
    criterion_id varchar not null,
    question_id varchar,
    area_code varchar not null,
    region varchar not null,
    pct double,
    region_pct double,
    national_pct double,
    rank_in_region bigint,
    rank_national bigint,
    diff_region_pts double,
    diff_national_pts double,
    flag varchar,
    composite_score double,
    composite_rank bigint,
    rulebook_version varchar not null
)
