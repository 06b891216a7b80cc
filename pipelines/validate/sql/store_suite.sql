-- the suite digest a store was written under
select distinct suite from read_parquet(?)
