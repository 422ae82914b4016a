-- One row per survey_id, the latest delivery winning (as for the other keyed entities).
-- The scope is the county (county, 全县 or 县; the default) or a town code. Empty when no
-- survey was ever delivered.
with

source as (

    select * from {{ source('lake', 'surveys') }}

),

latest_delivery as (

    select
        *,
        count(*) over (partition by survey_id) as deliveries

    from source
    qualify row_number() over (
        partition by survey_id
        order by _batch_id desc, _line_number desc
    ) = 1

),

renamed as (

    select
        ---------- ids
        survey_id,

        ---------- strings
        case
            when lower(trim(scope)) in ('county', '全县', '县') then 'county'
            else 'town'
        end as scope_type,
        case
            when lower(trim(scope)) in ('county', '全县', '县') then 'county'
            else trim(scope)
        end as scope_code,

        ---------- numerics
        cast(year as integer) as year,
        cast(respondents as bigint) as respondents,
        cast(satisfied as bigint) as satisfied,
        cast(deliveries as integer) as deliveries,

        ---------- dates
        cast(surveyed_on as date) as surveyed_on,

        ---------- lineage
        _batch_id as batch_id,
        _line_number as line_number

    from latest_delivery

)

select * from renamed
