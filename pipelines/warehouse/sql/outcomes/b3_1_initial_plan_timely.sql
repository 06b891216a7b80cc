-- B3.1 Initial sentence plan met national standards for timing and content.
-- Every case; due = WD(start, sentence plan days); evidence = the initial
-- plan's plan_date. Reasons: missing | late:<n>wd |
-- insufficient:<part>[,<part>] (no_objectives, intervention, who_does_work,
-- progress_measure); several joined by ';'.
select
    sc.area_code,
    sc.case_key,
    sc.event_number,
    'B3.1' as question_id,
    sc.plan_due as due_date,
    ip.plan_date as evidence_date,
    case
        when ip.plan_date is null
            then case when sc.plan_due < getvariable('as_of') then 'NOT_MET' else 'NOT_DUE' end
        when ip.plan_date <= sc.plan_due and ip.missing_parts is null then 'MET'
        else 'NOT_MET'
    end as outcome,
    case
        when ip.plan_date is null
            then case when sc.plan_due < getvariable('as_of') then 'missing' end
        else nullif(
            concat_ws(
                ';',
                case
                    when ip.plan_date > sc.plan_due
                        then
                            'late:'
                            || (plan_day.working_day_seq - due_day.working_day_seq)
                            || 'wd'
                end,
                'insufficient:' || ip.missing_parts
            ),
            ''
        )
    end as reason
from stg_cases as sc
inner join ref.calendar as due_day
    on sc.plan_due = due_day.day
left join stg_initial_plan as ip
    on
        sc.area_code = ip.area_code
        and sc.case_key = ip.case_key
        and sc.event_number = ip.event_number
left join ref.calendar as plan_day
    on ip.plan_date = plan_day.day
