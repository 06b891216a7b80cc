select drawn
from marts.sample_draws
where as_of_date = ?
