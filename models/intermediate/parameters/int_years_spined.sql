-- The years of the warehouse: from the first received year (among items received by
-- as_of) to the year of as_of (CONTRACT §4).
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
            min(extract(year from cases.received_date)),
            extract(year from parameters.as_of)
        ) as first_year,
        extract(year from parameters.as_of) as last_year

    from parameters
    left join cases on cases.received_date <= parameters.as_of
    group by parameters.as_of

),

final as (

    select cast(unnest(generate_series(first_year, last_year)) as integer) as year
    from bounds

)

select * from final
