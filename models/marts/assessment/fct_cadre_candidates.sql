-- Advanced-individual candidates (和谐信访十件新事 先进个人候选) per year: eligible cadres
-- (seed candidate_eligibility) whose probability of a top-decile rank reaches the seed
-- threshold, at most the seed's number, highest probability first. Empty when the data
-- cannot separate anyone: an honest answer.
with

assessed as (

    select * from {{ ref('int_cadre_years_assessed') }}

),

final as (

    select
        year,
        candidate_order,
        cadre_id,
        cases_assigned,
        p_top_decile,
        rank_median,
        rank_low,
        rank_high,
        ranked_units,
        composite_score,
        on_time_rate,
        on_time_rate_eb,
        ceased_rate,
        ceased_rate_eb,
        satisfaction_rate,
        satisfaction_rate_eb,
        repeats_after_close,
        repeats_per_closed_eb,
        escalations,
        escalations_per_item_eb,
        indicators_beyond_95,
        is_case_mix_adjusted

    from assessed
    where is_advanced_candidate

)

select * from final
