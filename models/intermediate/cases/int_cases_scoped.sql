-- Items received by as_of (later ones are ignored, CONTRACT §3), in the order of
-- definition 2 (received_at, then case_id as code-point text), with level ranks
-- (village < town < county < city < province < central, from the vocabulary seed's order)
-- and the item's town: its village's town in the item's year. An unknown or empty
-- village_code is kept as given, with a null town (counted at county level only).
with

cases as (

    select * from {{ ref('stg_lake__cases') }}

),

parameters as (

    select * from {{ ref('int_parameters_pivoted') }}

),

levels as (

    select
        code as level,
        sort_order as level_rank

    from {{ ref('vocabularies') }}
    where vocabulary = 'level'

),

villages as (

    select * from {{ ref('int_villages_resolved_by_year') }}

),

in_scope as (

    select
        cases.*,
        cast(extract(year from cases.received_date) as integer) as received_year,
        cast(date_trunc('month', cases.received_date) as date) as received_month

    from cases
    inner join parameters on cases.received_date <= parameters.as_of

),

final as (

    select
        in_scope.*,
        row_number() over (
            order by in_scope.received_at, in_scope.case_id
        ) as case_sequence,
        petition_levels.level_rank as petition_level_rank,
        jurisdiction_levels.level_rank as jurisdiction_level_rank,
        villages.town_code,
        villages.village_code is not null as is_known_village

    from in_scope
    left join levels as petition_levels
        on in_scope.petition_level = petition_levels.level
    left join levels as jurisdiction_levels
        on in_scope.jurisdiction_level = jurisdiction_levels.level
    left join villages
        on
            in_scope.village_code = villages.village_code
            and in_scope.received_year = villages.year

)

select * from final
