-- One row per day from the first year of data to a few months past as_of: the Chinese
-- working calendar, the sensitive periods and the calendar parts the dashboards group by.
with

calendar as (

    select * from {{ ref('int_calendar_days_numbered') }}

),

years as (

    select * from {{ ref('int_years_spined') }}

),

sensitive_periods as (

    select * from {{ ref('sensitive_periods') }}

),

in_range as (

    select calendar.*

    from calendar
    inner join years on extract(year from calendar.calendar_date) = years.year

),

final as (

    select
        in_range.calendar_date,
        cast(extract(year from in_range.calendar_date) as integer) as year,
        cast(extract(quarter from in_range.calendar_date) as integer) as quarter,
        cast(extract(month from in_range.calendar_date) as integer) as month,
        cast(date_trunc('month', in_range.calendar_date) as date) as month_start,
        cast(isodow(in_range.calendar_date) as integer) as iso_day_of_week,
        in_range.is_working_day,
        in_range.is_calendar_fallback,
        in_range.holiday_name,
        bool_or(
            sensitive_periods.period_code is not null
        ) as is_in_sensitive_period

    from in_range
    left join sensitive_periods
        on
            strftime(in_range.calendar_date, '%m-%d')
            between sensitive_periods.start_month_day and sensitive_periods.end_month_day
            and (
                sensitive_periods.year is null
                or sensitive_periods.year = extract(year from in_range.calendar_date)
            )
    group by all

)

select * from final
