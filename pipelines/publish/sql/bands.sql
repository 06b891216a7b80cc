-- the rulebook's bands, highest first: a score takes the first whose min_pct it reaches
select
    band,
    min_pct
from config.bands
order by min_pct desc
