-- Every month from the first month of data to the month of as_of (CONTRACT §4).
with

cases as (

    select * from {{ ref('stg_lake__cases') }}

),

parameters as (

    select * from {{ ref('int_parameters_pivoted') }}

),

bounds as (

    select
        coalesce(
            cast(date_trunc('month', min(cases.received_date)) as date),
            cast(date_trunc('month', parameters.as_of) as date)
        ) as first_month,
        cast(date_trunc('month', parameters.as_of) as date) as last_month

    from parameters
    left join cases on cases.received_date <= parameters.as_of
    group by parameters.as_of

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
