-- Every known village × year with the counts its ranked and signal indicators need (seed
-- ranking_indicators): its counts (int_village_years_counted), the satisfaction score, and
-- where its items were lodged — locally (village, town, county)
-- or above the county (city, province, central), for the under-registration signal.
with

village_years as (

    select * from {{ ref('int_village_years_counted') }}

),

cases as (

    select * from {{ ref('int_cases_joined') }}

),

levels as (

    select * from {{ ref('vocabularies') }}
    where vocabulary = 'level'

),

parameters as (

    select * from {{ ref('int_parameters_pivoted') }}

),

county_level as (

    select sort_order as county_rank
    from levels
    where code = 'county'

),

lodged as (

    select
        cases.village_code,
        cases.received_year as year,
        count(*) filter (where levels.sort_order <= county_level.county_rank)
            as local_petitions,
        count(*) filter (where levels.sort_order > county_level.county_rank)
            as above_county_petitions

    from cases
    inner join levels on cases.petition_level = levels.code
    cross join county_level
    where cases.is_known_village
    group by cases.village_code, cases.received_year

),

final as (

    select
        village_years.*,
        {{ satisfaction_score('village_years') }} as satisfaction_score,
        coalesce(lodged.local_petitions, 0) as local_petitions,
        coalesce(lodged.above_county_petitions, 0) as above_county_petitions

    from village_years
    cross join parameters
    left join lodged
        on
            village_years.village_code = lodged.village_code
            and village_years.year = lodged.year

)

select * from final
