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
        {{ pivot_seed('parameter', {
            'min_eb_weight': 'double', 'min_cadre_items': 'integer',
            'accountability_periods': 'integer', 'under_registration_level': 'double',
            'under_registration_min_above_items': 'integer',
            'under_registration_local_ratio': 'double', 'attention_min_p_bottom_decile': 'double',
        }) }}

    from ranking_parameters

),

rules as (

    select
        {{ pivot_seed('rule', {
            'min_items': 'integer', 'min_p_top_decile': 'double', 'max_candidates': 'integer',
            'require_registered': 'flag', 'max_indicators_beyond_95': 'integer',
            'exclude_accountability_flagged': 'flag', 'award_count': 'integer',
        }, prefix='candidate_', names={
            'max_candidates': 'candidate_max_count',
            'require_registered': 'is_candidate_registration_required',
            'exclude_accountability_flagged': 'is_candidate_flag_excluding',
            'award_count': 'award_count',
        }) }}

    from eligibility

),

final as (

    select * from parameters
    cross join rules

)

select * from final
