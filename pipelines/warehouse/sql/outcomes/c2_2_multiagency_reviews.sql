-- C2.2 Multi-agency plans taken into account in reviews. Cases with a review
-- plan on whose plan_date a MAPP/RCPR/RCCO registration of the crn was
-- active; each such review plan needs multiagency_integrated = Y. Evidence =
-- the first failing such plan's date (NOT_MET) or the latest one (MET).
-- Reason: multiagency_not_integrated:<review plan date>.
with reviews as (
    select distinct
        pl.area_code,
        pl.case_key,
        pl.event_number,
        pl.plan_id,
        pl.plan_date,
        pl.multiagency_integrated = 'Y' as integrated
    from stg_plans as pl
    inner join stg_registrations as rg
        on
            pl.area_code = rg.area_code
            and pl.case_key = rg.case_key
            and rg.is_multiagency
            and pl.plan_date >= rg.registration_date
            and (rg.deregistration_date is null or pl.plan_date < rg.deregistration_date)
    where pl.plan_type = 'REVIEW'
),

per_case as (
    select
        reviews.area_code,
        reviews.case_key,
        reviews.event_number,
        min(reviews.plan_date) filter (where not coalesce(reviews.integrated, false))
            as first_failing,
        max(reviews.plan_date) as last_review
    from reviews
    group by reviews.area_code, reviews.case_key, reviews.event_number
)

select
    per_case.area_code,
    per_case.case_key,
    per_case.event_number,
    'C2.2' as question_id,
    null::date as due_date,
    case when per_case.first_failing is null then 'MET' else 'NOT_MET' end as outcome,
    coalesce(per_case.first_failing, per_case.last_review) as evidence_date,
    'multiagency_not_integrated:' || per_case.first_failing as reason
from per_case
