create or replace table config.editions (
    rulebook_version varchar,
    edition varchar,
    starts_on date,
    ends_before date
)
