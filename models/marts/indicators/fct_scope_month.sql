-- County and towns × month: the five indicators' monthly series for the trend charts,
-- zeros included. Items without a known village count in the county only.
with

scopes as (

    select * from {{ ref('int_scopes_listed_by_year') }}

),

months as (

    select * from {{ ref('int_months_spined') }}

),

cases as (

    select * from {{ ref('int_cases_assigned_to_scopes') }}

),

scope_months as (

    select
        scopes.scope_type,
        scopes.scope_code,
        months.month_start

    from scopes
    inner join months on scopes.year = months.year

),

counts as (

    select
        scope_type,
        scope_code,
        received_month as month_start,
        {{ five_indicator_counts() }},
        count(*) filter (where channel = 'letter') as letters

    from cases
    group by scope_type, scope_code, received_month

),

final as (

    select
        scope_months.scope_type,
        scope_months.scope_code,
        scope_months.month_start,
        {{ zero_filled('counts', [
            'petitions', 'repeat_petitions', 'skip_level_petitions', 'collective_petitions',
            'abnormal_petitions', 'visits', 'letters', 'visit_person_times',
        ]) }}

    from scope_months
    left join counts
        on
            scope_months.scope_type = counts.scope_type
            and scope_months.scope_code = counts.scope_code
            and scope_months.month_start = counts.month_start

)

select * from final
