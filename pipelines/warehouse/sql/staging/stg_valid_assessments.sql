-- Valid assessments of the night's cases (rulebook Terms): not voided by
-- as_of, COMPLETE or SIGNED, completed on or before as_of; numbered in the
-- rulebook order (date_completed, oasys_set_pk).
select
    oa.area_code,
    oa.case_key,
    oa.event_number,
    oa.oasys_set_pk,
    oa.purpose_code,
    oa.date_completed,
    oa.rosh_level,
    oa.risk_grid_max,
    oa.rosh_screening,
    oa.rosh_summary,
    oa.full_analysis,
    oa.rmp,
    row_number() over (
        partition by oa.area_code, oa.case_key, oa.event_number
        order by oa.date_completed, oa.oasys_set_pk
    ) as order_in_event,
    row_number() over (
        partition by oa.area_code, oa.case_key, oa.event_number
        order by oa.date_completed desc, oa.oasys_set_pk desc
    ) as order_from_latest
from staging.oasys_assessments as oa
inner join stg_cases as sc
    on
        oa.area_code = sc.area_code
        and oa.case_key = sc.case_key
        and oa.event_number = sc.event_number
where
    oa.as_of_date = getvariable('as_of')
    and oa.assessment_status in ('COMPLETE', 'SIGNED')
    and oa.date_completed <= getvariable('as_of')
    -- a voiding after as_of is read as blank
    and (oa.voided_date is null or oa.voided_date > getvariable('as_of'))
