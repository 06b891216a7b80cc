-- every night's area scorecard up to as_of, with each area's region, for the trends
select
    sc.as_of_date,
    sc.area_code,
    ar.region,
    sc.criterion_id,
    sc.question_id,
    sc.met,
    sc.evaluated
from marts.scorecard as sc
inner join ref.areas as ar on sc.area_code = ar.area_code
where sc.scope = $scope and sc.as_of_date <= $as_of
order by sc.as_of_date, sc.area_code, sc.criterion_id, sc.question_id nulls first
