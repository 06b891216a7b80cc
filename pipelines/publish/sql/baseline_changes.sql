-- each area's change per criterion and question since a baseline night, with the
-- two-proportion z statistic (pooled p of both nights; NULL when p is 0 or 1 or a
-- night evaluated nothing)
with now as (
    select *
    from marts.scorecard
    where as_of_date = $as_of and scope = $scope
),

base as (
    select *
    from marts.scorecard
    where as_of_date = $base and scope = $scope
),

pairs as (
    select
        base.met as baseline_met,
        base.evaluated as baseline_evaluated,
        base.pct as baseline_pct,
        now.met as current_met,
        now.evaluated as current_evaluated,
        now.pct as current_pct,
        coalesce(now.area_code, base.area_code) as area_code,
        coalesce(now.criterion_id, base.criterion_id) as criterion_id,
        coalesce(now.question_id, base.question_id) as question_id
    from now
    full outer join base
        on
            now.area_code = base.area_code
            and now.criterion_id = base.criterion_id
            and now.question_id is not distinct from base.question_id
),

tested as (
    select
        pairs.*,
        (pairs.baseline_met + pairs.current_met)
        / (pairs.baseline_evaluated + pairs.current_evaluated) as p
    from pairs
)

select
    area_code,
    criterion_id,
    question_id,
    baseline_met,
    baseline_evaluated,
    baseline_pct,
    current_met,
    current_evaluated,
    current_pct,
    $as_of as as_of_date,
    $base as baseline_as_of_date,
    round(current_pct - baseline_pct, 1) as change_pts,
    case
        when p > 0 and p < 1
            then
                (current_met / current_evaluated - baseline_met / baseline_evaluated)
                / sqrt(p * (1 - p) * (1 / baseline_evaluated + 1 / current_evaluated))
    end as z
from tested
order by area_code, criterion_id, question_id nulls first
