-- Sentence plans of the night's cases dated on or before as_of, numbered in
-- the rulebook order (plan_date, plan_id) within each plan_type.
select
    sp.area_code,
    sp.case_key,
    sp.event_number,
    sp.plan_id,
    sp.plan_type,
    sp.plan_date,
    sp.offender_involved,
    sp.diversity_addressed,
    sp.multiagency_integrated,
    sp.progress_recorded,
    row_number() over (
        partition by sp.area_code, sp.case_key, sp.event_number, sp.plan_type
        order by sp.plan_date, sp.plan_id
    ) as order_in_type
from staging.sentence_plans as sp
inner join stg_cases as sc
    on
        sp.area_code = sc.area_code
        and sp.case_key = sc.case_key
        and sp.event_number = sc.event_number
where
    sp.as_of_date = getvariable('as_of')
    and sp.plan_date <= getvariable('as_of')
