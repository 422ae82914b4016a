-- One row: the parameters of CONTRACT §3 as typed columns, and the build's as_of.
with

parameters as (

    select * from {{ ref('parameters') }}

),

final as (

    select
        {{ pivot_seed('parameter', [
            {'key': 'repeat_window_days', 'type': 'integer'},
            {'key': 'group_threshold', 'type': 'integer'},
            {'key': 'first_closure_days', 'type': 'integer'},
            {'key': 'accept_days', 'type': 'integer'},
            {'key': 'handle_days', 'type': 'integer'},
            {'key': 'max_extension_days', 'type': 'integer'},
            {'key': 'feedback_working_days', 'type': 'integer'},
            {'key': 'basically_satisfied_weight', 'type': 'double'},
        ]) }},
        {{ as_of_date() }} as as_of

    from parameters

)

select * from final
