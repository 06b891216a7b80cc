-- per area, the latest run of the night: its status, message and row counts
select
    area_code,
    any_value(status) as status,
    any_value(message) as message,
    sum(rows_in) as rows_in,
    sum(rows_loaded) as rows_loaded,
    sum(rows_quarantined) as rows_quarantined
from audit.latest_runs
where as_of_date = $as_of
group by area_code
order by area_code
