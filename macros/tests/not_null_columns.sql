{#
    None of the listed columns is null: one test (one scan) for many columns, e.g. the columns
    a decision list always fills. Returns the offending rows.
#}
{% test not_null_columns(model, columns) %}

select *
from {{ model }}
where
    {%- for column in columns %}
    {{ "or " if not loop.first }}{{ column }} is null
    {%- endfor %}

{% endtest %}
