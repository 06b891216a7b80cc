-- The cases of the night (rulebook Terms "Case"): CO/SSO/LIC events, not
-- unpaid-work-only, supervision start within the cohort window, with the
-- edition's standards for their tier and the derived deadlines.
-- In scope 'sample' only the cases listed in marts.sample_cases are kept.
with night_events as (
    select
        ev.area_code,
        ev.case_key,
        ev.event_number,
        ev.tier,
        ev.requirements,
        ev.diversity_needs,
        case
            when ev.sentence_type = 'LIC' then ev.release_date else ev.sentence_date
        end as start_date,
        -- a termination after as_of is read as blank
        case
            when ev.termination_date <= getvariable('as_of') then ev.termination_date
        end as termination_date
    from staging.events as ev
    where
        ev.as_of_date = getvariable('as_of')
        and ev.sentence_type in ('CO', 'SSO', 'LIC')
        and coalesce(ev.requirements, []) != ['UPW']
),

in_scope as (
    select night_events.*
    from night_events
    cross join config.rulebook as rb
    where
        night_events.start_date
        between getvariable('as_of') - rb.cohort_window_days and getvariable('as_of')
        and (
            getvariable('scope') != 'sample'
            or exists (
                select 1
                from marts.sample_cases as sc
                where
                    sc.as_of_date = getvariable('as_of')
                    and sc.area_code = night_events.area_code
                    and sc.case_key = night_events.case_key
                    and sc.event_number = night_events.event_number
            )
        )
)

select
    ins.area_code,
    ins.case_key,
    ins.event_number,
    ins.tier,
    ins.requirements,
    ins.diversity_needs,
    ins.start_date,
    ins.termination_date,
    ed.edition,
    st.review_interval_days,
    st.review_interval_months,
    st.reassessment_wd,
    st.contact_level,
    ia_due.day as assessment_due,
    plan_due.day as plan_due,
    contact_due.day as first_contact_due,
    least(getvariable('as_of'), ins.termination_date) as horizon
from in_scope as ins
inner join config.editions as ed
    on ins.start_date >= ed.starts_on and ins.start_date < ed.ends_before
inner join config.standards as st
    on ed.edition = st.edition and ins.tier = st.tier
inner join ref.calendar as start_day
    on ins.start_date = start_day.day
inner join ref.calendar as ia_due
    on
        ia_due.is_working_day
        and ia_due.working_day_seq = start_day.working_day_seq + st.initial_assessment_wd
inner join ref.calendar as plan_due
    on
        plan_due.is_working_day
        and plan_due.working_day_seq = start_day.working_day_seq + st.initial_plan_wd
inner join ref.calendar as contact_due
    on
        contact_due.is_working_day
        and contact_due.working_day_seq = start_day.working_day_seq + st.first_contact_wd
