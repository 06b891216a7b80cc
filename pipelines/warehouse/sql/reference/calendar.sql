-- working days of England and Wales; working_day_seq counts those on or before day
create or replace table ref.calendar (
    day date,
    is_working_day boolean,
    working_day_seq integer,
    holiday_name varchar
)
