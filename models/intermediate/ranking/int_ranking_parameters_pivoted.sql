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
        {{ pivot_seed('parameter', [
            {'key': 'min_eb_weight'},
            {'key': 'min_cadre_items', 'type': 'integer'},
            {'key': 'accountability_periods', 'type': 'integer'},
            {'key': 'under_registration_level'},
            {'key': 'under_registration_min_above_items', 'type': 'integer'},
            {'key': 'under_registration_local_ratio'},
        ]) }}

    from ranking_parameters

),

rules as (

    select
        {{ pivot_seed('rule', [
            {'key': 'min_items', 'type': 'integer', 'name': 'candidate_min_items'},
            {'key': 'min_p_top_decile', 'name': 'candidate_min_p_top_decile'},
            {'key': 'max_candidates', 'type': 'integer', 'name': 'candidate_max_count'},
            {'key': 'require_registered', 'type': 'flag',
                'name': 'is_candidate_registration_required'},
            {'key': 'max_indicators_beyond_95', 'type': 'integer',
                'name': 'candidate_max_indicators_beyond_95'},
            {'key': 'exclude_accountability_flagged', 'type': 'flag',
                'name': 'is_candidate_flag_excluding'},
        ]) }}

    from eligibility

),

final as (

    select * from parameters
    cross join rules

)

select * from final
