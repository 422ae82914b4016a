{#
    Every row satisfies a SQL expression. As a column test the expression is appended to
    the column (`expression: ">= 0"`); as a model test it stands alone. Rows where the
    expression is null fail too: write `x is null or ...` when null is allowed.
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(
    {% if column_name is not none %}{{ column_name }} {% endif %}{{ expression }},
    false
)

{% endtest %}
