-- B3.4 Liaison with other workers defined. Cases with an initial plan and a
-- requirement delivered by others (ref.requirement_providers); each such
-- provider must be a who_does_work of an initial-plan objective.
-- Evidence = the plan date, no due date. Reason: no_provider:<p>[,<p>].
with required_providers as (
    select distinct
        sc.area_code,
        sc.case_key,
        sc.event_number,
        rp.provider
    from stg_cases as sc
    cross join unnest(sc.requirements) as req (requirement)
    inner join ref.requirement_providers as rp
        on req.requirement = rp.requirement
),

judged as (
    select
        ip.area_code,
        ip.case_key,
        ip.event_number,
        ip.plan_date,
        string_agg(rq.provider, ',' order by rq.provider) filter (
            where not list_contains(ip.providers, rq.provider)
        ) as unnamed
    from stg_initial_plan as ip
    inner join required_providers as rq
        on
            ip.area_code = rq.area_code
            and ip.case_key = rq.case_key
            and ip.event_number = rq.event_number
    group by ip.area_code, ip.case_key, ip.event_number, ip.plan_date
)

select
    judged.area_code,
    judged.case_key,
    judged.event_number,
    'B3.4' as question_id,
    null::date as due_date,
    judged.plan_date as evidence_date,
    case when judged.unnamed is null then 'MET' else 'NOT_MET' end as outcome,
    'no_provider:' || judged.unnamed as reason
from judged
