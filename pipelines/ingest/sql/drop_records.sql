drop table records
