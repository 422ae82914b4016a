-- The proposed shortlist of 和谐信访十件新事 advanced individuals, for a year without
-- nominations: the eligible cadres (is_candidate_eligible: ranked, enough items, registered,
-- no indicator beyond the 95% limit on the unfavourable side, not disqualified by an
-- accountability flag) in the order of their posterior expected rank (rank_median, then
-- p_top_decile descending, then cadre_id), 2 × award_count of them (seed
-- candidate_eligibility), with the same evidence as the nominees.
--
-- How well the top can be told apart, defined here once: the 90% rank interval of each of
-- the first award_count is compared with that of the (award_count + 1)-th eligible cadre
-- (next_rank_low–next_rank_high); is_overlapping_next says whether they overlap, and
-- overlapping_in_award_count counts the overlapping among the first award_count (null
-- when there is no (award_count + 1)-th eligible cadre).
with

evidenced as (

    select * from {{ ref('int_cadre_years_evidenced') }}

),

parameters as (

    select * from {{ ref('int_ranking_parameters_pivoted') }}

),

eligible as (

    select
        evidenced.*,
        parameters.award_count

    from evidenced
    cross join parameters
    where evidenced.is_candidate_eligible

),

next_after_awards as (

    select
        year,
        rank_low as next_rank_low,
        rank_high as next_rank_high

    from eligible
    where eligible_order = award_count + 1

),

eligible_counts as (

    select
        year,
        count(*) as eligible_cadres

    from eligible
    group by year

),

compared as (

    select
        eligible.* exclude (eligible_order),
        eligible.eligible_order as shortlist_order,
        eligible.eligible_order <= eligible.award_count as is_within_award_count,
        eligible_counts.eligible_cadres,
        next_after_awards.next_rank_low,
        next_after_awards.next_rank_high,
        case
            when eligible.eligible_order <= eligible.award_count
                then
                    eligible.rank_low <= next_after_awards.next_rank_high
                    and next_after_awards.next_rank_low <= eligible.rank_high
        end as is_overlapping_next

    from eligible
    inner join eligible_counts on eligible.year = eligible_counts.year
    left join next_after_awards on eligible.year = next_after_awards.year
    where eligible.eligible_order <= 2 * eligible.award_count

),

final as (

    select
        *,
        case
            when next_rank_low is not null
                then count(*) filter (where is_overlapping_next) over (partition by year)
        end as overlapping_in_award_count

    from compared

)

select * from final
