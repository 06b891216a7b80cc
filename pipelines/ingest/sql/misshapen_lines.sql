-- the lines whose number of cells is not the header's
select
    line,
    len(cells) as width
from records
where len(cells) <> ?
order by line
