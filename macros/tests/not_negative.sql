{#
    Counts and day spans are zero or more: one test per model over every integer column
    (found in the built relation) and the listed `columns` (e.g. a double such as
    petitions_per_1k). Null values pass. Returns the offending rows.
#}
{% test not_negative(model, columns=[]) %}

{%- set checked = [] -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(model) -%}
        {%- if column.is_integer() -%}
            {%- do checked.append(adapter.quote(column.name)) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{%- for column in columns if column not in checked -%}
    {%- do checked.append(column) -%}
{%- endfor %}

select *
from {{ model }}
where
    {%- for column in checked %}
    {{ "or " if not loop.first }}{{ column }} < 0
    {%- else %}
    false
    {%- endfor %}

{% endtest %}
