-- the well-formed crns of a landed events.csv, every value read as text
select distinct ev.crn
from read_csv($path, header = true, all_varchar = true) as ev
where regexp_full_match(ev.crn, $pattern)
