-- marts.scorecard: per area of the night, one row per question and one per
-- criterion (question_id NULL), even when nothing is evaluated. Criterion
-- counts pool their questions. pct = MET / (MET + NOT_MET) in percent to one
-- decimal; 95% Wilson interval in percent (z from config, unrounded); band =
-- the highest config.bands min_pct the pct reaches.
with areas as (
    select distinct ev.area_code
    from staging.events as ev
    where ev.as_of_date = getvariable('as_of')
),

night_outcomes as (
    select
        co.area_code,
        co.question_id,
        count(*) filter (where co.outcome = 'MET') as met,
        count(*) filter (where co.outcome in ('MET', 'NOT_MET')) as evaluated
    from marts.case_outcomes as co
    where co.as_of_date = getvariable('as_of') and co.scope = getvariable('scope')
    group by co.area_code, co.question_id
),

question_counts as (
    select
        ar.area_code,
        qu.criterion_id,
        qu.question_id,
        coalesce(nq.met, 0) as met,
        coalesce(nq.evaluated, 0) as evaluated
    from areas as ar
    cross join config.questions as qu
    left join night_outcomes as nq
        on ar.area_code = nq.area_code and qu.question_id = nq.question_id
),

counts as (
    select
        qc.area_code,
        qc.criterion_id,
        qc.question_id,
        qc.met,
        qc.evaluated
    from question_counts as qc
    union all
    select
        qc.area_code,
        qc.criterion_id,
        null as question_id,
        sum(qc.met) as met,
        sum(qc.evaluated) as evaluated
    from question_counts as qc
    group by qc.area_code, qc.criterion_id
),

scored as (
    select
        counts.*,
        rb.rulebook_version,
        rb.confidence_z as z,
        counts.met / nullif(counts.evaluated, 0) as p,
        case
            when counts.evaluated > 0 then round(100.0 * counts.met / counts.evaluated, 1)
        end as pct
    from counts
    cross join config.rulebook as rb
),

with_interval as (
    select
        scored.*,
        (scored.p + scored.z * scored.z / (2 * scored.evaluated))
        / (1 + scored.z * scored.z / scored.evaluated) as centre,
        scored.z
        * sqrt(
            scored.p * (1 - scored.p) / scored.evaluated
            + scored.z * scored.z / (4 * scored.evaluated * scored.evaluated)
        )
        / (1 + scored.z * scored.z / scored.evaluated) as half_width
    from scored
)

select
    wi.area_code,
    wi.criterion_id,
    wi.question_id,
    wi.met,
    wi.evaluated,
    wi.pct,
    wi.rulebook_version,
    case when wi.evaluated > 0 then 100 * greatest(wi.centre - wi.half_width, 0) end as ci_low,
    case when wi.evaluated > 0 then 100 * least(wi.centre + wi.half_width, 1) end as ci_high,
    getvariable('as_of') as as_of_date,
    getvariable('scope') as scope,
    (
        select arg_max(bd.band, bd.min_pct)
        from config.bands as bd
        where bd.min_pct <= wi.pct
    ) as band
from with_interval as wi
