-- Events of items received by as_of, dated by as_of (later events are ignored,
-- CONTRACT §3), ranked newest first within their kind: "latest" means the latest
-- event_at, ties broken by the later delivery, then the later row. Assignments rank
-- within their role.
with

events as (

    select * from {{ ref('stg_lake__case_events') }}

),

cases as (

    select * from {{ ref('int_cases_scoped') }}

),

parameters as (

    select * from {{ ref('int_parameters_pivoted') }}

),

final as (

    select
        events.*,
        cases.received_date,
        events.event_date - cases.received_date as days_after_receipt,
        row_number() over (
            partition by events.case_id, events.event_type, events.assign_role
            order by events.event_at desc, events.batch_id desc, events.line_number desc
        ) as recency_rank

    from events
    inner join cases on events.case_id = cases.case_id
    inner join parameters on events.event_date <= parameters.as_of

)

select * from final
