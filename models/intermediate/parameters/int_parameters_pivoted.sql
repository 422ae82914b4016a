-- One row: the parameters of CONTRACT §3 as typed columns, and the build's as_of.
with

parameters as (

    select * from {{ ref('parameters') }}

),

final as (

    select
        {{ pivot_seed('parameter', {
            'repeat_window_days': 'integer', 'group_threshold': 'integer',
            'first_closure_days': 'integer', 'accept_days': 'integer', 'handle_days': 'integer',
            'max_extension_days': 'integer', 'feedback_working_days': 'integer',
            'basically_satisfied_weight': 'double', 'county_code': 'code',
        }) }},
        {{ as_of_date() }} as as_of

    from parameters

)

select * from final
