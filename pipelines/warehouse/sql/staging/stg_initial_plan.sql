-- The initial plan of each case (earliest INITIAL plan by as_of, may predate
-- start) with what its objectives say: sufficiency (missing parts), whether
-- one addresses RoSH, the need sections and the providers named.
with initial_plans as (
    select pl.*
    from stg_plans as pl
    where pl.plan_type = 'INITIAL' and pl.order_in_type = 1
),

objectives as (
    select
        ip.area_code,
        ip.plan_id,
        count(*) as objective_count,
        bool_or(trim(coalesce(po.intervention, '')) = '') as blank_intervention,
        bool_or(trim(coalesce(po.who_does_work, '')) = '') as blank_who_does_work,
        bool_or(trim(coalesce(po.progress_measure, '')) = '') as blank_progress_measure,
        bool_or(po.addresses_rosh = 'Y') as any_addresses_rosh,
        list(distinct try_cast(po.need_section as integer)) filter (
            where try_cast(po.need_section as integer) is not null
        ) as need_sections,
        list(distinct po.who_does_work) filter (
            where po.who_does_work is not null
        ) as providers
    from initial_plans as ip
    inner join staging.plan_objectives as po
        on ip.area_code = po.area_code and ip.plan_id = po.plan_id
    where po.as_of_date = getvariable('as_of')
    group by ip.area_code, ip.plan_id
)

select
    ip.area_code,
    ip.case_key,
    ip.event_number,
    ip.plan_id,
    ip.plan_date,
    ip.offender_involved,
    ip.diversity_addressed,
    ip.multiagency_integrated,
    coalesce(ob.any_addresses_rosh, false) as any_addresses_rosh,
    coalesce(ob.need_sections, []) as need_sections,
    coalesce(ob.providers, []) as providers,
    case
        when ob.objective_count is null then 'no_objectives'
        else nullif(
            concat_ws(
                ',',
                case when ob.blank_intervention then 'intervention' end,
                case when ob.blank_who_does_work then 'who_does_work' end,
                case when ob.blank_progress_measure then 'progress_measure' end
            ),
            ''
        )
    end as missing_parts
from initial_plans as ip
left join objectives as ob
    on ip.area_code = ob.area_code and ip.plan_id = ob.plan_id
