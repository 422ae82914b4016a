{#
    No two rows share the same values of the listed columns (null counts as a value, so a
    key with an optional part, e.g. villages' (village_code, year), is checked as a whole).
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as n_records
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
