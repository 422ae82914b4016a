-- Handling performance for the county and every town × year (CONTRACT §3 definitions
-- 10–15, §4). Rates are null when their denominator is zero.
with

scope_years as (

    select * from {{ ref('int_scope_years_counted') }}

),

parameters as (

    select * from {{ ref('int_parameters_pivoted') }}

),

final as (

    select
        scope_years.scope_type,
        scope_years.scope_code,
        scope_years.year,
        scope_years.petitions,
        scope_years.first_time_due,
        scope_years.first_time_closed_within_30d,
        scope_years.first_time_closed_within_30d
        / nullif(scope_years.first_time_due, 0) as first_time_closure_rate,
        scope_years.shelved,
        scope_years.shelved / nullif(scope_years.petitions, 0) as shelved_share,
        scope_years.leads,
        scope_years.cases_opened,
        scope_years.cases_opened / nullif(scope_years.leads, 0) as case_conversion_rate,
        scope_years.closed,
        scope_years.on_time,
        scope_years.on_time_due,
        scope_years.on_time / nullif(scope_years.on_time_due, 0) as on_time_rate,
        scope_years.accepted_on_time
        / nullif(scope_years.accepted_due, 0) as accepted_on_time_rate,
        scope_years.feedback_on_time
        / nullif(scope_years.feedback_due, 0) as feedback_on_time_rate,
        scope_years.rated,
        {{ satisfaction_score('scope_years') }} as satisfaction_score,
        {{ satisfaction_rate('scope_years') }} as satisfaction_rate,
        scope_years.ceased,
        scope_years.ceased / nullif(scope_years.closed, 0) as ceased_rate,
        scope_years.real_name / nullif(scope_years.petitions, 0) as real_name_share,
        scope_years.visits / nullif(scope_years.petitions, 0) as visit_share,
        scope_years.visits,
        scope_years.letters,
        scope_years.real_name,
        scope_years.accepted_on_time,
        scope_years.accepted_due,
        scope_years.feedback_on_time,
        scope_years.feedback_due,
        scope_years.median_days_to_close_real_name,
        scope_years.median_days_to_close_anonymous

    from scope_years
    cross join parameters

)

select * from final
