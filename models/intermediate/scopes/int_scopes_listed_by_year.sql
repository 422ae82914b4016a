-- The reporting scopes: the county and every town known in any year of the warehouse (a
-- town is known through its villages, CONTRACT §3 "Villages by year"), each × every year,
-- so a town's quiet years show as zeros (CONTRACT §4: "county and every town × year").
with

years as (

    select * from {{ ref('int_years_spined') }}

),

villages as (

    select * from {{ ref('int_villages_resolved_by_year') }}

),

county as (

    select
        'county' as scope_type,
        'county' as scope_code,
        year

    from years

),

towns as (

    select distinct
        'town' as scope_type,
        villages.town_code as scope_code,
        years.year

    from villages
    cross join years

),

final as (

    select * from county
    union all
    select * from towns

)

select * from final
