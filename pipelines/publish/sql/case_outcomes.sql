-- every outcome of one case's events on a night and scope, with the question titles
select
    co.event_number,
    co.question_id,
    q.title,
    co.outcome,
    co.due_date,
    co.evidence_date,
    co.reason
from marts.case_outcomes as co
left join config.questions as q on co.question_id = q.question_id
where co.as_of_date = $as_of and co.scope = $scope and co.case_key = $case_key
order by co.event_number, co.question_id
