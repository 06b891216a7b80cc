create or replace table ref.areas (
    area_code varchar primary key,
    area_name varchar,
    region varchar,
    population_millions double
)
