-- One row per town ever known (through its villages): its name in the latest year.
with

villages as (

    select * from {{ ref('int_villages_resolved_by_year') }}

),

per_town_year as (

    select
        town_code,
        year,
        max(town_name) as town_name,
        count(*) as villages,
        sum(population) as population

    from villages
    group by town_code, year

),

final as (

    select
        town_code,
        town_name,
        cast(villages as bigint) as villages,
        cast(population as bigint) as population,
        year as last_year

    from per_town_year
    qualify row_number() over (partition by town_code order by year desc) = 1

)

select * from final
