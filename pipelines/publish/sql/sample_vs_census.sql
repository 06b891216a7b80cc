-- The sample's scores of a night beside the census's, per area and criterion
-- (question_id NULL) and question. diff_pts is sample minus census between
-- the one-decimal scores; census_in_interval says whether the unrounded
-- census score lies within the sample's Wilson interval (NULL when either
-- has nothing evaluated), so the sampling error is visible.
select
    sa.area_code,
    sa.criterion_id,
    sa.question_id,
    sa.met as sample_met,
    sa.evaluated as sample_evaluated,
    sa.pct as sample_pct,
    sa.ci_low as sample_ci_low,
    sa.ci_high as sample_ci_high,
    ce.met as census_met,
    ce.evaluated as census_evaluated,
    ce.pct as census_pct,
    round(sa.pct - ce.pct, 1) as diff_pts,
    100.0 * ce.met / nullif(ce.evaluated, 0)
    between sa.ci_low and sa.ci_high as census_in_interval
from marts.scorecard as sa
inner join marts.scorecard as ce
    on
        sa.as_of_date = ce.as_of_date
        and sa.area_code = ce.area_code
        and sa.criterion_id = ce.criterion_id
        and sa.question_id is not distinct from ce.question_id
where
    sa.as_of_date = $as_of
    and sa.scope = 'sample'
    and ce.scope = 'census'
order by sa.area_code asc, sa.criterion_id asc, sa.question_id asc nulls first
