-- One row: the parameters of CONTRACT §3 as typed columns, and the build's as_of.
with

parameters as (

    select * from {{ ref('parameters') }}

),

final as (

    select
        max(case when parameter = 'repeat_window_days' then cast(value as integer) end)
            as repeat_window_days,
        max(case when parameter = 'group_threshold' then cast(value as integer) end)
            as group_threshold,
        max(case when parameter = 'first_closure_days' then cast(value as integer) end)
            as first_closure_days,
        max(case when parameter = 'accept_days' then cast(value as integer) end)
            as accept_days,
        max(case when parameter = 'handle_days' then cast(value as integer) end)
            as handle_days,
        max(case when parameter = 'max_extension_days' then cast(value as integer) end)
            as max_extension_days,
        max(case when parameter = 'feedback_working_days' then cast(value as integer) end)
            as feedback_working_days,
        max(
            case when parameter = 'basically_satisfied_weight' then cast(value as double) end
        ) as basically_satisfied_weight,
        {{ as_of_date() }} as as_of

    from parameters

)

select * from final
