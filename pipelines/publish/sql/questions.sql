select
    rulebook_version,
    question_id,
    criterion_id,
    title
from config.questions
order by question_id
