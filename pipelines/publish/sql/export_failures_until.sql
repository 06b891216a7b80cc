-- every night up to as_of, the areas whose latest export was rejected or missing (trend gaps)
select distinct
    as_of_date,
    area_code
from audit.latest_runs
where as_of_date <= $as_of and status in ('rejected', 'missing')
order by as_of_date, area_code
