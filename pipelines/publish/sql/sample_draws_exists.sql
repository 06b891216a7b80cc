-- whether the warehouse has marts.sample_draws (older warehouses do not)
select count(*)
from duckdb_tables()
where schema_name = 'marts' and table_name = 'sample_draws'
