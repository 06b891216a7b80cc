insert into quarantine.rows by name
select
    as_of_date,
    area_code,
    file,
    line,
    case_key,
    rule,
    detail
from read_parquet(?)
