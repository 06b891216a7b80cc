-- The sampled cases of an area's night with each question that applies to
-- them (every sample-scope outcome, NOT_DUE included), its due date and outcome.
select
    sc.case_key,
    sc.event_number,
    co.question_id,
    co.due_date,
    co.outcome
from marts.sample_cases as sc
inner join marts.case_outcomes as co
    on
        sc.as_of_date = co.as_of_date
        and sc.area_code = co.area_code
        and sc.case_key = co.case_key
        and sc.event_number = co.event_number
where
    sc.as_of_date = $as_of
    and sc.area_code = $area_code
    and co.scope = 'sample'
order by sc.case_key, sc.event_number, co.question_id
