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

    `columns` maps each wanted key (a value of `key_column`) to its type, in column order:
    `integer` casts the value, `flag` reads 1 as true (anything else as false), `double`
    keeps the number, `code` reads the (numeric) value as a code's text. A column is named `prefix` + key, or as `names` says.
#}
{% macro pivot_seed(key_column, columns, value_column='value', prefix='', names={}) -%}
    {%- for key, type in columns.items() %}
        {%- if type == 'integer' -%}
            {%- set value = 'cast(' ~ value_column ~ ' as integer)' -%}
        {%- elif type == 'flag' -%}
            {%- set value = value_column ~ ' = 1' -%}
        {%- elif type == 'code' -%}
            {%- set value = 'cast(cast(' ~ value_column ~ ' as bigint) as varchar)' -%}
        {%- elif type == 'double' -%}
            {%- set value = 'cast(' ~ value_column ~ ' as double)' -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error("pivot_seed: unknown type " ~ type) }}
        {%- endif %}
        {{ pivot_column(key_column, key, value, names.get(key, prefix ~ key)) }}
        {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
