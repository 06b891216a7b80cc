-- C2.1 Sentence plan reviews timely and recording progress. The chain is the
-- initial plan and the review plans dated on or after it, in order; chain
-- rule as B1.4 with the plan dates. Applies once the first link is due.
-- MET: due = the last due date checked, evidence = the plan that met it.
-- NOT_MET: due = the first missed due date (else the last checked), evidence
-- = the next plan (late) or blank. Reasons: review_missed:<due date> |
-- progress_not_recorded:<review plan date> (first such); joined by ';'.
with chain as (
    select
        pl.area_code,
        pl.case_key,
        pl.event_number,
        pl.plan_type,
        pl.plan_date,
        pl.progress_recorded,
        sc.horizon,
        row_number() over (
            partition by pl.area_code, pl.case_key, pl.event_number
            order by pl.plan_date, pl.plan_id
        ) as link,
        case
            when sc.review_interval_days is not null
                then pl.plan_date + sc.review_interval_days
            else (pl.plan_date + to_months(sc.review_interval_months))::date
        end as next_due
    from stg_plans as pl
    inner join stg_initial_plan as ip
        on
            pl.area_code = ip.area_code
            and pl.case_key = ip.case_key
            and pl.event_number = ip.event_number
    inner join stg_cases as sc
        on
            pl.area_code = sc.area_code
            and pl.case_key = sc.case_key
            and pl.event_number = sc.event_number
    where
        (pl.plan_type = 'REVIEW' and pl.plan_date >= ip.plan_date)
        or pl.plan_id = ip.plan_id
),

linked as (
    select
        chain.*,
        lead(chain.plan_date) over (
            partition by chain.area_code, chain.case_key, chain.event_number
            order by chain.link
        ) as next_done
    from chain
),

checked as (
    select
        linked.*,
        linked.next_due < linked.horizon as is_due,
        linked.next_due < linked.horizon
        and (linked.next_done is null or linked.next_done > linked.next_due) as missed
    from linked
),

per_case as (
    select
        checked.area_code,
        checked.case_key,
        checked.event_number,
        bool_or(checked.is_due) as applies,
        arg_min(checked.next_due, checked.link) filter (where checked.missed)
            as first_missed_due,
        arg_min_null(checked.next_done, checked.link) filter (where checked.missed)
            as first_missed_done,
        arg_max(checked.next_due, checked.link) filter (where checked.is_due) as last_due,
        arg_max(checked.next_done, checked.link) filter (where checked.is_due) as last_done,
        min(checked.plan_date) filter (
            where checked.plan_type = 'REVIEW' and checked.progress_recorded is distinct from 'Y'
        ) as first_unrecorded
    from checked
    group by checked.area_code, checked.case_key, checked.event_number
),

judged as (
    select
        per_case.*,
        nullif(
            concat_ws(
                ';',
                'review_missed:' || per_case.first_missed_due,
                'progress_not_recorded:' || per_case.first_unrecorded
            ),
            ''
        ) as reason
    from per_case
    where per_case.applies
)

select
    judged.area_code,
    judged.case_key,
    judged.event_number,
    'C2.1' as question_id,
    judged.reason,
    case when judged.reason is null then 'MET' else 'NOT_MET' end as outcome,
    coalesce(judged.first_missed_due, judged.last_due) as due_date,
    case
        when judged.first_missed_due is not null then judged.first_missed_done
        else judged.last_done
    end as evidence_date
from judged
