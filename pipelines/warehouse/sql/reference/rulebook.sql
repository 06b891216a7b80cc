create or replace table config.rulebook (
    rulebook_version varchar,
    cohort_window_days integer,
    suppression_min_evaluated integer,
    contact_window_days integer,
    contact_level_tier integer,
    confidence_z double,
    quarantine_alert_share double
)
