-- Registrations of the night by as_of (registration_date <= as_of), per crn
-- (case_key) across its events; a deregistration after as_of is read as blank.
select
    rg.area_code,
    rg.case_key,
    rg.registration_id,
    rg.register_type,
    rg.registration_date,
    case
        when rg.deregistration_date <= getvariable('as_of') then rg.deregistration_date
    end as deregistration_date,
    rg.register_type in ('MAPP', 'RCPR', 'RCCO') as is_multiagency,
    case rg.register_type
        when 'RLRH' then 'L'
        when 'RMRH' then 'M'
        when 'RHRH' then 'H'
        when 'RVHR' then 'V'
    end as rosh_level
from staging.registrations as rg
where
    rg.as_of_date = getvariable('as_of')
    and rg.registration_date <= getvariable('as_of')
    and exists (
        select 1
        from stg_cases as sc
        where sc.area_code = rg.area_code and sc.case_key = rg.case_key
    )
