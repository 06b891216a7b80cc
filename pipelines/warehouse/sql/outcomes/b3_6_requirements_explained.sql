-- B3.6 Offender understood the requirements. Every case; due = WD(start,
-- first contact days); evidence = the earliest attended COAI of the event
-- dated in [start, due]. Reasons: late:<n>wd (the first attended COAI came
-- after the deadline; its date is the evidence) | not_attended (a COAI in
-- the window was not attended) | missing.
with inductions as (
    select
        sc.area_code,
        sc.case_key,
        sc.event_number,
        min(ct.contact_date) filter (
            where ct.attended = 'Y' and ct.contact_date <= sc.first_contact_due
        ) as attended_in_time,
        min(ct.contact_date) filter (
            where ct.attended = 'Y' and ct.contact_date > sc.first_contact_due
        ) as attended_late,
        bool_or(ct.attended is distinct from 'Y' and ct.contact_date <= sc.first_contact_due)
            as unattended_in_time
    from staging.contacts as ct
    inner join stg_cases as sc
        on
            ct.area_code = sc.area_code
            and ct.case_key = sc.case_key
            and ct.event_number = sc.event_number
    where
        ct.as_of_date = getvariable('as_of')
        and ct.contact_type = 'COAI'
        and ct.contact_date between sc.start_date and getvariable('as_of')
    group by sc.area_code, sc.case_key, sc.event_number
),

judged as (
    select
        sc.area_code,
        sc.case_key,
        sc.event_number,
        sc.first_contact_due,
        ind.attended_in_time,
        ind.attended_late,
        case
            when ind.attended_in_time is not null then 'MET'
            when sc.first_contact_due < getvariable('as_of') then 'NOT_MET'
            else 'NOT_DUE'
        end as outcome,
        case
            when ind.attended_late is not null then 'late'
            when ind.unattended_in_time then 'not_attended'
            else 'missing'
        end as failure
    from stg_cases as sc
    left join inductions as ind
        on
            sc.area_code = ind.area_code
            and sc.case_key = ind.case_key
            and sc.event_number = ind.event_number
)

select
    judged.area_code,
    judged.case_key,
    judged.event_number,
    'B3.6' as question_id,
    judged.outcome,
    judged.first_contact_due as due_date,
    case
        when judged.outcome = 'MET' then judged.attended_in_time
        when judged.outcome = 'NOT_MET' then judged.attended_late
    end as evidence_date,
    case
        when judged.outcome != 'NOT_MET' then null
        when judged.failure = 'late'
            then 'late:' || (late_day.working_day_seq - due_day.working_day_seq) || 'wd'
        else judged.failure
    end as reason
from judged
inner join ref.calendar as due_day
    on judged.first_contact_due = due_day.day
left join ref.calendar as late_day
    on judged.attended_late = late_day.day
