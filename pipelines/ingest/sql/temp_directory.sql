-- where this connection spills (typed.connect sets it per area)
select current_setting('temp_directory')
