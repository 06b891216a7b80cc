-- a record with another number of fields than the header: quarantined without its values
insert into quarantine values (
    getvariable('as_of'), getvariable('area_code'), ?, ?, null, 'field_count', ?
)
