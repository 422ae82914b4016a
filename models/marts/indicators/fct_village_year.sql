-- Every known village × year: the five indicators, petitions per 1,000 residents and the
-- model-village standard (CONTRACT §4), the handling quality of its items, and the ranking
-- columns of §5 with the decisions built on them (int_village_years_assessed).
with

assessed as (

    select * from {{ ref('int_village_years_assessed') }}

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
        is_abnormal_within_standard,
        first_time_due,
        first_time_closed_within_30d,
        first_time_closure_rate,
        rated,
        satisfaction_score,
        satisfaction_rate,
        local_petitions,
        above_county_petitions,
        petitions_per_1k_eb,
        petitions_per_1k_z,
        petitions_per_1k_funnel,
        repeat_petitions_per_1k_eb,
        repeat_petitions_per_1k_z,
        repeat_petitions_per_1k_funnel,
        skip_level_petitions_per_1k_eb,
        skip_level_petitions_per_1k_z,
        skip_level_petitions_per_1k_funnel,
        collective_petitions_per_1k_eb,
        collective_petitions_per_1k_z,
        collective_petitions_per_1k_funnel,
        abnormal_petitions_per_1k_eb,
        abnormal_petitions_per_1k_z,
        abnormal_petitions_per_1k_funnel,
        first_time_closure_rate_eb,
        first_time_closure_rate_z,
        first_time_closure_rate_funnel,
        satisfaction_rate_eb,
        satisfaction_rate_z,
        satisfaction_rate_funnel,
        petitions_per_1k_eb_weight,
        is_insufficient_data,
        ranked_units,
        composite_score,
        rank_median,
        rank_low,
        rank_high,
        p_top_decile,
        p_bottom_decile,
        local_petitions_per_1k_eb,
        above_county_petitions_per_1k_eb,
        above_county_petitions_per_1k_funnel,
        is_under_registration_signal,
        accountability_flags,
        is_model_village

    from assessed

)

select * from final
