-- B1.2 Content of the initial RoH assessment appropriate, timing aside.
-- Every case; due = the B1.1 deadline (only decides NOT_DUE vs missing);
-- evidence = the initial assessment's date_completed.
-- Reasons: missing | insufficient:<part>[,<part>].
select
    sc.area_code,
    sc.case_key,
    sc.event_number,
    'B1.2' as question_id,
    sc.assessment_due as due_date,
    ia.date_completed as evidence_date,
    case
        when ia.date_completed is null
            then
                case
                    when sc.assessment_due < getvariable('as_of') then 'NOT_MET' else 'NOT_DUE'
                end
        when ia.missing_parts is null then 'MET'
        else 'NOT_MET'
    end as outcome,
    case
        when ia.date_completed is null
            then case when sc.assessment_due < getvariable('as_of') then 'missing' end
        else 'insufficient:' || ia.missing_parts
    end as reason
from stg_cases as sc
left join stg_initial_assessment as ia
    on
        sc.area_code = ia.area_code
        and sc.case_key = ia.case_key
        and sc.event_number = ia.event_number
