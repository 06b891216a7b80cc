-- marts.benchmark: each area's score of the night beside its region and the
-- nation, per criterion (question_id NULL) and per question.
-- region_pct / national_pct pool the counts (sum met / sum evaluated) of the
-- areas scored that night. Ranks: 1 = highest pct, ties share the lower
-- number (RANK), NULL pct unranked. Diffs in points between the one-decimal
-- scores. flag compares the area's Wilson interval with the unrounded
-- national score: wholly above, wholly below, else similar.
-- The scorecard it reads is the template variable `scorecard`: marts.scorecard,
-- or the published (suppressed) one, from which pipelines/publish computes the
-- public benchmark so that no pool or rank gives a suppressed score away.
-- composite_score: weighted mean (config.criterion_weights) of the area's
-- criterion pcts, over the criteria with at least the suppression threshold
-- evaluated (weights renormalised over them), so a league place never rests
-- on a handful of cases nor on a score the published files suppress; NULL
-- when no criterion qualifies, and then unranked.
with night as (
    select
        sc.area_code,
        ar.region,
        sc.criterion_id,
        sc.question_id,
        sc.met,
        sc.evaluated,
        sc.pct,
        sc.ci_low,
        sc.ci_high,
        sc.rulebook_version
    from {{ scorecard }} as sc
    inner join ref.areas as ar on sc.area_code = ar.area_code
    where sc.as_of_date = getvariable('as_of') and sc.scope = getvariable('scope')
),

pooled as (
    select
        nt.*,
        sum(nt.met) over (
            partition by nt.criterion_id, nt.question_id, nt.region
        ) as region_met,
        sum(nt.evaluated) over (
            partition by nt.criterion_id, nt.question_id, nt.region
        ) as region_evaluated,
        sum(nt.met) over (partition by nt.criterion_id, nt.question_id) as national_met,
        sum(nt.evaluated) over (
            partition by nt.criterion_id, nt.question_id
        ) as national_evaluated
    from night as nt
),

compared as (
    select
        po.*,
        round(100.0 * po.region_met / nullif(po.region_evaluated, 0), 1) as region_pct,
        round(100.0 * po.national_met / nullif(po.national_evaluated, 0), 1) as national_pct,
        100.0 * po.national_met / nullif(po.national_evaluated, 0) as national_exact,
        case
            when po.pct is not null
                then rank() over (
                    partition by po.criterion_id, po.question_id, po.region
                    order by po.pct desc nulls last
                )
        end as rank_in_region,
        case
            when po.pct is not null
                then rank() over (
                    partition by po.criterion_id, po.question_id
                    order by po.pct desc nulls last
                )
        end as rank_national
    from pooled as po
),

composite as (
    select
        nt.area_code,
        round(sum(cw.weight * nt.pct) / nullif(sum(cw.weight), 0), 1) as composite_score
    from night as nt
    inner join config.criterion_weights as cw
        on nt.criterion_id = cw.criterion_id and nt.rulebook_version = cw.rulebook_version
    cross join config.rulebook as rb
    where
        nt.question_id is null
        and nt.pct is not null
        and nt.evaluated >= rb.suppression_min_evaluated
    group by nt.area_code
),

league as (
    select
        cm.area_code,
        cm.composite_score,
        case
            when cm.composite_score is not null
                then rank() over (order by cm.composite_score desc nulls last)
        end as composite_rank
    from composite as cm
)

select
    co.criterion_id,
    co.question_id,
    co.area_code,
    co.region,
    co.pct,
    co.region_pct,
    co.national_pct,
    co.rank_in_region,
    co.rank_national,
    lg.composite_score,
    lg.composite_rank,
    co.rulebook_version,
    getvariable('as_of') as as_of_date,
    getvariable('scope') as scope,
    round(co.pct - co.region_pct, 1) as diff_region_pts,
    round(co.pct - co.national_pct, 1) as diff_national_pts,
    case
        when co.pct is null then null
        when co.ci_low > co.national_exact then 'above'
        when co.ci_high < co.national_exact then 'below'
        else 'similar'
    end as flag
from compared as co
left join league as lg on co.area_code = lg.area_code
