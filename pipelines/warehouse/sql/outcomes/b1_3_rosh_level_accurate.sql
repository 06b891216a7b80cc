-- B1.3 RoH level accurately assessed. Cases with a valid assessment, judged
-- on the latest; evidence = its date_completed; no due date.
-- Reasons: level_not_assessed (rosh_level not L/M/H/V) | level_mismatch:grid
-- (risk_grid_max differs) | level_mismatch:registration (a RoSH registration
-- active on as_of has another level); several joined by ';'.
with latest as (
    select va.*
    from stg_valid_assessments as va
    where va.order_from_latest = 1
),

registration_conflicts as (
    select distinct
        lt.area_code,
        lt.case_key,
        lt.event_number
    from latest as lt
    inner join stg_registrations as rg
        on lt.area_code = rg.area_code and lt.case_key = rg.case_key
    where
        rg.rosh_level is not null
        and rg.registration_date <= getvariable('as_of')
        and (rg.deregistration_date is null or rg.deregistration_date > getvariable('as_of'))
        and rg.rosh_level is distinct from lt.rosh_level
),

judged as (
    select
        lt.area_code,
        lt.case_key,
        lt.event_number,
        lt.date_completed,
        nullif(
            concat_ws(
                ';',
                case
                    when lt.rosh_level is null or lt.rosh_level not in ('L', 'M', 'H', 'V')
                        then 'level_not_assessed'
                end,
                case
                    when
                        lt.rosh_level in ('L', 'M', 'H', 'V')
                        and lt.risk_grid_max is distinct from lt.rosh_level
                        then 'level_mismatch:grid'
                end,
                case when rc.case_key is not null then 'level_mismatch:registration' end
            ),
            ''
        ) as reason
    from latest as lt
    left join registration_conflicts as rc
        on
            lt.area_code = rc.area_code
            and lt.case_key = rc.case_key
            and lt.event_number = rc.event_number
)

select
    judged.area_code,
    judged.case_key,
    judged.event_number,
    'B1.3' as question_id,
    null::date as due_date,
    judged.date_completed as evidence_date,
    judged.reason,
    case when judged.reason is null then 'MET' else 'NOT_MET' end as outcome
from judged
