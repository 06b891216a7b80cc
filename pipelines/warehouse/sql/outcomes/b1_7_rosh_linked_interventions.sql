-- B1.7 Assessed RoH linked to planned interventions. Cases whose initial
-- assessment rosh_level is M, H or V and that have an initial plan;
-- evidence = the plan date, no due date. Reason: no_rosh_objective.
select
    ia.area_code,
    ia.case_key,
    ia.event_number,
    'B1.7' as question_id,
    null::date as due_date,
    ip.plan_date as evidence_date,
    case when ip.any_addresses_rosh then 'MET' else 'NOT_MET' end as outcome,
    case when not ip.any_addresses_rosh then 'no_rosh_objective' end as reason
from stg_initial_assessment as ia
inner join stg_initial_plan as ip
    on
        ia.area_code = ip.area_code
        and ia.case_key = ip.case_key
        and ia.event_number = ip.event_number
where ia.rosh_level in ('M', 'H', 'V')
