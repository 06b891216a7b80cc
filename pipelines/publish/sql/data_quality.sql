-- marts.data_quality of the night with area names, in area order
select
    dq.as_of_date,
    dq.area_code,
    ar.area_name,
    ar.region,
    dq.scope,
    dq.rows_quarantined,
    dq.cases_touched,
    dq.cases_scored,
    dq.scored_cases_touched
from marts.data_quality as dq
left join ref.areas as ar on dq.area_code = ar.area_code
where dq.as_of_date = $as_of and dq.scope = $scope
order by dq.area_code
