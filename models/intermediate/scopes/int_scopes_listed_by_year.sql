-- The reporting scopes of each year: the county, and every town known that year
-- (a town is known through its villages, CONTRACT §3 "Villages by year").
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
        town_code as scope_code,
        year

    from villages

),

final as (

    select * from county
    union all
    select * from towns

)

select * from final
