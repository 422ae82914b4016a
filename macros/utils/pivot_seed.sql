{#
    Long rows read as columns: one `max(case when <key_column> = '<key>' then <value> end)
    as <name>` per wanted key. The one home of the long-to-wide shape, used for the seeds
    kept row-wise (parameters, rules, standards) and for the screened ranking indicators.
#}
{% macro pivot_column(key_column, key, value, name) -%}
    max(case when {{ key_column }} = '{{ key }}' then {{ value }} end) as {{ name }}
{%- endmacro %}

{#
    A seed kept row-wise (one row per parameter, rule or standard) as one row of typed
    columns: the select list of `select {{ pivot_seed(...) }} from <seed>`.

    `columns` is a list of {key, type, name}: the seed row whose `key_column` is `key`
    becomes column `name` (default: the key). type `integer` casts the value, `flag` reads
    1 as true (and anything else as false), `double` (the default) keeps the number.
#}
{% macro pivot_seed(key_column, columns, value_column='value') -%}
    {%- for column in columns %}
        {%- set type = column.get('type', 'double') -%}
        {%- if type == 'integer' -%}
            {%- set value = 'cast(' ~ value_column ~ ' as integer)' -%}
        {%- elif type == 'flag' -%}
            {%- set value = value_column ~ ' = 1' -%}
        {%- elif type == 'double' -%}
            {%- set value = 'cast(' ~ value_column ~ ' as double)' -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error("pivot_seed: unknown type " ~ type) }}
        {%- endif %}
        {{ pivot_column(key_column, column.key, value, column.get('name', column.key)) }}
        {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
