-- Every known village × year assessed: its counts, the ranking columns of CONTRACT §5 pivoted
-- from the screened indicators (EB estimate, funnel z and position of each ranked
-- indicator), its ranks, and the decisions with their evidence:
--   * under-registration signal: items from the village lodged above the county beyond the
--     `under_registration_level` funnel limit (at least `under_registration_min_above_items`
--     of them) while its local registrations per 1,000 (EB) are at most
--     `under_registration_local_ratio` × the county's;
--   * model village (和谐信访示范村居): meets the standard (definition 17) and carries no
--     under-registration signal;
--   * accountability flags: how many of its indicators are flagged (int_accountability_flags_listed).
{%- set ranked = [
    'petitions_per_1k',
    'repeat_petitions_per_1k',
    'skip_level_petitions_per_1k',
    'collective_petitions_per_1k',
    'abnormal_petitions_per_1k',
    'first_time_closure_rate',
    'satisfaction_rate',
] %}
with

village_years as (

    select * from {{ ref('int_village_years_counted') }}

),

for_ranking as (

    select * from {{ ref('int_village_years_for_ranking') }}

),

screened as (

    select * from {{ ref('int_village_indicators_screened') }}

),

ranked as (

    select * from {{ ref('int_village_years_ranked') }}

),

flags as (

    select * from {{ ref('int_accountability_flags_listed') }}
    where unit_type = 'village'

),

parameters as (

    select * from {{ ref('int_ranking_parameters_pivoted') }}

),

pivoted as (

    select
        unit_id as village_code,
        year,
        {%- for indicator in ranked %}
        max(case when indicator = '{{ indicator }}' then eb_estimate end)
            as {{ indicator }}_eb,
        max(case when indicator = '{{ indicator }}' then z end) as {{ indicator }}_z,
        max(case when indicator = '{{ indicator }}' then funnel_position end)
            as {{ indicator }}_funnel,
        {%- endfor %}
        max(case when indicator = 'petitions_per_1k' then eb_weight end)
            as petitions_per_1k_eb_weight,
        max(case when indicator = 'local_petitions_per_1k' then eb_estimate end)
            as local_petitions_per_1k_eb,
        max(case when indicator = 'local_petitions_per_1k' then pooled_value end)
            as county_local_petitions_per_1k,
        max(case when indicator = 'above_county_petitions_per_1k' then raw_value end)
            as above_county_petitions_per_1k,
        max(case when indicator = 'above_county_petitions_per_1k' then eb_estimate end)
            as above_county_petitions_per_1k_eb,
        max(case when indicator = 'above_county_petitions_per_1k' then z end)
            as above_county_petitions_per_1k_z,
        max(case when indicator = 'above_county_petitions_per_1k' then funnel_position end)
            as above_county_petitions_per_1k_funnel,
        max(case when indicator = 'above_county_petitions_per_1k' then pooled_value end)
            as county_above_county_petitions_per_1k,
        max(case when indicator = 'above_county_petitions_per_1k' then limit_95_high end)
            as above_county_limit_95_high,
        max(case when indicator = 'above_county_petitions_per_1k' then limit_998_high end)
            as above_county_limit_998_high

    from screened
    group by unit_id, year

),

flag_counts as (

    select
        unit_id as village_code,
        year,
        count(*) as accountability_flags

    from flags
    group by unit_id, year

),

joined as (

    select
        village_years.village_code,
        village_years.year,
        village_years.town_code,
        village_years.population,
        village_years.petitions,
        village_years.repeat_petitions,
        village_years.skip_level_petitions,
        village_years.collective_petitions,
        village_years.abnormal_petitions,
        village_years.petitions_per_1k,
        village_years.is_meets_standard,
        village_years.visits,
        village_years.is_per_1k_within_standard,
        village_years.is_repeat_within_standard,
        village_years.is_skip_level_within_standard,
        village_years.is_collective_within_standard,
        village_years.is_abnormal_within_standard,
        village_years.first_time_due,
        village_years.first_time_closed_within_30d,
        village_years.first_time_closed_within_30d
        / nullif(village_years.first_time_due, 0) as first_time_closure_rate,
        village_years.rated,
        for_ranking.satisfaction_score / nullif(village_years.rated, 0) as satisfaction_rate,
        for_ranking.local_petitions,
        for_ranking.above_county_petitions,
        pivoted.* exclude (village_code, year),
        ranked.is_insufficient_data,
        ranked.ranked_units,
        ranked.composite_score,
        ranked.rank_median,
        ranked.rank_low,
        ranked.rank_high,
        ranked.p_top_decile,
        ranked.p_bottom_decile,
        coalesce(flag_counts.accountability_flags, 0) as accountability_flags,
        (
            case
                when parameters.under_registration_level >= 0.998
                    then pivoted.above_county_petitions_per_1k_funnel = 'above_998'
                else pivoted.above_county_petitions_per_1k_funnel in ('above_95', 'above_998')
            end
            and for_ranking.above_county_petitions
            >= parameters.under_registration_min_above_items
            and pivoted.local_petitions_per_1k_eb
            <= parameters.under_registration_local_ratio
            * pivoted.county_local_petitions_per_1k
        ) as under_registration_test

    from village_years
    cross join parameters
    inner join for_ranking
        on village_years.village_code = for_ranking.village_code
        and village_years.year = for_ranking.year
    inner join pivoted
        on village_years.village_code = pivoted.village_code
        and village_years.year = pivoted.year
    inner join ranked
        on village_years.village_code = ranked.unit_id
        and village_years.year = ranked.year
    left join flag_counts
        on village_years.village_code = flag_counts.village_code
        and village_years.year = flag_counts.year

),

final as (

    select
        *,
        coalesce(under_registration_test, false) as is_under_registration_signal,
        is_meets_standard and not coalesce(under_registration_test, false)
            as is_model_village

    from joined

)

select * exclude (under_registration_test) from final
