-- the area's quarantine records of the night, as quarantine.rows holds them
create temp table quarantine (
    as_of_date date,
    area_code varchar,
    file varchar,
    line bigint,
    case_key varchar,
    rule varchar,
    detail varchar
)
