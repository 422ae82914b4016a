{#
    Non-null values are codes of a vocabulary in the `vocabularies` seed, the one home of
    every code list (CONTRACT §2). Returns one row per unknown value with its count. An
    unknown vocabulary name fails every non-null value rather than passing silently.
#}
{% test in_vocabulary(model, column_name, vocabulary) %}

with vocabulary_codes as (

    select code
    from {{ ref('vocabularies') }}
    where vocabulary = '{{ vocabulary }}'

),

tested_values as (

    select {{ column_name }} as value
    from {{ model }}
    where {{ column_name }} is not null

)

select
    tested_values.value,
    count(*) as n_records
from tested_values
left join vocabulary_codes
    on tested_values.value = vocabulary_codes.code
where vocabulary_codes.code is null
group by tested_values.value

{% endtest %}
