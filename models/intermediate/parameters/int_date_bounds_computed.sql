-- One row: the bounds of every date spine. The years and months run from the first received
-- date among items received by as_of (as_of itself without such items) to as_of (CONTRACT
-- §4); the working-day calendar runs from that date, or the calendar seed's first day if
-- earlier, to 120 days past as_of (due dates of items closed by as_of fall a few weeks
-- after it at most).
with

cases as (

    select * from {{ ref('stg_lake__cases') }}

),

working_days as (

    select * from {{ ref('cn_working_days') }}

),

parameters as (

    select * from {{ ref('int_parameters_pivoted') }}

),

first_received as (

    select
        parameters.as_of,
        coalesce(min(cases.received_date), parameters.as_of) as first_date

    from parameters
    left join cases on parameters.as_of >= cases.received_date
    group by parameters.as_of

),

first_calendar_day as (

    select min(calendar_date) as first_seed_day
    from working_days

),

final as (

    select
        first_received.as_of,
        cast(extract(year from first_received.first_date) as integer) as first_year,
        cast(extract(year from first_received.as_of) as integer) as last_year,
        cast(date_trunc('month', first_received.first_date) as date) as first_month,
        cast(date_trunc('month', first_received.as_of) as date) as last_month,
        least(first_received.first_date, first_calendar_day.first_seed_day)
            as first_calendar_day,
        cast(first_received.as_of + interval 120 day as date) as last_calendar_day

    from first_received
    cross join first_calendar_day

)

select * from final
