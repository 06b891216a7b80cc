-- files of each area's latest run of the night that lost more than the alert share of
-- their rows to quarantine (config.rulebook.quarantine_alert_share)
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
    r.file,
    r.rows_in,
    r.rows_quarantined,
    r.rows_quarantined / r.rows_in as lost_share
from audit.runs as r
inner join latest as l
    on r.area_code = l.area_code and r.finished_at = l.finished_at
cross join config.rulebook as rb
where
    r.as_of_date = $as_of
    and r.rows_in > 0
    and r.rows_quarantined > rb.quarantine_alert_share * r.rows_in
order by lost_share desc, r.area_code asc, r.file asc
