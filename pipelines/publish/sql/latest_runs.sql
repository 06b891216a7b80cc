-- per area, the latest run of the night: its status, message and row counts
with latest as (
    select
        area_code,
        max(finished_at) as finished_at
    from audit.runs
    where as_of_date = $as_of
    group by area_code
)

select
    r.area_code,
    any_value(r.status) as status,
    any_value(r.message) as message,
    sum(r.rows_in) as rows_in,
    sum(r.rows_loaded) as rows_loaded,
    sum(r.rows_quarantined) as rows_quarantined
from audit.runs as r
inner join latest
    on
        r.area_code = latest.area_code
        and r.finished_at is not distinct from latest.finished_at
where r.as_of_date = $as_of
group by r.area_code
order by r.area_code
