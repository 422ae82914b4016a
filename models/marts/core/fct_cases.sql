-- One row per item received by as_of, with every flag of CONTRACT §3 (see §4).
with

cases as (

    select * from {{ ref('int_cases_joined') }}

),

final as (

    select * from cases

)

select * from final
