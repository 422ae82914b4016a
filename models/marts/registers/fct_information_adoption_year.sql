-- 信息采用 per year × adopting level × kind, with a county-year total row (adopting_level
-- and kind both 'all'). Only combinations with adoptions are listed. Empty when no adoption
-- was delivered.
with

adoptions as (

    select * from {{ ref('stg_lake__information_adoptions') }}

),

by_level_kind as (

    select
        year,
        adopting_level,
        kind,
        count(*) as adoptions

    from adoptions
    group by year, adopting_level, kind

),

totals as (

    select
        year,
        'all' as adopting_level,
        'all' as kind,
        count(*) as adoptions

    from adoptions
    group by year

),

unioned as (

    select * from by_level_kind
    union all
    select * from totals

),

final as (

    select
        cast(year as integer) as year,
        cast(adopting_level as varchar) as adopting_level,
        cast(kind as varchar) as kind,
        cast(adoptions as bigint) as adoptions,
        adopting_level = 'all' as is_total

    from unioned

)

select * from final
