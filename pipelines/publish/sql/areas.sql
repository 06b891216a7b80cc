select
    area_code,
    area_name,
    region,
    population_millions
from ref.areas
order by region, area_name
