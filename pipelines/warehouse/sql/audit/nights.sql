-- every night in the run log, with its latest run's areas by status
select
    as_of_date,
    count(distinct area_code) filter (where status = 'loaded') as loaded,
    count(distinct area_code) filter (where status = 'rejected') as rejected,
    count(distinct area_code) filter (where status = 'missing') as missing,
    max(finished_at) as last_run
from audit.latest_runs
group by as_of_date
order by as_of_date
