-- files of each area's latest run of the night that lost more than the alert share of
-- their rows to quarantine (config.rulebook.quarantine_alert_share)
select
    r.area_code,
    r.file,
    r.rows_in,
    r.rows_quarantined,
    r.rows_quarantined / r.rows_in as lost_share
from audit.latest_runs as r
cross join config.rulebook as rb
where
    r.as_of_date = $as_of
    and r.rows_in > 0
    and r.rows_quarantined > rb.quarantine_alert_share * r.rows_in
order by lost_share desc, r.area_code asc, r.file asc
