-- One row per cadre delivered, and per cadre id seen in an assignment without a cadres row.
with

cadres as (

    select * from {{ ref('stg_lake__cadres') }}

),

assigned as (

    select distinct cadre_id from {{ ref('int_cadre_items_listed') }}

),

final as (

    select
        coalesce(cadres.cadre_id, assigned.cadre_id) as cadre_id,
        cadres.cadre_name,
        cadres.unit_name,
        cadres.post,
        cadres.town_code,
        cadres.cadre_id is not null as is_registered

    from cadres
    full outer join assigned on cadres.cadre_id = assigned.cadre_id

)

select * from final
