-- The years of the warehouse: from the first received year (among items received by
-- as_of) to the year of as_of (CONTRACT §4).
with

bounds as (

    select * from {{ ref('int_date_bounds_computed') }}

),

final as (

    select cast(unnest(generate_series(first_year, last_year)) as integer) as year
    from bounds

)

select * from final
