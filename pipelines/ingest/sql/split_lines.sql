-- a file without quotes, one record per line: its cells, blank lines left out
create temp table records as
select
    line,
    string_split(rtrim(file_line, chr(13)), ',') as cells
from file_lines
where line > 1 and rtrim(file_line, chr(13)) <> ''
