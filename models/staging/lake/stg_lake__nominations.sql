-- One row per (year, cadre_id), the latest delivery winning (as for the other keyed
-- entities): the committee delivers its decisions later by delivering the key again, and
-- every earlier delivery stays in the lake (`deliveries` counts them). Empty when no
-- nominations were ever delivered.
with

source as (

    select * from {{ source('lake', 'nominations') }}

),

latest_delivery as (

    select
        *,
        count(*) over (partition by year, cadre_id) as deliveries

    from source
    qualify row_number() over (
        partition by year, cadre_id
        order by _batch_id desc, _line_number desc
    ) = 1

),

renamed as (

    select
        ---------- ids
        {{ surrogate_key(['year', 'cadre_id']) }} as nomination_id,
        cadre_id,

        ---------- strings
        nominating_unit,
        deed_type,
        decision,
        decision_reason,

        ---------- numerics
        cast(year as integer) as year,
        cast(deliveries as integer) as deliveries,

        ---------- booleans
        decision is not null as is_decided,

        ---------- lineage
        _batch_id as batch_id,
        _line_number as line_number

    from latest_delivery

)

select * from renamed
