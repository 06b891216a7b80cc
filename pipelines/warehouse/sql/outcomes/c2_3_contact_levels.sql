-- C2.3 Contact levels in the first 16 weeks. Cases of the configured tier
-- whose window [start, start + contact_window_days) closed before the
-- horizon; counts attended national-standard contacts of any type in it.
-- due = the window's end (exclusive); evidence = the date the level was
-- reached (MET). Reason: below_level:<count>/<level>.
with windows as (
    select
        sc.area_code,
        sc.case_key,
        sc.event_number,
        sc.start_date,
        sc.contact_level,
        sc.start_date + rb.contact_window_days as window_end
    from stg_cases as sc
    cross join config.rulebook as rb
    where
        sc.tier = rb.contact_level_tier
        and sc.start_date + rb.contact_window_days < sc.horizon
),

counted as (
    select
        wn.area_code,
        wn.case_key,
        wn.event_number,
        ct.contact_date,
        row_number() over (
            partition by wn.area_code, wn.case_key, wn.event_number
            order by ct.contact_date, ct.contact_id
        ) as nth
    from windows as wn
    inner join staging.contacts as ct
        on
            wn.area_code = ct.area_code
            and wn.case_key = ct.case_key
            and wn.event_number = ct.event_number
    where
        ct.as_of_date = getvariable('as_of')
        and ct.attended = 'Y'
        and ct.ns_contact = 'Y'
        and ct.contact_date >= wn.start_date
        and ct.contact_date < wn.window_end
),

per_case as (
    select
        wn.area_code,
        wn.case_key,
        wn.event_number,
        wn.window_end,
        wn.contact_level,
        count(cn.nth) as contacts,
        min(cn.contact_date) filter (where cn.nth = wn.contact_level) as level_reached_on
    from windows as wn
    left join counted as cn
        on
            wn.area_code = cn.area_code
            and wn.case_key = cn.case_key
            and wn.event_number = cn.event_number
    group by all
)

select
    per_case.area_code,
    per_case.case_key,
    per_case.event_number,
    'C2.3' as question_id,
    per_case.window_end as due_date,
    per_case.level_reached_on as evidence_date,
    case when per_case.contacts >= per_case.contact_level then 'MET' else 'NOT_MET' end
        as outcome,
    case
        when per_case.contacts < per_case.contact_level
            then 'below_level:' || per_case.contacts || '/' || per_case.contact_level
    end as reason
from per_case
