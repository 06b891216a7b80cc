-- marts.data_quality: per area of the night, the rows quarantined (a row failing
-- several rules counts once), the cases they touch, the cases scored in the
-- scope and how many of those were touched. Rows with no case_key (a malformed
-- crn, a record with the wrong number of fields, an orphan of an unknown
-- parent) touch no known case.
with areas as (
    select ev.area_code
    from staging.events as ev
    where ev.as_of_date = getvariable('as_of')
    union
    select qr.area_code
    from quarantine.rows as qr
    where qr.as_of_date = getvariable('as_of')
),

quarantined_rows as (
    select distinct
        qr.area_code,
        qr.file,
        qr.line
    from quarantine.rows as qr
    where qr.as_of_date = getvariable('as_of')
),

quarantined as (
    select
        qo.area_code,
        count(*) as rows_quarantined
    from quarantined_rows as qo
    group by qo.area_code
),

touched_cases as (
    select distinct
        qr.area_code,
        qr.case_key
    from quarantine.rows as qr
    where qr.as_of_date = getvariable('as_of') and qr.case_key is not null
),

touched as (
    select
        tc.area_code,
        count(*) as cases_touched
    from touched_cases as tc
    group by tc.area_code
),

scored as (
    select
        co.area_code,
        count(distinct co.case_key) as cases_scored,
        count(distinct co.case_key) filter (
            where tc.case_key is not null
        ) as scored_cases_touched
    from marts.case_outcomes as co
    left join touched_cases as tc
        on co.area_code = tc.area_code and co.case_key = tc.case_key
    where co.as_of_date = getvariable('as_of') and co.scope = getvariable('scope')
    group by co.area_code
)

select
    ar.area_code,
    getvariable('as_of') as as_of_date,
    getvariable('scope') as scope,
    coalesce(qu.rows_quarantined, 0) as rows_quarantined,
    coalesce(tc.cases_touched, 0) as cases_touched,
    coalesce(sc.cases_scored, 0) as cases_scored,
    coalesce(sc.scored_cases_touched, 0) as scored_cases_touched
from areas as ar
left join quarantined as qu on ar.area_code = qu.area_code
left join touched as tc on ar.area_code = tc.area_code
left join scored as sc on ar.area_code = sc.area_code
