-- B1.1 RoH assessment at start timely and of sufficient quality.
-- Every case; due = WD(start, initial assessment days); evidence = the initial
-- assessment's date_completed. Reasons: missing | late:<n>wd (working days
-- after the deadline) | insufficient:<part>[,<part>]; several joined by ';'.
select
    sc.area_code,
    sc.case_key,
    sc.event_number,
    'B1.1' as question_id,
    sc.assessment_due as due_date,
    ia.date_completed as evidence_date,
    case
        when ia.date_completed is null
            then
                case
                    when sc.assessment_due < getvariable('as_of') then 'NOT_MET' else 'NOT_DUE'
                end
        when ia.date_completed <= sc.assessment_due and ia.missing_parts is null then 'MET'
        else 'NOT_MET'
    end as outcome,
    case
        when ia.date_completed is null
            then case when sc.assessment_due < getvariable('as_of') then 'missing' end
        else nullif(
            concat_ws(
                ';',
                case
                    when ia.date_completed > sc.assessment_due
                        then
                            'late:'
                            || (done_day.working_day_seq - due_day.working_day_seq)
                            || 'wd'
                end,
                'insufficient:' || ia.missing_parts
            ),
            ''
        )
    end as reason
from stg_cases as sc
inner join ref.calendar as due_day
    on sc.assessment_due = due_day.day
left join stg_initial_assessment as ia
    on
        sc.area_code = ia.area_code
        and sc.case_key = ia.case_key
        and sc.event_number = ia.event_number
left join ref.calendar as done_day
    on ia.date_completed = done_day.day
