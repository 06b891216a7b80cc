-- B3.2 Initial sentence plan content sufficient, timing aside. Every case;
-- due = the B3.1 deadline (only decides NOT_DUE vs missing); evidence = the
-- initial plan's plan_date. Reasons: missing | insufficient:<part>[,<part>].
select
    sc.area_code,
    sc.case_key,
    sc.event_number,
    'B3.2' as question_id,
    sc.plan_due as due_date,
    ip.plan_date as evidence_date,
    case
        when ip.plan_date is null
            then case when sc.plan_due < getvariable('as_of') then 'NOT_MET' else 'NOT_DUE' end
        when ip.missing_parts is null then 'MET'
        else 'NOT_MET'
    end as outcome,
    case
        when ip.plan_date is null
            then case when sc.plan_due < getvariable('as_of') then 'missing' end
        else 'insufficient:' || ip.missing_parts
    end as reason
from stg_cases as sc
left join stg_initial_plan as ip
    on
        sc.area_code = ip.area_code
        and sc.case_key = ip.case_key
        and sc.event_number = ip.event_number
