{#
    Schemas are exactly the names configured with +schema (staging, intermediate, marts,
    seeds); a node without one lands in the target schema. dbt's default would prefix the
    target schema (main_marts).
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
