-- one row of the run log: a file of an area (file NULL for an area with no file loaded)
insert into audit.runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
