-- How the night's sample was drawn (one row per as_of_date): the window, the
-- size and minimum of high RoH cases asked for, the seed, the cases drawn in
-- all areas and the rulebook in force, so a report can say how it was drawn.
with drawn as (
    select count(*) as drawn
    from marts.sample_cases
    where as_of_date = getvariable('as_of')
)

select
    drawn.drawn,
    rb.rulebook_version,
    getvariable('as_of') as as_of_date,
    getvariable('sample_window_start') as window_start,
    getvariable('sample_window_end') as window_end,
    getvariable('sample_size') as size,
    getvariable('sample_min_high_rosh') as min_high_rosh,
    getvariable('sample_seed') as seed
from config.rulebook as rb
cross join drawn
