-- County and towns × year: the counts behind 一低四控 and handling performance, and the
-- scope's population.
with

scopes as (

    select * from {{ ref('int_scopes_listed_by_year') }}

),

cases as (

    select * from {{ ref('int_cases_assigned_to_scopes') }}

),

counts as (

    select
        scope_type,
        scope_code,
        received_year as year,
        {{ five_indicator_counts() }},
        count(*) filter (where is_visit and is_repeat) as repeat_visits,
        count(*) filter (where is_to_province_or_central) as to_province_or_central,
        count(*) filter (where is_in_sensitive_period) as in_sensitive_period,
        {{ first_time_closure_counts() }},
        {{ handling_counts() }},
        count(*) filter (where is_shelved) as shelved,
        count(*) filter (where is_lead) as leads,
        count(*) filter (where is_lead and is_case_opened) as cases_opened,
        count(*) filter (where is_accepted_on_time) as accepted_on_time,
        count(*) filter (where is_accepted_on_time is not null) as accepted_due,
        count(*) filter (where is_feedback_on_time) as feedback_on_time,
        count(*) filter (where is_feedback_on_time is not null) as feedback_due,
        count(*) filter (where is_real_name) as real_name,
        count(*) filter (where channel = 'letter') as letters,
        median(days_to_close) filter (where is_real_name) as median_days_to_close_real_name,
        median(days_to_close) filter (where not is_real_name)
            as median_days_to_close_anonymous

    from cases
    group by scope_type, scope_code, received_year

),

final as (

    select
        scopes.scope_type,
        scopes.scope_code,
        scopes.year,
        scopes.population,
        {{ zero_filled('counts', [
            'petitions', 'repeat_petitions', 'skip_level_petitions',
            'collective_petitions', 'abnormal_petitions', 'visits', 'repeat_visits',
            'visit_person_times', 'to_province_or_central', 'in_sensitive_period',
            'first_time_due', 'first_time_closed_within_30d', 'shelved', 'leads',
            'cases_opened', 'closed', 'on_time', 'on_time_due', 'accepted_on_time',
            'accepted_due', 'feedback_on_time', 'feedback_due', 'rated',
            'rated_satisfied', 'rated_basically_satisfied', 'ceased', 'real_name',
            'letters',
        ], cast_to='bigint') }},
        counts.median_days_to_close_real_name,
        counts.median_days_to_close_anonymous

    from scopes
    left join counts
        on
            scopes.scope_type = counts.scope_type
            and scopes.scope_code = counts.scope_code
            and scopes.year = counts.year

)

select * from final
