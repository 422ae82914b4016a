-- The reporting scopes: the county and every town known in any year of the warehouse (a
-- town is known through its villages, CONTRACT §3 "Villages by year"), each × every year,
-- so a town's quiet years show as zeros (CONTRACT §4: "county and every town × year"), with
-- the population of the scope's villages known that year (null in a town's years without
-- a known village), and the two no-town scopes of CONTRACT §4 (`county_level`,
-- `unknown_village`) in every year, with no population.
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
        years.year,
        cast(sum(villages.population) as bigint) as population

    from years
    left join villages on years.year = villages.year
    group by years.year

),

towns as (

    select
        'town' as scope_type,
        villages.town_code as scope_code,
        years.year,
        cast(sum(villages.population) filter (where villages.year = years.year) as bigint)
            as population

    from villages
    cross join years
    group by villages.town_code, years.year

),

no_town as (

    select
        'no_town' as scope_type,
        codes.scope_code,
        years.year,
        cast(null as bigint) as population

    from years
    cross join (values ('county_level'), ('unknown_village')) as codes (scope_code)

),

final as (

    select * from county
    union all
    select * from towns
    union all
    select * from no_town

)

select * from final
