create or replace table config.questions (
    rulebook_version varchar,
    question_id varchar,
    criterion_id varchar,
    title varchar
)
