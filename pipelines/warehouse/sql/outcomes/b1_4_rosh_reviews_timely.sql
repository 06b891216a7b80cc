-- B1.4 RoH reviews timely. The chain is the initial assessment and every
-- valid assessment of the event completed on or after it, in order; each
-- link whose date_completed + review interval < horizon must be followed by
-- one completed on or before that due date. Applies once the first link is
-- due. MET: due = the last due date checked, evidence = the assessment that
-- met it. NOT_MET: due = the first missed due date, evidence = the next
-- assessment (late) or blank. Reason: review_missed:<due date>.
with chain as (
    select
        va.area_code,
        va.case_key,
        va.event_number,
        va.order_in_event,
        sc.horizon,
        case
            when sc.review_interval_days is not null
                then va.date_completed + sc.review_interval_days
            else (va.date_completed + to_months(sc.review_interval_months))::date
        end as next_due,
        lead(va.date_completed) over (
            partition by va.area_code, va.case_key, va.event_number
            order by va.order_in_event
        ) as next_done
    from stg_valid_assessments as va
    inner join stg_initial_assessment as ia
        on
            va.area_code = ia.area_code
            and va.case_key = ia.case_key
            and va.event_number = ia.event_number
    inner join stg_cases as sc
        on
            va.area_code = sc.area_code
            and va.case_key = sc.case_key
            and va.event_number = sc.event_number
    where va.date_completed >= ia.date_completed
),

checked as (
    select
        chain.*,
        chain.next_done is null or chain.next_done > chain.next_due as missed
    from chain
    where chain.next_due < chain.horizon
),

per_case as (
    select
        checked.area_code,
        checked.case_key,
        checked.event_number,
        bool_or(checked.missed) as any_missed,
        arg_min(checked.next_due, checked.order_in_event) filter (
            where checked.missed
        ) as first_missed_due,
        arg_min_null(checked.next_done, checked.order_in_event) filter (
            where checked.missed
        ) as first_missed_done,
        arg_max(checked.next_due, checked.order_in_event) as last_due,
        arg_max(checked.next_done, checked.order_in_event) as last_done
    from checked
    group by checked.area_code, checked.case_key, checked.event_number
)

select
    per_case.area_code,
    per_case.case_key,
    per_case.event_number,
    'B1.4' as question_id,
    case when per_case.any_missed then 'NOT_MET' else 'MET' end as outcome,
    case
        when per_case.any_missed then per_case.first_missed_due else per_case.last_due
    end as due_date,
    case
        when per_case.any_missed then per_case.first_missed_done else per_case.last_done
    end as evidence_date,
    case
        when per_case.any_missed then 'review_missed:' || per_case.first_missed_due
    end as reason
from per_case
