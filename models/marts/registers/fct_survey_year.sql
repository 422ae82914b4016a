-- 党务投诉公开满意度调查 per year × scope (the county with every survey of the year, each
-- town with its own): surveys, respondents, satisfied and the satisfaction rate with its
-- exact 95% interval (int_survey_rate_intervals_estimated). Empty when no survey was
-- delivered.
with

counted as (

    select * from {{ ref('int_survey_years_counted') }}

),

intervals as (

    select * from {{ ref('int_survey_rate_intervals_estimated') }}

),

final as (

    select
        counted.scope_type,
        counted.scope_code,
        counted.year,
        counted.surveys,
        counted.respondents,
        counted.satisfied,
        cast(counted.satisfied as double)
        / nullif(counted.respondents, 0) as satisfaction_rate,
        cast(intervals.satisfaction_rate_low as double) as satisfaction_rate_low,
        cast(intervals.satisfaction_rate_high as double) as satisfaction_rate_high

    from counted
    left join intervals
        on
            counted.scope_code = intervals.scope_code
            and counted.year = intervals.year

)

select * from final
