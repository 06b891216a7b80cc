-- lines quarantined per area and file, from the areas' quarantine Parquet
select
    area_code,
    file,
    count(distinct line) as lines_quarantined
from read_parquet(?)
group by area_code, file
