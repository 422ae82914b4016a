-- Accountability flags (问责提示) for villages and cadres: an indicator beyond the
-- overdispersion-adjusted 99.8% funnel limit on the unfavourable side, persistently
-- (`accountability_periods` consecutive years), with this year's and last year's numbers.
with

flags as (

    select * from {{ ref('int_accountability_flags_listed') }}

),

final as (

    select
        unit_type,
        unit_id,
        year,
        indicator,
        direction,
        years_beyond,
        observed,
        denominator,
        value,
        target,
        limit_998,
        z,
        funnel_position,
        is_overdispersed,
        is_case_mix_adjusted,
        observed_prev_year,
        denominator_prev_year,
        value_prev_year,
        target_prev_year,
        limit_998_prev_year,
        z_prev_year,
        funnel_position_prev_year

    from flags

)

select * from final
