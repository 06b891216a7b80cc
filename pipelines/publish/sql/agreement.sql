-- marts.agreement of a night's census, nation first, then each area, each
-- criterion before its questions; area_code 'national' on the national rows
-- so every row has the key the small-numbers rule reads
select
    ag.level,
    ag.criterion_id,
    ag.question_id,
    ag.read,
    ag.both_scored,
    ag.agree,
    ag.met_met,
    ag.met_not_met,
    ag.not_met_met,
    ag.not_met_not_met,
    ag.reader_na_derived_scored,
    ag.reader_scored_derived_na,
    ag.derived_not_due,
    ag.pct_agreement,
    ag.kappa,
    ag.kappa_ci_low,
    ag.kappa_ci_high,
    coalesce(ag.area_code, 'national') as area_code
from marts.agreement as ag
where ag.as_of_date = $as_of and ag.scope = 'census'
order by ag.level desc, ag.area_code asc, ag.criterion_id asc, ag.question_id asc nulls first
