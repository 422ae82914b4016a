-- Every month from the first month of data to the month of as_of (CONTRACT §4).
with

bounds as (

    select * from {{ ref('int_date_bounds_computed') }}

),

months as (

    select
        cast(unnest(generate_series(
            cast(first_month as timestamp), cast(last_month as timestamp), interval 1 month
        )) as date) as month_start

    from bounds

),

final as (

    select
        month_start,
        cast(extract(year from month_start) as integer) as year

    from months

)

select * from final
