-- every outcome of one case's events on a night and scope, with the question
-- titles and what readers of the case judged (staging.case_readings), if any
with readings as (
    select
        cr.event_number,
        cr.question_id,
        string_agg(cr.reader || ': ' || cr.judgement, ', ' order by cr.reader) as readings
    from staging.case_readings as cr
    where cr.as_of_date = $as_of and cr.case_key = $case_key
    group by cr.event_number, cr.question_id
)

select
    co.event_number,
    co.question_id,
    q.title,
    co.outcome,
    co.due_date,
    co.evidence_date,
    co.reason,
    rd.readings
from marts.case_outcomes as co
left join config.questions as q on co.question_id = q.question_id
left join readings as rd
    on co.event_number = rd.event_number and co.question_id = rd.question_id
where co.as_of_date = $as_of and co.scope = $scope and co.case_key = $case_key
order by co.event_number, co.question_id
