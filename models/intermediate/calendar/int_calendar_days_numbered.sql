-- Every day from the first year of data (or of the calendar seed) to well past as_of, with
-- China's working days (statutory holidays, adjusted working weekends) from the seed, and
-- Monday–Friday where the seed does not reach (is_calendar_fallback). working_day_number
-- counts working days up to and including the day, so "N working days after d" is the
-- working day whose number is working_day_number(d) + N.
with

working_days as (

    select * from {{ ref('cn_working_days') }}

),

bounds as (

    select * from {{ ref('int_date_bounds_computed') }}

),

spine as (

    select
        cast(unnest(generate_series(
            cast(first_calendar_day as timestamp),
            cast(last_calendar_day as timestamp),
            interval 1 day
        )) as date) as calendar_date

    from bounds

),

flagged as (

    select
        spine.calendar_date,
        coalesce(
            working_days.is_working_day,
            isodow(spine.calendar_date) between 1 and 5
        ) as is_working_day,
        working_days.calendar_date is null as is_calendar_fallback,
        nullif(working_days.holiday_name, '') as holiday_name,
        spine.calendar_date <= bounds.as_of as is_through_as_of

    from spine
    cross join bounds
    left join working_days on spine.calendar_date = working_days.calendar_date

),

final as (

    select
        calendar_date,
        is_working_day,
        is_calendar_fallback,
        holiday_name,
        is_through_as_of,
        sum(case when is_working_day then 1 else 0 end) over (
            order by calendar_date rows between unbounded preceding and current row
        ) as working_day_number

    from flagged

)

select * from final
