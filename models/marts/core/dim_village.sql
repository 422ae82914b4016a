-- One row per village ever known: its attributes in the latest year it is known.
with

villages as (

    select * from {{ ref('int_villages_resolved_by_year') }}

),

kinds as (

    select
        code,
        label_zh

    from {{ ref('vocabularies') }}
    where vocabulary = 'village_kind'

),

latest as (

    select
        *,
        min(year) over (partition by village_code) as first_year,
        max(year) over (partition by village_code) as last_year

    from villages
    qualify row_number() over (partition by village_code order by year desc) = 1

),

final as (

    select
        latest.village_code,
        latest.village_name,
        latest.town_code,
        latest.town_name,
        latest.kind,
        kinds.label_zh as kind_label_zh,
        latest.population,
        latest.first_year,
        latest.last_year

    from latest
    left join kinds on latest.kind = kinds.code

)

select * from final
