-- the published scorecard of the night (suppressed rows without counts or scores),
-- from which the public benchmark is computed
create or replace temp table public_scorecard as
select
    as_of_date,
    area_code,
    scope,
    criterion_id,
    question_id,
    met,
    evaluated,
    pct,
    ci_low,
    ci_high,
    band,
    rulebook_version
from public_scorecard_frame
