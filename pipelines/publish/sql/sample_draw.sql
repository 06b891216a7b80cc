select
    as_of_date,
    window_start,
    window_end,
    size,
    min_high_rosh,
    seed,
    drawn,
    rulebook_version
from marts.sample_draws
where as_of_date = $as_of
