-- marts.agreement of a night for one area, or nationally when area_code is NULL:
-- each criterion, then its questions
select
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
    ag.kappa_ci_high
from marts.agreement as ag
where
    ag.as_of_date = $as_of
    and ag.scope = 'census'
    and ag.level = case when $area_code is null then 'national' else 'area' end
    and ag.area_code is not distinct from $area_code
order by ag.criterion_id asc, ag.question_id asc nulls first
