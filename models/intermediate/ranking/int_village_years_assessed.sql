-- Every known village × year assessed: its counts, the ranking columns of CONTRACT §5 pivoted
-- from the screened indicators (EB estimate, funnel z and position of each ranked
-- indicator of seed ranking_indicators), its ranks, and the decisions with their evidence:
--   * under-registration signal: items from the village lodged above the county beyond the
--     `under_registration_level` funnel limit (at least `under_registration_min_above_items`
--     of them) while its local registrations per 1,000 (EB) are at most
--     `under_registration_local_ratio` × the county's;
--   * model village (和谐信访示范村居): meets the standard (definition 17) and carries no
--     under-registration signal;
--   * accountability flags: how many of its indicators are flagged
--     (int_accountability_flags_listed).
with

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
        {{- ranking_columns('village') }}
        {{- screened_columns({
            'petitions_per_1k': {'eb_weight': 'petitions_per_1k_eb_weight'},
            'local_petitions_per_1k': {
                'eb_estimate': 'local_petitions_per_1k_eb',
                'pooled_value': 'county_local_petitions_per_1k',
            },
            'above_county_petitions_per_1k': {
                'raw_value': 'above_county_petitions_per_1k',
                'eb_estimate': 'above_county_petitions_per_1k_eb',
                'z': 'above_county_petitions_per_1k_z',
                'funnel_position': 'above_county_petitions_per_1k_funnel',
                'pooled_value': 'county_above_county_petitions_per_1k',
                'limit_95_high': 'above_county_limit_95_high',
                'limit_998_high': 'above_county_limit_998_high',
            },
        }) }}
        unit_id as village_code,
        year

    from screened
    group by unit_id, year

),

flag_counts as (

    {{ accountability_flag_counts('village_code') }}

),

joined as (

    select
        for_ranking.* exclude (rated_satisfied, rated_basically_satisfied),
        for_ranking.first_time_closed_within_30d
        / nullif(for_ranking.first_time_due, 0) as first_time_closure_rate,
        for_ranking.satisfaction_score / nullif(for_ranking.rated, 0) as satisfaction_rate,
        pivoted.* exclude (village_code, year),
        ranked.* exclude (unit_id, year),
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

    from for_ranking
    cross join parameters
    inner join pivoted
        on
            for_ranking.village_code = pivoted.village_code
            and for_ranking.year = pivoted.year
    inner join ranked
        on
            for_ranking.village_code = ranked.unit_id
            and for_ranking.year = ranked.year
    left join flag_counts
        on
            for_ranking.village_code = flag_counts.village_code
            and for_ranking.year = flag_counts.year

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
