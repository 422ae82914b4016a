-- 一低四控 per scope (county; each town) and year (CONTRACT §3 definition 18, §4), with
-- the scope's population and its items per 1,000 residents.
-- The previous-year twins are null when the scope has no previous year (the first year of
-- data, or a town not yet known the year before), and so are the flags: null, not false.
with

scope_years as (

    select * from {{ ref('int_scope_years_counted') }}

),

with_previous as (

    select
        current_year.*,
        {% for column in [
            'petitions', 'repeat_petitions', 'skip_level_petitions',
            'collective_petitions', 'abnormal_petitions'
        ] %}
        previous_year.{{ column }} as {{ column }}_prev_year{{ "," if not loop.last }}
    {% endfor %}

    from scope_years as current_year
    left join scope_years as previous_year
        on
            current_year.scope_type = previous_year.scope_type
            and current_year.scope_code = previous_year.scope_code
            and current_year.year = previous_year.year + 1

),

final as (

    select
        scope_type,
        scope_code,
        year,
        petitions,
        petitions_prev_year,
        repeat_petitions,
        repeat_petitions_prev_year,
        skip_level_petitions,
        skip_level_petitions_prev_year,
        collective_petitions,
        collective_petitions_prev_year,
        abnormal_petitions,
        abnormal_petitions_prev_year,
        visits,
        repeat_visits,
        repeat_visits / nullif(visits, 0) as repeat_visit_share,
        petitions <= petitions_prev_year as is_low_running,
        repeat_petitions <= repeat_petitions_prev_year as is_repeat_controlled,
        skip_level_petitions <= skip_level_petitions_prev_year
            as is_skip_level_controlled,
        collective_petitions <= collective_petitions_prev_year
            as is_collective_controlled,
        abnormal_petitions <= abnormal_petitions_prev_year as is_abnormal_controlled,
        visit_person_times,
        to_province_or_central,
        in_sensitive_period,
        population,
        {{ per_1k('petitions', 'population') }} as petitions_per_1k

    from with_previous

)

select * from final
