-- Accountability flags (问责提示): a village or cadre whose ranked indicator lies beyond the
-- overdispersion-adjusted 99.8% funnel limit on the unfavourable side (above it when lower
-- is better, below it when higher is better) in each of `accountability_periods`
-- consecutive years ending with this one. One row per unit × year × indicator flagged, with
-- the numbers that raised it: this year's and the previous year's observed count,
-- denominator, value, target, limit and z.
with

screened as (

    {{ screened_indicators() }}

),

parameters as (

    select * from {{ ref('int_ranking_parameters_pivoted') }}

),

beyond as (

    select
        *,
        case when direction = 'lower' then limit_998_high else limit_998_low end
            as limit_998_unfavourable

    from screened
    where
        role = 'ranked'
        and {{ is_beyond_998_unfavourable() }}

),

persistence as (

    select
        beyond.unit_type,
        beyond.unit_id,
        beyond.indicator,
        beyond.year,
        count(*) as years_beyond

    from beyond
    cross join parameters
    inner join beyond as earlier
        on
            beyond.unit_type = earlier.unit_type
            and beyond.unit_id = earlier.unit_id
            and beyond.indicator = earlier.indicator
            and earlier.year between beyond.year - parameters.accountability_periods + 1
            and beyond.year
    group by beyond.unit_type, beyond.unit_id, beyond.indicator, beyond.year

),

flagged as (

    select persistence.*
    from persistence
    cross join parameters
    where persistence.years_beyond >= parameters.accountability_periods

),

final as (

    select
        flagged.unit_type,
        flagged.unit_id,
        flagged.year,
        flagged.indicator,
        this_year.direction,
        flagged.years_beyond,
        this_year.observed,
        this_year.denominator,
        this_year.funnel_value as value,
        this_year.funnel_target as target,
        this_year.limit_998_unfavourable as limit_998,
        this_year.z,
        this_year.funnel_position,
        this_year.is_overdispersed,
        this_year.is_case_mix_adjusted,
        previous_year.observed as observed_prev_year,
        previous_year.denominator as denominator_prev_year,
        previous_year.funnel_value as value_prev_year,
        previous_year.funnel_target as target_prev_year,
        previous_year.limit_998_unfavourable as limit_998_prev_year,
        previous_year.z as z_prev_year,
        previous_year.funnel_position as funnel_position_prev_year

    from flagged
    inner join beyond as this_year
        on
            flagged.unit_type = this_year.unit_type
            and flagged.unit_id = this_year.unit_id
            and flagged.indicator = this_year.indicator
            and flagged.year = this_year.year
    left join beyond as previous_year
        on
            flagged.unit_type = previous_year.unit_type
            and flagged.unit_id = previous_year.unit_id
            and flagged.indicator = previous_year.indicator
            and flagged.year - 1 = previous_year.year

)

select * from final
