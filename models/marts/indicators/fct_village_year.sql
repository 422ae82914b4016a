-- Every known village × year: the five indicators, petitions per 1,000 residents and the
-- model-village standard (CONTRACT §4). Ranking columns (§5) join here in issue 4.
with

village_years as (

    select * from {{ ref('int_village_years_counted') }}

),

final as (

    select
        village_code,
        year,
        town_code,
        population,
        petitions,
        repeat_petitions,
        skip_level_petitions,
        collective_petitions,
        abnormal_petitions,
        petitions_per_1k,
        is_meets_standard,
        visits,
        is_per_1k_within_standard,
        is_repeat_within_standard,
        is_skip_level_within_standard,
        is_collective_within_standard,
        is_abnormal_within_standard

    from village_years

)

select * from final
