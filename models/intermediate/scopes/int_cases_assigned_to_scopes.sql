-- Each item once for the county and once more for its town (when its village is known
-- that year), so every scope's figures come from one aggregation.
with

cases as (

    select * from {{ ref('int_cases_joined') }}

),

county as (

    select
        'county' as scope_type,
        'county' as scope_code,
        cases.*

    from cases

),

towns as (

    select
        'town' as scope_type,
        cases.town_code as scope_code,
        cases.*

    from cases
    where cases.town_code is not null

),

final as (

    select * from county
    union all
    select * from towns

)

select * from final
