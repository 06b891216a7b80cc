-- Nationally, per question, the reasons the census gave for NOT_MET where a
-- reader of the same case judged it MET: each reason code counted once per
-- reading (a code's kind only: `late` of `late:3wd`)
with disagreed as (
    select
        co.question_id,
        unnest(string_split(co.reason, ';')) as reason_part
    from staging.case_readings as cr
    inner join marts.case_outcomes as co
        on
            cr.as_of_date = co.as_of_date
            and cr.area_code = co.area_code
            and cr.case_key = co.case_key
            and cr.event_number = co.event_number
            and cr.question_id = co.question_id
    where
        cr.as_of_date = $as_of
        and co.scope = 'census'
        and cr.judgement = 'MET'
        and co.outcome = 'NOT_MET'
)

select
    disagreed.question_id,
    split_part(disagreed.reason_part, ':', 1) as reason,
    count(*) as readings
from disagreed
group by disagreed.question_id, split_part(disagreed.reason_part, ':', 1)
order by disagreed.question_id asc, readings desc, reason asc
