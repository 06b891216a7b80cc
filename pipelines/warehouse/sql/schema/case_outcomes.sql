create table if not exists marts.case_outcomes (
    as_of_date date not null,
    area_code varchar not null,
    scope varchar not null,
    case_key varchar not null,
    event_number bigint not null,
    question_id varchar not null,
    criterion_id varchar not null,
    outcome varchar not null,
    due_date date,
    evidence_date date,
    reason varchar,
    rulebook_version varchar not null
)
