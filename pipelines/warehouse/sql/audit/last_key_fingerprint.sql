-- the case-key fingerprint of the latest run that recorded one
select key_fingerprint
from audit.runs
where key_fingerprint is not null
order by finished_at desc
limit 1
