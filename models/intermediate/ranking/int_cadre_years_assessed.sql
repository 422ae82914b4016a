-- Every cadre × year with at least one assigned item, assessed: its counts, the ranking
-- columns of CONTRACT §5 pivoted from the screened indicators (case-mix adjusted EB
-- estimate, funnel z and position of each ranked indicator of seed ranking_indicators),
-- its ranks, and the decisions with their evidence:
--   * accountability flags: how many of its indicators are flagged
--     (int_accountability_flags_listed);
--   * advanced-individual candidate (和谐信访十件新事 先进个人): eligible by the seed
--     candidate_eligibility (ranked; at least `min_items` items; registered if required; at
--     most `max_indicators_beyond_95` indicators beyond the 95% limit on the unfavourable
--     side; no accountability flag if required) and P(top decile) ≥ `min_p_top_decile`;
--     at most `max_candidates` per year, highest probability first (then the better median
--     rank, then cadre_id). An empty list is an honest answer.
--   * disqualified (is_disqualified): an accountability flag, or being named to account for
--     an item to the province or Beijing in a sensitive period that year (对号,
--     int_escalations_listed), disqualifies a cadre from the advanced-individual selection
--     when `exclude_accountability_flagged` is set; the one home of that rule (eligibility,
--     the nominees' evidence and the shortlist read it).
with

cadre_years as (

    select * from {{ ref('int_cadre_years_counted') }}

),

screened as (

    select * from {{ ref('int_cadre_indicators_screened') }}

),

ranked as (

    select * from {{ ref('int_cadre_years_ranked') }}

),

flags as (

    select * from {{ ref('int_accountability_flags_listed') }}
    where unit_type = 'cadre'

),

escalated as (

    select * from {{ ref('int_escalations_listed') }}

),

escalations as (

    select
        named.cadre_id,
        named.year,
        count(distinct named.case_id) as escalations_named

    from (
        select
            case_id,
            year,
            lead_cadre_id as cadre_id
        from escalated
        union all
        select
            case_id,
            year,
            responsible_cadre_id as cadre_id
        from escalated
    ) as named
    where named.cadre_id is not null
    group by named.cadre_id, named.year

),

registered as (

    select distinct cadre_id from {{ ref('stg_lake__cadres') }}

),

parameters as (

    select * from {{ ref('int_ranking_parameters_pivoted') }}

),

pivoted as (

    select
        unit_id as cadre_id,
        year,
        {{- ranking_columns('cadre') }}
        bool_or(is_case_mix_adjusted) as is_case_mix_adjusted,
        count(*) filter (
            where role = 'ranked'
            and (
                (direction = 'lower' and funnel_position in ('above_95', 'above_998'))
                or (direction = 'higher' and funnel_position in ('below_95', 'below_998'))
            )
        ) as indicators_beyond_95

    from screened
    group by unit_id, year

),

flag_counts as (

    {{ accountability_flag_counts('cadre_id') }}

),

joined as (

    select
        cadre_years.*,
        pivoted.* exclude (cadre_id, year),
        ranked.* exclude (unit_id, year),
        coalesce(flag_counts.accountability_flags, 0) as accountability_flags,
        coalesce(escalations.escalations_named, 0) as escalations_named,
        registered.cadre_id is not null as is_registered

    from cadre_years
    inner join pivoted
        on cadre_years.cadre_id = pivoted.cadre_id and cadre_years.year = pivoted.year
    inner join ranked
        on cadre_years.cadre_id = ranked.unit_id and cadre_years.year = ranked.year
    left join flag_counts
        on cadre_years.cadre_id = flag_counts.cadre_id and cadre_years.year = flag_counts.year
    left join escalations
        on cadre_years.cadre_id = escalations.cadre_id and cadre_years.year = escalations.year
    left join registered on cadre_years.cadre_id = registered.cadre_id

),

disqualified as (

    select
        joined.*,
        (joined.accountability_flags > 0 or joined.escalations_named > 0)
        and parameters.is_candidate_flag_excluding as is_disqualified

    from joined
    cross join parameters

),

eligibility as (

    select
        disqualified.*,
        not disqualified.is_insufficient_data
        and disqualified.cases_assigned >= parameters.candidate_min_items
        and (disqualified.is_registered or not parameters.is_candidate_registration_required)
        and disqualified.indicators_beyond_95 <= parameters.candidate_max_indicators_beyond_95
        and not disqualified.is_disqualified
            as is_candidate_eligible,
        parameters.candidate_min_p_top_decile,
        parameters.candidate_max_count

    from disqualified
    cross join parameters

),

ordered as (

    select
        *,
        case
            when is_candidate_eligible and p_top_decile >= candidate_min_p_top_decile
                then row_number() over (
                    partition by
                        year,
                        is_candidate_eligible and p_top_decile >= candidate_min_p_top_decile
                    order by p_top_decile desc, rank_median asc, cadre_id asc
                )
        end as candidate_order

    from eligibility

),

final as (

    select
        * exclude (candidate_order, candidate_min_p_top_decile, candidate_max_count),
        case when candidate_order <= candidate_max_count then candidate_order end
            as candidate_order,
        coalesce(candidate_order <= candidate_max_count, false) as is_advanced_candidate

    from ordered

)

select * from final
