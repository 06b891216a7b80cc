-- each area's quarantine rate over the nights scored up to the night: rows quarantined
-- over rows in, of its loaded latest runs
select
    as_of_date,
    area_code,
    sum(rows_quarantined) as rows_quarantined,
    sum(rows_in) as rows_in,
    sum(rows_quarantined) / nullif(sum(rows_in), 0) as quarantine_rate
from audit.latest_runs
where as_of_date <= $as_of and status = 'loaded'
group by as_of_date, area_code
order by area_code, as_of_date
