{#
    The indicators of seed ranking_indicators for a unit type (village | cadre) and role
    (ranked | signal), in the seed's sort order: read from the seed table when the model
    is compiled to run. The seed is upstream of every model that asks (through the screening
    models), so it is loaded by then; a compile without it (dbt parse, docs generate on an
    empty database) gets no indicators.
#}
{% macro ranking_indicators(unit_type, role='ranked') -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {#- a unit test's context has no graph: then the seed is where +schema puts it -#}
    {%- set seed = (graph.get('nodes') or {}).get('seed.' ~ project_name ~ '.ranking_indicators') -%}
    {%- set relation = adapter.get_relation(
        database=seed.database if seed else target.database,
        schema=seed.schema if seed else generate_schema_name('seeds', none),
        identifier=seed.alias if seed else 'ranking_indicators'
    ) -%}
    {%- if relation is none -%}
        {%- do log("ranking_indicators: seed not loaded, no indicator columns", info=false) -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set rows = run_query(
        "select indicator from " ~ relation
        ~ " where unit_type = '" ~ unit_type ~ "' and role = '" ~ role ~ "'"
        ~ " order by sort_order, indicator"
    ) -%}
    {{ return(rows.columns[0].values() | list) }}
{%- endmacro %}

{#
    Columns pivoted from the long screened rows (int_<unit>_indicators_screened, grouped by
    unit and year): `columns` maps each indicator to {screened column: output name}. Each
    column ends with a comma.
#}
{% macro screened_columns(columns) -%}
    {%- for indicator, wanted in columns.items() %}
        {%- for column, name in wanted.items() %}
        {{ pivot_column('indicator', indicator, column, name) }},
        {%- endfor %}
    {%- endfor %}
{%- endmacro %}

{#
    The ranking columns of CONTRACT §5 of every ranked indicator of a unit type:
    <indicator>_eb (EB estimate), <indicator>_z and <indicator>_funnel (funnel position).
#}
{% macro ranking_columns(unit_type) -%}
    {%- set columns = {} -%}
    {%- for indicator in ranking_indicators(unit_type) -%}
        {%- do columns.update({indicator: {
            'eb_estimate': indicator ~ '_eb',
            'z': indicator ~ '_z',
            'funnel_position': indicator ~ '_funnel',
        }}) -%}
    {%- endfor -%}
    {{ screened_columns(columns) }}
{%- endmacro %}

{#
    The screened indicators of villages and cadres in one relation (a whole select), told
    apart by unit_type (village | cadre).
#}
{% macro screened_indicators() -%}
    select 'village' as unit_type, * from {{ ref('int_village_indicators_screened') }}
    union all
    select 'cadre' as unit_type, * from {{ ref('int_cadre_indicators_screened') }}
{%- endmacro %}

{#
    How many of a unit's accountability flags (int_accountability_flags_listed) each year:
    a whole select over `flags`, the unit's id named `unit_key`.
#}
{% macro accountability_flag_counts(unit_key, flags='flags') -%}
    select
        unit_id as {{ unit_key }},
        year,
        count(*) as accountability_flags

    from {{ flags }}
    group by unit_id, year
{%- endmacro %}

{#
    A screened indicator beyond its 99.8% funnel limit on the unfavourable side: above it
    when lower is better, below it when higher is better (columns direction and
    funnel_position of screened_indicators).
#}
{% macro is_beyond_998_unfavourable() -%}
    (
        (direction = 'lower' and funnel_position = 'above_998')
        or (direction = 'higher' and funnel_position = 'below_998')
    )
{%- endmacro %}
