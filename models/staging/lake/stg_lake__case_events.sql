-- One row per distinct event: events identical in every contract field are one event,
-- however often delivered (CONTRACT §2.4); the earliest delivery is kept as the event's
-- lineage, for "later delivery, then later row" tie-breaking downstream. Events whose
-- item has not arrived yet are kept (they join no item until it does).
with

source as (

    select * from {{ source('lake', 'case_events') }}

),

distinct_events as (

    select *
    from source
    qualify row_number() over (
        partition by case_id, event_type, event_at, cadre_id, unit_name, detail
        order by _batch_id asc, _line_number asc
    ) = 1

),

renamed as (

    select
        ---------- ids
        -- the event's earliest delivered row: unique, stable while the lake keeps that
        -- batch, and far cheaper than a hash over six columns at ten million rows
        _batch_id || ':' || cast(_line_number as varchar) as case_event_id,
        case_id,
        cadre_id,

        ---------- codes
        event_type,

        ---------- strings
        unit_name,
        detail,

        ---------- detail by event type (CONTRACT §2.3)
        case when event_type = 'assigned' then detail end as assign_role,
        case when event_type = 'disposed' then detail end as disposition,
        case when event_type = 'rated' then detail end as rating,
        case
            when event_type = 'extended' then try_cast(detail as integer)
        end as extension_days,

        ---------- dates
        cast(event_at as date) as event_date,

        ---------- timestamps
        cast(event_at as timestamp) as event_at,

        ---------- lineage
        _batch_id as batch_id,
        _line_number as line_number

    from distinct_events

)

select * from renamed
