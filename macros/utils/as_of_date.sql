{#
    The build's reference date (CONTRACT §3) as a SQL date literal. `xinfang build` always
    passes var('as_of'); a compile without it is an error, never a silent default.
#}
{% macro as_of_date() -%}
    {%- set value = var('as_of', none) -%}
    {%- if value is none -%}
        {%- if execute -%}
            {{ exceptions.raise_compiler_error(
                "var 'as_of' is not set: run the project through `xinfang build`,"
                ~ " or pass --vars '{as_of: YYYY-MM-DD}'"
            ) }}
        {%- endif -%}
        cast(null as date)
    {%- else -%}
        cast('{{ value }}' as date)
    {%- endif -%}
{%- endmacro %}
