{#
    Counts from a left-joined aggregate, zero where the aggregate has no row (a quiet
    village, scope or month): the select list `coalesce(<relation>.<c>, 0) as <c>, ...`,
    cast to `cast_to` when given. The one home of the zero-fill behind "counts are never
    null" (CONTRACT §4).
#}
{% macro zero_filled(relation, columns, cast_to=none) -%}
    {%- for column in columns %}
        {%- set value = 'coalesce(' ~ relation ~ '.' ~ column ~ ', 0)' -%}
        {%- if cast_to is not none -%}
            {%- set value = 'cast(' ~ value ~ ' as ' ~ cast_to ~ ')' -%}
        {%- endif %}
        {{ value }} as {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
