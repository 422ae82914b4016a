-- One row per (village_code, year), the latest delivery winning (CONTRACT §2 villages).
-- A row with a null year holds for every year and is kept as its own key.
with

source as (

    select * from {{ source('lake', 'villages') }}

),

latest_delivery as (

    select *
    from source
    qualify row_number() over (
        partition by village_code, year
        order by _batch_id desc, _line_number desc
    ) = 1

),

renamed as (

    select
        ---------- ids
        {{ surrogate_key(['village_code', 'year']) }} as village_year_id,
        village_code,
        town_code,

        ---------- strings
        village_name,
        town_name,
        kind,

        ---------- numerics
        cast(population as bigint) as population,
        cast(year as integer) as year,

        ---------- booleans
        year is null as is_all_years,

        ---------- lineage
        _batch_id as batch_id,
        _line_number as line_number

    from latest_delivery

)

select * from renamed
