-- Each cadre's items: those where it is the lead or the responsible cadre (the latest
-- assignment of each role, CONTRACT §3 definition 16), once per item even when both.
with

cases as (

    select * from {{ ref('int_cases_joined') }}

),

as_lead as (

    select
        lead_cadre_id as cadre_id,
        case_id,
        true as is_lead_role,
        false as is_responsible_role

    from cases
    where lead_cadre_id is not null

),

as_responsible as (

    select
        responsible_cadre_id as cadre_id,
        case_id,
        false as is_lead_role,
        true as is_responsible_role

    from cases
    where responsible_cadre_id is not null

),

roles as (

    select * from as_lead
    union all
    select * from as_responsible

),

final as (

    select
        roles.cadre_id,
        roles.case_id,
        bool_or(roles.is_lead_role) as is_lead_role,
        bool_or(roles.is_responsible_role) as is_responsible_role

    from roles
    group by roles.cadre_id, roles.case_id

)

select * from final
