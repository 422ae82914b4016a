-- Villages that need attention (需关注村居) per year, most reasons first: a ranked indicator
-- beyond its 99.8% funnel limit on the unfavourable side this year, a probability of the
-- bottom decile of at least `attention_min_p_bottom_decile` (seed ranking_parameters), or
-- an accountability flag (beyond the limit for `accountability_periods` years running).
with

screened as (

    {{ screened_indicators() }}

),

assessed as (

    select * from {{ ref('int_village_years_assessed') }}

),

parameters as (

    select * from {{ ref('int_ranking_parameters_pivoted') }}

),

beyond as (

    select
        unit_id as village_code,
        year,
        count(*) as indicators_beyond_998,
        string_agg(indicator, ',' order by indicator) as beyond_998_indicators

    from screened
    where
        unit_type = 'village'
        and role = 'ranked'
        and {{ is_beyond_998_unfavourable() }}
    group by unit_id, year

),

reasons as (

    select
        assessed.year,
        assessed.village_code,
        assessed.town_code,
        assessed.population,
        assessed.petitions,
        assessed.petitions_per_1k,
        coalesce(beyond.indicators_beyond_998, 0) as indicators_beyond_998,
        beyond.beyond_998_indicators,
        assessed.p_bottom_decile,
        coalesce(assessed.p_bottom_decile >= parameters.attention_min_p_bottom_decile, false)
            as is_likely_bottom_decile,
        assessed.accountability_flags

    from assessed
    cross join parameters
    left join beyond
        on assessed.village_code = beyond.village_code and assessed.year = beyond.year

),

counted as (

    select
        *,
        cast(
            cast(indicators_beyond_998 > 0 as integer)
            + cast(is_likely_bottom_decile as integer)
            + cast(accountability_flags > 0 as integer)
            as integer
        ) as attention_reasons

    from reasons
    where
        indicators_beyond_998 > 0
        or is_likely_bottom_decile
        or accountability_flags > 0

),

final as (

    select
        *,
        row_number() over (
            partition by year
            order by
                attention_reasons desc,
                p_bottom_decile desc nulls last,
                village_code asc
        ) as attention_order

    from counted

)

select * from final
