-- Possible under-registration (疑似漏登) per village and year: items from the village
-- lodged above the county (city, province, central) beyond the funnel limit for its size,
-- while its local registrations per 1,000 residents (EB) are no higher than the county's
-- (parameters in seed ranking_parameters). Each row carries the numbers that raised it.
with

assessed as (

    select * from {{ ref('int_village_years_assessed') }}

),

parameters as (

    select * from {{ ref('int_ranking_parameters_pivoted') }}

),

final as (

    select
        assessed.year,
        assessed.village_code,
        assessed.town_code,
        assessed.population,
        assessed.petitions,
        assessed.local_petitions,
        1000.0 * assessed.local_petitions / assessed.population as local_petitions_per_1k,
        assessed.local_petitions_per_1k_eb,
        assessed.county_local_petitions_per_1k,
        assessed.above_county_petitions,
        assessed.above_county_petitions_per_1k,
        assessed.above_county_petitions_per_1k_eb,
        assessed.county_above_county_petitions_per_1k,
        case
            when parameters.under_registration_level >= 0.998
                then assessed.above_county_limit_998_high
            else assessed.above_county_limit_95_high
        end as above_county_limit,
        assessed.above_county_petitions_per_1k_z,
        assessed.above_county_petitions_per_1k_funnel,
        assessed.skip_level_petitions,
        assessed.is_meets_standard

    from assessed
    cross join parameters
    where assessed.is_under_registration_signal

)

select * from final
