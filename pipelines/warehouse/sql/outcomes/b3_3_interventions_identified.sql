-- B3.3 Appropriate interventions identified. Cases with an initial plan whose
-- initial assessment has a need section linked_to_offending = Y; each such
-- section needs an objective of the initial plan with that section number.
-- Evidence = the plan date, no due date.
-- Reason: no_objective:section_<n>[,section_<n>].
with linked_sections as (
    select
        ia.area_code,
        ia.case_key,
        ia.event_number,
        ne.section
    from stg_initial_assessment as ia
    inner join staging.oasys_needs as ne
        on ia.area_code = ne.area_code and ia.oasys_set_pk = ne.oasys_set_pk
    where ne.as_of_date = getvariable('as_of') and ne.linked_to_offending = 'Y'
),

judged as (
    select
        ip.area_code,
        ip.case_key,
        ip.event_number,
        ip.plan_date,
        string_agg('section_' || ls.section, ',' order by ls.section) filter (
            where not list_contains(ip.need_sections, ls.section)
        ) as unplanned
    from stg_initial_plan as ip
    inner join linked_sections as ls
        on
            ip.area_code = ls.area_code
            and ip.case_key = ls.case_key
            and ip.event_number = ls.event_number
    group by ip.area_code, ip.case_key, ip.event_number, ip.plan_date
)

select
    judged.area_code,
    judged.case_key,
    judged.event_number,
    'B3.3' as question_id,
    null::date as due_date,
    judged.plan_date as evidence_date,
    case when judged.unplanned is null then 'MET' else 'NOT_MET' end as outcome,
    'no_objective:' || judged.unplanned as reason
from judged
