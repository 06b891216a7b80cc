-- the lines of a file the area's quarantine holds (a line may fail several rules)
select count(distinct line) as lines_quarantined
from quarantine
where file = ?
