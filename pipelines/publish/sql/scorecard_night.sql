-- a night's internal scorecard with area names and regions, in publication order
select
    sc.as_of_date,
    sc.area_code,
    ar.area_name,
    ar.region,
    sc.scope,
    sc.criterion_id,
    sc.question_id,
    sc.met,
    sc.evaluated,
    sc.pct,
    sc.ci_low,
    sc.ci_high,
    sc.band,
    sc.rulebook_version
from marts.scorecard as sc
left join ref.areas as ar on sc.area_code = ar.area_code
where sc.as_of_date = $as_of and sc.scope = $scope
order by sc.area_code, sc.criterion_id, sc.question_id nulls first
