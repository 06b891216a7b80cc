-- marts.case_outcomes: one row per (case, applicable question) of the night
-- and scope, from the outcome models, with criterion and rulebook version.
with outcomes as (
    select * from b1_1_initial_assessment_timely
    union all by name
    select * from b1_2_initial_assessment_content
    union all by name
    select * from b1_3_rosh_level_accurate
    union all by name
    select * from b1_4_rosh_reviews_timely
    union all by name
    select * from b1_5_incident_reassessment
    union all by name
    select * from b1_6_risk_management_plan
    union all by name
    select * from b1_7_rosh_linked_interventions
    union all by name
    select * from b3_1_initial_plan_timely
    union all by name
    select * from b3_2_initial_plan_content
    union all by name
    select * from b3_3_interventions_identified
    union all by name
    select * from b3_4_liaison_defined
    union all by name
    select * from b3_5_diversity_in_plan
    union all by name
    select * from b3_6_requirements_explained
    union all by name
    select * from b3_7_offender_involved
    union all by name
    select * from b3_8_multiagency_initial_plan
    union all by name
    select * from c2_1_plan_reviews_timely
    union all by name
    select * from c2_2_multiagency_reviews
    union all by name
    select * from c2_3_contact_levels
)

select
    oc.area_code,
    oc.case_key,
    oc.event_number,
    oc.question_id,
    qu.criterion_id,
    oc.outcome,
    oc.due_date,
    oc.evidence_date,
    oc.reason,
    rb.rulebook_version,
    getvariable('as_of') as as_of_date,
    getvariable('scope') as scope
from outcomes as oc
inner join config.questions as qu
    on oc.question_id = qu.question_id
cross join config.rulebook as rb
