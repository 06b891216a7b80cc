-- every night in the run log, with its latest run's areas by status
with latest as (
    select
        as_of_date,
        area_code,
        arg_max(status, finished_at) as status,
        max(finished_at) as finished_at
    from audit.runs
    group by as_of_date, area_code
)

select
    as_of_date,
    count(*) filter (where status = 'loaded') as loaded,
    count(*) filter (where status = 'rejected') as rejected,
    count(*) filter (where status = 'missing') as missing,
    max(finished_at) as last_run
from latest
group by as_of_date
order by as_of_date
