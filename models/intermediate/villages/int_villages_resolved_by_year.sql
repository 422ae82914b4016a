-- Villages by year (CONTRACT §3, reading rules): a village is known in a year when a
-- villages row holds for that year; a row with a year overrides the all-years row.
-- Years run from the first received year to the year of as_of.
with

villages as (

    select * from {{ ref('stg_lake__villages') }}

),

years as (

    select * from {{ ref('int_years_spined') }}

),

all_years_rows as (

    select
        villages.*,
        years.year as applies_year,
        2 as priority

    from villages
    cross join years
    where villages.is_all_years

),

year_rows as (

    select
        villages.*,
        villages.year as applies_year,
        1 as priority

    from villages
    inner join years on villages.year = years.year

),

candidates as (

    select * from year_rows
    union all
    select * from all_years_rows

),

final as (

    select
        village_code,
        applies_year as year,
        village_name,
        town_code,
        town_name,
        kind,
        population

    from candidates
    qualify row_number() over (
        partition by village_code, applies_year order by priority
    ) = 1

)

select * from final
