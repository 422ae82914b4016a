-- Each item once for the county and once more for its own scope: its town when its village
-- is known that year, else one of the two no-town scopes (CONTRACT §4 "Scopes add up"):
-- `county_level` (no village code, or the county's own code) or `unknown_village`. Every
-- scope's figures come from one aggregation, and the county is the sum of the others.
with

cases as (

    select * from {{ ref('int_cases_joined') }}

),

parameters as (

    select * from {{ ref('int_parameters_pivoted') }}

),

county as (

    select
        'county' as scope_type,
        'county' as scope_code,
        cases.*

    from cases

),

own_scopes as (

    select
        case when cases.town_code is null then 'no_town' else 'town' end as scope_type,
        case
            when cases.town_code is not null then cases.town_code
            when
                coalesce(trim(cases.village_code), '') in ('', parameters.county_code)
                then 'county_level'
            else 'unknown_village'
        end as scope_code,
        cases.*

    from cases
    cross join parameters

),

final as (

    select * from county
    union all
    select * from own_scopes

)

select * from final
