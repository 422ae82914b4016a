-- 对号问责: every item that went to the province or Beijing (赴省进京) in a sensitive period
-- names the cadres in charge of it, its lead (包保领导) and its responsible cadre, with the
-- item as the evidence (the rule: int_escalations_listed). One row per item; the cadres'
-- names are in dim_cadre.
with

escalated as (

    select * from {{ ref('int_escalations_listed') }}

)

select * from escalated
