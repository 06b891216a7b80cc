-- B3.5 Diversity issues identified in the plan. Cases with diversity_needs
-- and an initial plan; evidence = the plan date, no due date.
-- Reason: diversity_not_addressed.
select
    ip.area_code,
    ip.case_key,
    ip.event_number,
    'B3.5' as question_id,
    null::date as due_date,
    ip.plan_date as evidence_date,
    case when ip.diversity_addressed = 'Y' then 'MET' else 'NOT_MET' end as outcome,
    case when ip.diversity_addressed = 'Y' then null else 'diversity_not_addressed' end as reason
from stg_initial_plan as ip
inner join stg_cases as sc
    on
        ip.area_code = sc.area_code
        and ip.case_key = sc.case_key
        and ip.event_number = sc.event_number
where len(coalesce(sc.diversity_needs, [])) > 0
