-- Every cadre × year with items, with the evidence of the advanced-individual selection
-- (和谐信访十件新事 先进个人评选): the counts and rates of fct_cadre_year, the exact 95%
-- interval of the on-time and ceased rates (int_cadre_rate_intervals_estimated), the rank
-- columns, the accountability flags and the disqualification they make
-- (int_cadre_years_assessed), and the order of the eligible cadres by posterior expected
-- rank: rank_median, then p_top_decile descending, then cadre_id. The nominees' evidence
-- and the proposed shortlist both read this model.
with

assessed as (

    select * from {{ ref('int_cadre_years_assessed') }}

),

intervals as (

    select * from {{ ref('int_cadre_rate_intervals_estimated') }}

),

joined as (

    select
        assessed.cadre_id,
        assessed.year,
        assessed.cases_assigned,
        assessed.closed,
        assessed.on_time,
        assessed.on_time_due,
        assessed.on_time_rate,
        intervals.on_time_rate_low,
        intervals.on_time_rate_high,
        assessed.ceased,
        assessed.ceased_rate,
        intervals.ceased_rate_low,
        intervals.ceased_rate_high,
        assessed.repeats_after_close,
        assessed.escalations,
        assessed.rated,
        assessed.satisfaction_rate,
        assessed.is_insufficient_data,
        assessed.ranked_units,
        assessed.rank_median,
        assessed.rank_low,
        assessed.rank_high,
        assessed.p_top_decile,
        assessed.accountability_flags,
        assessed.is_disqualified,
        case
            when assessed.is_disqualified and assessed.accountability_flags > 0
                then 'accountability_flag'
            when assessed.is_disqualified then 'escalation_accountability'
        end as disqualification_reason,
        assessed.is_registered,
        assessed.is_candidate_eligible

    from assessed
    left join intervals
        on assessed.cadre_id = intervals.cadre_id and assessed.year = intervals.year

),

final as (

    select
        *,
        case
            when is_candidate_eligible
                then row_number() over (
                    partition by year, is_candidate_eligible
                    order by rank_median asc, p_top_decile desc, cadre_id asc
                )
        end as eligible_order

    from joined

)

select * from final
