-- B3.7 Offender involved in sentence planning. Cases with an initial plan;
-- evidence = the plan date, no due date. Reason: offender_not_involved.
select
    ip.area_code,
    ip.case_key,
    ip.event_number,
    'B3.7' as question_id,
    null::date as due_date,
    ip.plan_date as evidence_date,
    case when ip.offender_involved = 'Y' then 'MET' else 'NOT_MET' end as outcome,
    case when ip.offender_involved = 'Y' then null else 'offender_not_involved' end as reason
from stg_initial_plan as ip
