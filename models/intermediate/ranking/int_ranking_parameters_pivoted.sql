-- One row: the ranking parameters (seed ranking_parameters) and the candidate eligibility
-- rules (seed candidate_eligibility) as typed columns, for the decision models.
with

ranking_parameters as (

    select * from {{ ref('ranking_parameters') }}

),

eligibility as (

    select * from {{ ref('candidate_eligibility') }}

),

parameters as (

    select
        max(case when parameter = 'min_eb_weight' then value end) as min_eb_weight,
        max(case when parameter = 'min_cadre_items' then cast(value as integer) end)
            as min_cadre_items,
        max(case when parameter = 'accountability_periods' then cast(value as integer) end)
            as accountability_periods,
        max(case when parameter = 'under_registration_level' then value end)
            as under_registration_level,
        max(
            case
                when parameter = 'under_registration_min_above_items'
                    then cast(value as integer)
            end
        ) as under_registration_min_above_items,
        max(case when parameter = 'under_registration_local_ratio' then value end)
            as under_registration_local_ratio

    from ranking_parameters

),

rules as (

    select
        max(case when rule = 'min_items' then cast(value as integer) end)
            as candidate_min_items,
        max(case when rule = 'min_p_top_decile' then value end) as candidate_min_p_top_decile,
        max(case when rule = 'max_candidates' then cast(value as integer) end)
            as candidate_max_count,
        max(case when rule = 'require_registered' then value = 1 end)
            as is_candidate_registration_required,
        max(case when rule = 'max_indicators_beyond_95' then cast(value as integer) end)
            as candidate_max_indicators_beyond_95,
        max(case when rule = 'exclude_accountability_flagged' then value = 1 end)
            as is_candidate_flag_excluding

    from eligibility

),

final as (

    select * from parameters cross join rules

)

select * from final
