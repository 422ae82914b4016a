-- Every cadre × year with at least one assigned item (CONTRACT §4): the counts of
-- int_cadre_years_counted (the year is the received year of the cadre's item; repeats after
-- close and escalations count distinct later items on the same matter), the ranking columns
-- of §5 (case-mix adjusted where the data allow) and the decisions built on them
-- (int_cadre_years_assessed).
with

assessed as (

    select * from {{ ref('int_cadre_years_assessed') }}

),

final as (

    select
        cadre_id,
        year,
        cases_as_lead,
        cases_as_responsible,
        closed,
        on_time_rate,
        ceased_rate,
        satisfaction_rate,
        repeats_after_close,
        escalations,
        cases_assigned,
        on_time,
        on_time_due,
        ceased,
        rated,
        on_time_rate_eb,
        on_time_rate_z,
        on_time_rate_funnel,
        ceased_rate_eb,
        ceased_rate_z,
        ceased_rate_funnel,
        satisfaction_rate_eb,
        satisfaction_rate_z,
        satisfaction_rate_funnel,
        repeats_per_closed_eb,
        repeats_per_closed_z,
        repeats_per_closed_funnel,
        escalations_per_item_eb,
        escalations_per_item_z,
        escalations_per_item_funnel,
        is_case_mix_adjusted,
        is_insufficient_data,
        ranked_units,
        composite_score,
        rank_median,
        rank_low,
        rank_high,
        p_top_decile,
        p_bottom_decile,
        indicators_beyond_95,
        accountability_flags,
        is_registered,
        is_candidate_eligible,
        candidate_order,
        is_advanced_candidate

    from assessed

)

select * from final
