-- Year-over-year change of each of the five indicators for the county and every town,
-- with its 95% rate-ratio interval (exact, conditional on the two years' total). The
-- change is ratio − 1: −0.35 is a 35% fall. Null ratio: no items the year before.
with

changes as (

    select * from {{ ref('int_indicator_changes_estimated') }}

),

final as (

    select
        scope_type,
        scope_code,
        year,
        indicator,
        count,
        count_prev_year,
        rate_ratio,
        rate_ratio_low,
        rate_ratio_high,
        rate_ratio - 1 as change,
        rate_ratio_low - 1 as change_low,
        rate_ratio_high - 1 as change_high,
        coalesce(rate_ratio_high < 1, false) as is_significant_fall,
        coalesce(rate_ratio_low > 1, false) as is_significant_rise

    from changes

)

select * from final
