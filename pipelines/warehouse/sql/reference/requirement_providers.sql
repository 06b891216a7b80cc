-- rulebook B3.4: requirements delivered by other workers, and who delivers them
create or replace table ref.requirement_providers (
    requirement varchar primary key,
    provider varchar
)
