-- what each area's quarantine held on the night, per file and rule: the rows (a row
-- failing several rules counts under each) and their share of the file's rows_in, with
-- the file's rows quarantined (each once), from the area's latest loaded run (a
-- rejected rerun keeps what the warehouse held)
with loaded as (
    select
        as_of_date,
        area_code,
        file,
        rows_in,
        rows_quarantined
    from audit.runs
    where as_of_date = $as_of and status = 'loaded'
    qualify finished_at is not distinct from max(finished_at) over (
        partition by as_of_date, area_code
    )
)

select
    q.area_code,
    q.file,
    q.rule,
    count(distinct q.line) as rows_quarantined,
    any_value(r.rows_in) as rows_in,
    any_value(r.rows_quarantined) as file_rows_quarantined,
    count(distinct q.line) / any_value(r.rows_in) as share_of_file
from quarantine.rows as q
inner join loaded as r
    on
        q.as_of_date = r.as_of_date
        and q.area_code = r.area_code
        and q.file = r.file
where q.as_of_date = $as_of
group by q.area_code, q.file, q.rule
order by q.area_code asc, q.file asc, rows_quarantined desc, q.rule asc
