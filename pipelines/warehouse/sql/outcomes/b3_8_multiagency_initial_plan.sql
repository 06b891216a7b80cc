-- B3.8 Multi-agency plans integrated in the initial plan. Cases with an
-- initial plan and a MAPP/RCPR/RCCO registration of the crn active on its
-- plan_date; evidence = the plan date, no due date.
-- Reason: multiagency_not_integrated.
select
    ip.area_code,
    ip.case_key,
    ip.event_number,
    'B3.8' as question_id,
    null::date as due_date,
    ip.plan_date as evidence_date,
    case when ip.multiagency_integrated = 'Y' then 'MET' else 'NOT_MET' end as outcome,
    case when ip.multiagency_integrated = 'Y' then null else 'multiagency_not_integrated' end
        as reason
from stg_initial_plan as ip
where exists (
    select 1
    from stg_registrations as rg
    where
        rg.area_code = ip.area_code
        and rg.case_key = ip.case_key
        and rg.is_multiagency
        and rg.registration_date <= ip.plan_date
        and (rg.deregistration_date is null or rg.deregistration_date > ip.plan_date)
)
