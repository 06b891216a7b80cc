create or replace table config.bands (
    rulebook_version varchar,
    band varchar,
    min_pct double
)
