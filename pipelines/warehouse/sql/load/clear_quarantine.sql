delete from quarantine.rows
where as_of_date = ? and list_contains(?, area_code)
