create or replace table config.criterion_weights (
    rulebook_version varchar,
    criterion_id varchar,
    weight double
)
