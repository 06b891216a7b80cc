-- B1.5 Reassessment after a significant incident. Incidents: SIAR/SICC/SIRC
-- contacts of the event dated in [start, horizon]; each is due by
-- WD(incident date, reassessment days) and met by any valid assessment of the
-- event completed in [incident date, due]. An incident counts once met or
-- overdue (due < as_of). MET: due = the latest counted due date, evidence =
-- the latest reassessment that met one. NOT_MET: due and reason of the first
-- missed incident, evidence blank. Reason: incident_missed:<incident date>.
with incidents as (
    select
        sc.area_code,
        sc.case_key,
        sc.event_number,
        ct.contact_id,
        ct.contact_date as incident_date,
        due_day.day as due_date
    from staging.contacts as ct
    inner join stg_cases as sc
        on
            ct.area_code = sc.area_code
            and ct.case_key = sc.case_key
            and ct.event_number = sc.event_number
    inner join ref.calendar as incident_day
        on ct.contact_date = incident_day.day
    inner join ref.calendar as due_day
        on
            due_day.is_working_day
            and due_day.working_day_seq = incident_day.working_day_seq + sc.reassessment_wd
    where
        ct.as_of_date = getvariable('as_of')
        and ct.contact_type in ('SIAR', 'SICC', 'SIRC')
        and ct.contact_date between sc.start_date and sc.horizon
),

answered as (
    select
        inc.area_code,
        inc.case_key,
        inc.event_number,
        inc.contact_id,
        inc.incident_date,
        inc.due_date,
        min(va.date_completed) as reassessed_on
    from incidents as inc
    left join stg_valid_assessments as va
        on
            inc.area_code = va.area_code
            and inc.case_key = va.case_key
            and inc.event_number = va.event_number
            and va.date_completed between inc.incident_date and inc.due_date
    group by all
),

counted as (
    select answered.*
    from answered
    where answered.reassessed_on is not null or answered.due_date < getvariable('as_of')
),

per_case as (
    select
        counted.area_code,
        counted.case_key,
        counted.event_number,
        bool_or(counted.reassessed_on is null) as any_missed,
        arg_min(counted.incident_date, (counted.incident_date, counted.contact_id)) filter (
            where counted.reassessed_on is null
        ) as first_missed_incident,
        arg_min(counted.due_date, (counted.incident_date, counted.contact_id)) filter (
            where counted.reassessed_on is null
        ) as first_missed_due,
        max(counted.due_date) as last_due,
        max(counted.reassessed_on) as last_reassessed
    from counted
    group by counted.area_code, counted.case_key, counted.event_number
)

select
    per_case.area_code,
    per_case.case_key,
    per_case.event_number,
    'B1.5' as question_id,
    case when per_case.any_missed then 'NOT_MET' else 'MET' end as outcome,
    case
        when per_case.any_missed then per_case.first_missed_due else per_case.last_due
    end as due_date,
    case when not per_case.any_missed then per_case.last_reassessed end as evidence_date,
    case
        when per_case.any_missed then 'incident_missed:' || per_case.first_missed_incident
    end as reason
from per_case
