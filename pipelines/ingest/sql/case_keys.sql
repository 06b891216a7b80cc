-- case_key of each of the area's well-formed crns, computed in Python (contract/identity.py)
create temp table case_keys as
select
    crn,
    case_key
from case_keys_arrow
