-- how each night's sample was drawn, so its report can say so; one row per as_of_date
create table if not exists marts.sample_draws (
    as_of_date date not null,
    window_start date not null,
    window_end date not null,
    size bigint not null,
    min_high_rosh bigint not null,
    seed bigint not null,
    drawn bigint not null,
    rulebook_version varchar not null
)
