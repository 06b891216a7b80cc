-- value_shape(v): what a value looks like, never what it says, so it can be shown safely
-- (docs/exports.md, "What a detail shows"): A/a a letter, 0 a digit, ? any character
-- outside printable ASCII, other punctuation and spaces as they are; at most 24
-- characters, then an ellipsis
create or replace temp macro value_shape(v) as
case
    when v is not null
        then
            left(
                regexp_replace(
                    regexp_replace(
                        regexp_replace(regexp_replace(v, '[A-Z]', 'A', 'g'), '[a-z]', 'a', 'g'),
                        '[0-9]',
                        '0',
                        'g'
                    ),
                    '[^ -~]',
                    '?',
                    'g'
                ),
                24
            )
            || case when length(v) > 24 then '…' else '' end
end
