-- 对号: every item lodged at the province or the centre (赴省进京) in a sensitive period, with
-- the cadres it names to account: its lead (包保领导) and its responsible cadre. The one home
-- of the rule, read by fct_escalation_accountability and by the advanced-individual
-- selection (a cadre named that year is disqualified, int_cadre_years_assessed).
with

cases as (

    select * from {{ ref('int_cases_joined') }}

),

final as (

    select
        cast(received_year as integer) as year,
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
