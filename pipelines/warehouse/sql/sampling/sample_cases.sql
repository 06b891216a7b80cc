-- The inspection sample of a night (rulebook "Inspection sample"): per area,
-- the census cases (stg_cases) starting in the window; up to min_high_rosh of
-- those whose initial assessment's rosh_level is H or V come first, then the
-- rest at random, size in all. "Random" is the order of
-- md5(seed|case_key|event_number), so one seed always draws the same sample.
with eligible as (
    select
        sc.area_code,
        sc.case_key,
        sc.event_number,
        coalesce(ia.rosh_level in ('H', 'V'), false) as is_high,
        md5(
            concat_ws('|', getvariable('sample_seed'), sc.case_key, sc.event_number)
        ) as draw_key
    from stg_cases as sc
    left join stg_initial_assessment as ia
        on
            sc.area_code = ia.area_code
            and sc.case_key = ia.case_key
            and sc.event_number = ia.event_number
    where
        sc.start_date
        between getvariable('sample_window_start') and getvariable('sample_window_end')
),

ranked as (
    select
        eligible.*,
        row_number() over (
            partition by eligible.area_code, eligible.is_high
            order by eligible.draw_key, eligible.case_key, eligible.event_number
        ) as rank_in_stratum
    from eligible
),

ordered as (
    select
        ranked.*,
        row_number() over (
            partition by ranked.area_code
            order by
                (
                    ranked.is_high
                    and ranked.rank_in_stratum <= getvariable('sample_min_high_rosh')
                ) desc,
                ranked.draw_key asc,
                ranked.case_key asc,
                ranked.event_number asc
        ) as draw_order
    from ranked
)

select
    ordered.area_code,
    ordered.case_key,
    ordered.event_number,
    getvariable('as_of') as as_of_date
from ordered
where ordered.draw_order <= getvariable('sample_size')
