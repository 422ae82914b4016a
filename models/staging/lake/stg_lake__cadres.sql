-- One row per cadre_id, the latest delivery winning.
with

source as (

    select * from {{ source('lake', 'cadres') }}

),

latest_delivery as (

    select *
    from source
    qualify row_number() over (
        partition by cadre_id
        order by _batch_id desc, _line_number desc
    ) = 1

),

renamed as (

    select
        ---------- ids
        cadre_id,
        town_code,

        ---------- strings
        cadre_name,
        unit_name,
        post,

        ---------- lineage
        _batch_id as batch_id,
        _line_number as line_number

    from latest_delivery

)

select * from renamed
