-- B1.6 Risk management plan for high RoH cases. Cases whose initial
-- assessment rosh_level is H or V; due = the B1.1 deadline, evidence = that
-- assessment's date_completed. Reasons: late:<n>wd | no_rmp; joined by ';'.
select
    sc.area_code,
    sc.case_key,
    sc.event_number,
    'B1.6' as question_id,
    sc.assessment_due as due_date,
    ia.date_completed as evidence_date,
    case
        when ia.rmp = 'Y' and ia.date_completed <= sc.assessment_due then 'MET' else 'NOT_MET'
    end as outcome,
    nullif(
        concat_ws(
            ';',
            case
                when ia.date_completed > sc.assessment_due
                    then 'late:' || (done_day.working_day_seq - due_day.working_day_seq) || 'wd'
            end,
            case when ia.rmp is distinct from 'Y' then 'no_rmp' end
        ),
        ''
    ) as reason
from stg_cases as sc
inner join stg_initial_assessment as ia
    on
        sc.area_code = ia.area_code
        and sc.case_key = ia.case_key
        and sc.event_number = ia.event_number
inner join ref.calendar as due_day
    on sc.assessment_due = due_day.day
inner join ref.calendar as done_day
    on ia.date_completed = done_day.day
where ia.rosh_level in ('H', 'V')
