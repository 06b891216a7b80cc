-- the areas of the night whose latest run was rejected or missing, with the message
-- that names the file, the reason and what to do
select
    area_code,
    any_value(status) as status,
    any_value(message) as message
from audit.latest_runs
where as_of_date = $as_of and status <> 'loaded'
group by area_code
order by area_code
