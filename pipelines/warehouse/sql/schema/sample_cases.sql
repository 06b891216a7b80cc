-- the cases an inspection-style sample scores; stg_cases reads it when scope = 'sample'
create table if not exists marts.sample_cases (
    as_of_date date not null,
    area_code varchar not null,
    case_key varchar not null,
    event_number bigint not null
)
