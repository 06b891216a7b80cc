-- The initial assessment of each case: its earliest valid assessment with a
-- start purpose (430, 440, 450, 500), whatever its date relative to start;
-- with its sufficiency (rosh_screening, rosh_summary, and full_analysis when
-- rosh_level is H or V) and the list of missing parts.
with ranked as (
    select
        va.*,
        row_number() over (
            partition by va.area_code, va.case_key, va.event_number
            order by va.date_completed, va.oasys_set_pk
        ) as start_rank
    from stg_valid_assessments as va
    where va.purpose_code in (430, 440, 450, 500)
)

select
    ranked.area_code,
    ranked.case_key,
    ranked.event_number,
    ranked.oasys_set_pk,
    ranked.date_completed,
    ranked.rosh_level,
    ranked.rmp,
    nullif(
        concat_ws(
            ',',
            case when ranked.rosh_screening is distinct from 'Y' then 'rosh_screening' end,
            case when ranked.rosh_summary is distinct from 'Y' then 'rosh_summary' end,
            case
                when
                    ranked.rosh_level in ('H', 'V')
                    and ranked.full_analysis is distinct from 'Y'
                    then 'full_analysis'
            end
        ),
        ''
    ) as missing_parts
from ranked
where ranked.start_rank = 1
