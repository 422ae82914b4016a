-- The advanced individuals of 和谐信访十件新事 (先进个人评选): one row per year × nominated
-- cadre (基层申报, stg_lake__nominations) with the evidence for the committee
-- (int_cadre_years_evidenced), the deed type, the nominating unit and the committee's
-- decision with its reason. A nominee without items that year is still listed: its counts
-- are zero, its rates and ranks null, and is_without_items says so. An accountability flag
-- disqualifies (is_disqualified, disqualification_reason). shortlist_order is the
-- nominee's place on the proposed shortlist (fct_cadre_shortlist), if on it.
with

nominations as (

    select * from {{ ref('stg_lake__nominations') }}

),

evidenced as (

    select * from {{ ref('int_cadre_years_evidenced') }}

),

registered as (

    select cadre_id from {{ ref('stg_lake__cadres') }}

),

parameters as (

    select * from {{ ref('int_ranking_parameters_pivoted') }}

),

joined as (

    select
        nominations.year,
        nominations.cadre_id,
        nominations.nominating_unit,
        nominations.deed_type,
        nominations.decision,
        nominations.decision_reason,
        nominations.is_decided,
        nominations.deliveries,
        registered.cadre_id is not null as is_registered,
        evidenced.cadre_id is null as is_without_items,
        coalesce(evidenced.cases_assigned, 0) as cases_assigned,
        coalesce(evidenced.closed, 0) as closed,
        coalesce(evidenced.on_time, 0) as on_time,
        coalesce(evidenced.on_time_due, 0) as on_time_due,
        evidenced.on_time_rate,
        evidenced.on_time_rate_low,
        evidenced.on_time_rate_high,
        coalesce(evidenced.ceased, 0) as ceased,
        evidenced.ceased_rate,
        evidenced.ceased_rate_low,
        evidenced.ceased_rate_high,
        coalesce(evidenced.repeats_after_close, 0) as repeats_after_close,
        coalesce(evidenced.escalations, 0) as escalations,
        coalesce(evidenced.rated, 0) as rated,
        evidenced.satisfaction_rate,
        coalesce(evidenced.is_insufficient_data, true) as is_insufficient_data,
        evidenced.ranked_units,
        evidenced.rank_median,
        evidenced.rank_low,
        evidenced.rank_high,
        evidenced.p_top_decile,
        coalesce(evidenced.accountability_flags, 0) as accountability_flags,
        coalesce(evidenced.is_disqualified, false) as is_disqualified,
        evidenced.disqualification_reason,
        coalesce(evidenced.is_candidate_eligible, false) as is_candidate_eligible,
        case
            when evidenced.eligible_order <= 2 * parameters.award_count
                then evidenced.eligible_order
        end as shortlist_order

    from nominations
    cross join parameters
    left join evidenced
        on nominations.cadre_id = evidenced.cadre_id and nominations.year = evidenced.year
    left join registered on nominations.cadre_id = registered.cadre_id

),

final as (

    select
        *,
        row_number() over (
            partition by year
            order by
                is_disqualified asc,
                rank_median asc nulls last,
                p_top_decile desc nulls last,
                cadre_id asc
        ) as nominee_order

    from joined

)

select * from final
