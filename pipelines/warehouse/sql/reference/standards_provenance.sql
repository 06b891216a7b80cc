create or replace table config.standards_provenance (
    rulebook_version varchar,
    edition varchar,
    parameter varchar,
    provenance varchar
)
