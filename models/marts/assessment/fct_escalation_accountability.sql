-- 对号问责: every item that went to the province or Beijing (赴省进京) in a sensitive period
-- names the cadres in charge of it, its lead (包保领导) and its responsible cadre, with the
-- item as the evidence. One row per item; the cadres' names are in dim_cadre.
with

cases as (

    select * from {{ ref('fct_cases') }}

),

final as (

    select
        cast(year(received_date) as integer) as year,
        case_id,
        received_date,
        village_code,
        town_code,
        subject_code,
        lead_cadre_id,
        responsible_cadre_id

    from cases
    where is_to_province_or_central and is_in_sensitive_period

)

select * from final
