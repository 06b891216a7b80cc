-- the terminal summary: per area each criterion's score and the headline questions
select
    s.area_code,
    a.region,
    s.met,
    s.evaluated,
    s.pct,
    coalesce(s.question_id, s.criterion_id) as measure
from marts.scorecard as s
inner join ref.areas as a on s.area_code = a.area_code
where
    s.as_of_date = $as_of
    and s.scope = $scope
    and (s.question_id is null or list_contains($questions, s.question_id))
order by a.region, s.area_code, measure
