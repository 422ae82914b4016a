-- One row per adoption_id, the latest delivery winning (as for the other keyed entities).
-- The year is the calendar year of the adoption date. The title is never in the lake.
-- Empty when no adoption was ever delivered.
with

source as (

    select * from {{ source('lake', 'information_adoptions') }}

),

latest_delivery as (

    select
        *,
        count(*) over (partition by adoption_id) as deliveries

    from source
    qualify row_number() over (
        partition by adoption_id
        order by _batch_id desc, _line_number desc
    ) = 1

),

renamed as (

    select
        ---------- ids
        adoption_id,

        ---------- strings
        adopting_level,
        kind,

        ---------- numerics
        cast(extract(year from adopted_on) as integer) as year,
        cast(deliveries as integer) as deliveries,

        ---------- dates
        cast(adopted_on as date) as adopted_on,

        ---------- lineage
        _batch_id as batch_id,
        _line_number as line_number

    from latest_delivery

)

select * from renamed
