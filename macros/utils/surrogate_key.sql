{#
    A deterministic key over several columns: md5 of the values cast to text, joined by
    '|', with null spelled as a token so that (null, 'a') and ('', 'a') differ.
#}
{% macro surrogate_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first -%}
            {%- do parts.append("'|'") -%}
        {%- endif -%}
        {%- do parts.append(
            "coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '_null_')"
        ) -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
