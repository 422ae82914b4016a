-- Surveys, respondents and satisfied per year × scope: each town with its own surveys, and
-- the county with every survey of the year (county-wide and the towns' together). Empty
-- when no survey was delivered.
with

surveys as (

    select * from {{ ref('stg_lake__surveys') }}

),

by_town as (

    select
        'town' as scope_type,
        scope_code,
        year,
        count(*) as surveys,
        sum(respondents) as respondents,
        sum(satisfied) as satisfied

    from surveys
    where scope_type = 'town'
    group by scope_code, year

),

county as (

    select
        'county' as scope_type,
        'county' as scope_code,
        year,
        count(*) as surveys,
        sum(respondents) as respondents,
        sum(satisfied) as satisfied

    from surveys
    group by year

),

unioned as (

    select * from county
    union all
    select * from by_town

),

final as (

    select
        scope_type,
        scope_code,
        cast(year as integer) as year,
        cast(surveys as bigint) as surveys,
        cast(respondents as bigint) as respondents,
        cast(satisfied as bigint) as satisfied

    from unioned

)

select * from final
