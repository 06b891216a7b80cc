-- marts.agreement: inspectors' readings (staging.case_readings) against the
-- derived outcomes of the same night and scope (rulebook "Calibration").
-- Per area with a reading that night, and nationally, one row per question and
-- one per criterion (question_id NULL, pooling its questions' readings), zeros
-- where nothing. A reading counts only when its case is a case of the night
-- (stg_cases); derived = the case's marts.case_outcomes row for the question,
-- none when the question does not apply. Cohen's kappa over the 2x2 of readings
-- scored on both sides, with its interval (z from config), clipped to [-1, 1].
-- read and level are the mart's column names, not keywords here:
-- sqlfluff:rules:references.keywords:ignore_words:level,read
with readings as (
    select
        cr.area_code,
        cr.case_key,
        cr.event_number,
        cr.question_id,
        cr.judgement
    from staging.case_readings as cr
    where cr.as_of_date = getvariable('as_of')
),

areas as (
    select distinct rd.area_code
    from readings as rd
),

classified as (
    select
        rd.area_code,
        rd.question_id,
        rd.judgement,
        co.outcome as derived
    from readings as rd
    inner join stg_cases as sc
        on
            rd.area_code = sc.area_code
            and rd.case_key = sc.case_key
            and rd.event_number = sc.event_number
    left join marts.case_outcomes as co
        on
            co.as_of_date = getvariable('as_of')
            and co.scope = getvariable('scope')
            and rd.area_code = co.area_code
            and rd.case_key = co.case_key
            and rd.event_number = co.event_number
            and rd.question_id = co.question_id
),

night_counts as (
    select
        cl.area_code,
        cl.question_id,
        count(*) as read,
        count(*) filter (where cl.judgement = 'MET' and cl.derived = 'MET') as met_met,
        count(*) filter (where cl.judgement = 'MET' and cl.derived = 'NOT_MET') as met_not_met,
        count(*) filter (where cl.judgement = 'NOT_MET' and cl.derived = 'MET') as not_met_met,
        count(*) filter (
            where cl.judgement = 'NOT_MET' and cl.derived = 'NOT_MET'
        ) as not_met_not_met,
        count(*) filter (
            where cl.judgement = 'NA' and cl.derived in ('MET', 'NOT_MET')
        ) as reader_na_derived_scored,
        count(*) filter (
            where cl.judgement in ('MET', 'NOT_MET') and cl.derived is null
        ) as reader_scored_derived_na,
        count(*) filter (where cl.derived = 'NOT_DUE') as derived_not_due
    from classified as cl
    group by cl.area_code, cl.question_id
),

question_counts as (
    select
        ar.area_code,
        qu.criterion_id,
        qu.question_id,
        coalesce(nc.read, 0) as read,
        coalesce(nc.met_met, 0) as met_met,
        coalesce(nc.met_not_met, 0) as met_not_met,
        coalesce(nc.not_met_met, 0) as not_met_met,
        coalesce(nc.not_met_not_met, 0) as not_met_not_met,
        coalesce(nc.reader_na_derived_scored, 0) as reader_na_derived_scored,
        coalesce(nc.reader_scored_derived_na, 0) as reader_scored_derived_na,
        coalesce(nc.derived_not_due, 0) as derived_not_due
    from areas as ar
    cross join config.questions as qu
    left join night_counts as nc
        on ar.area_code = nc.area_code and qu.question_id = nc.question_id
),

-- each question and each criterion (question_id NULL), per area and nationally
-- (area_code NULL)
levelled as (
    select
        qc.area_code,
        qc.criterion_id,
        qc.question_id,
        case when grouping(qc.area_code) = 1 then 'national' else 'area' end as level,
        sum(qc.read) as read,
        sum(qc.met_met) as met_met,
        sum(qc.met_not_met) as met_not_met,
        sum(qc.not_met_met) as not_met_met,
        sum(qc.not_met_not_met) as not_met_not_met,
        sum(qc.reader_na_derived_scored) as reader_na_derived_scored,
        sum(qc.reader_scored_derived_na) as reader_scored_derived_na,
        sum(qc.derived_not_due) as derived_not_due
    from question_counts as qc
    group by grouping sets (
        (qc.area_code, qc.criterion_id, qc.question_id),
        (qc.area_code, qc.criterion_id),
        (qc.criterion_id, qc.question_id),
        (qc.criterion_id)
    )
),

-- the 2x2 of readings scored on both sides: n = both_scored; chance agreement
-- p_e from the shares each side gives MET and NOT_MET, its numerator kept as
-- an integer (chance) so that p_e = 1 is tested exactly
margins as (
    select
        lv.*,
        lv.met_met + lv.met_not_met + lv.not_met_met + lv.not_met_not_met as both_scored,
        lv.met_met + lv.not_met_not_met as agree,
        (lv.met_met + lv.met_not_met) * (lv.met_met + lv.not_met_met)
        + (lv.not_met_met + lv.not_met_not_met)
        * (lv.met_not_met + lv.not_met_not_met) as chance
    from levelled as lv
),

-- kappa is undefined without a readings-scored pair or when chance alone
-- agrees fully (p_e = 1)
proportions as (
    select
        mg.*,
        rb.rulebook_version,
        rb.confidence_z as z,
        mg.both_scored > 0 and mg.chance < mg.both_scored * mg.both_scored as has_kappa,
        mg.agree / nullif(mg.both_scored, 0) as p_o,
        mg.chance / nullif(mg.both_scored * mg.both_scored, 0) as p_e
    from margins as mg
    cross join config.rulebook as rb
),

with_kappa as (
    select
        pr.*,
        case when pr.has_kappa then (pr.p_o - pr.p_e) / (1 - pr.p_e) end as kappa,
        case
            when pr.has_kappa
                then sqrt(pr.p_o * (1 - pr.p_o) / (pr.both_scored * (1 - pr.p_e) * (1 - pr.p_e)))
        end as se
    from proportions as pr
)

select
    wk.level,
    wk.area_code,
    wk.criterion_id,
    wk.question_id,
    wk.read,
    wk.both_scored,
    wk.agree,
    wk.met_met,
    wk.met_not_met,
    wk.not_met_met,
    wk.not_met_not_met,
    wk.reader_na_derived_scored,
    wk.reader_scored_derived_na,
    wk.derived_not_due,
    wk.kappa,
    wk.rulebook_version,
    getvariable('as_of') as as_of_date,
    getvariable('scope') as scope,
    case
        when wk.both_scored > 0 then round(100.0 * wk.agree / wk.both_scored, 1)
    end as pct_agreement,
    -- greatest and least skip NULLs: no kappa, no interval
    case when wk.has_kappa then greatest(wk.kappa - wk.z * wk.se, -1) end as kappa_ci_low,
    case when wk.has_kappa then least(wk.kappa + wk.z * wk.se, 1) end as kappa_ci_high
from with_kappa as wk
