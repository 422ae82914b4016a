-- Every known village × year with its five indicators and the model-village standard
-- (CONTRACT §3 definition 17; thresholds from the village_standards seed).
with

villages as (

    select * from {{ ref('int_villages_resolved_by_year') }}

),

cases as (

    select * from {{ ref('int_cases_joined') }}

),

standards as (

    select * from {{ ref('village_standards') }}

),

thresholds as (

    select
        {{ pivot_seed('indicator', {
            'petitions_per_1k': 'double', 'repeat_petitions': 'double',
            'skip_level_petitions': 'double', 'collective_petitions': 'double',
            'abnormal_petitions': 'double',
        }, value_column='max_value', prefix='max_') }}

    from standards

),

counts as (

    select
        village_code,
        received_year as year,
        {{ five_indicator_counts() }},
        count(*) filter (where is_first_time) as first_time_petitions,
        {{ first_time_closure_counts() }},
        {{ satisfaction_counts() }}

    from cases
    where is_known_village
    group by village_code, received_year

),

joined as (

    select
        villages.village_code,
        villages.year,
        villages.town_code,
        villages.population,
        {{ zero_filled('counts', [
            'petitions', 'repeat_petitions', 'skip_level_petitions', 'collective_petitions',
            'abnormal_petitions', 'visits', 'first_time_due', 'first_time_closed_within_30d',
            'rated', 'rated_satisfied', 'rated_basically_satisfied',
        ]) }},
        {{ per_1k('coalesce(counts.petitions, 0)', 'villages.population') }} as petitions_per_1k

    from villages
    left join counts
        on villages.village_code = counts.village_code and villages.year = counts.year

),

checked as (

    select
        joined.*,
        joined.petitions_per_1k <= thresholds.max_petitions_per_1k
            as is_per_1k_within_standard,
        joined.repeat_petitions <= thresholds.max_repeat_petitions
            as is_repeat_within_standard,
        joined.skip_level_petitions <= thresholds.max_skip_level_petitions
            as is_skip_level_within_standard,
        joined.collective_petitions <= thresholds.max_collective_petitions
            as is_collective_within_standard,
        joined.abnormal_petitions <= thresholds.max_abnormal_petitions
            as is_abnormal_within_standard

    from joined
    cross join thresholds

),

final as (

    select
        *,
        is_per_1k_within_standard
        and is_repeat_within_standard
        and is_skip_level_within_standard
        and is_collective_within_standard
        and is_abnormal_within_standard as is_meets_standard

    from checked

)

select * from final
