-- the nights scored, oldest first
select distinct as_of_date
from marts.scorecard
where scope = $scope
order by as_of_date
