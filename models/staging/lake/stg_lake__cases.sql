-- One row per item (case_id): a later delivery replaces the item (CONTRACT §2.4);
-- within a delivery the later row wins (ingest already quarantines such repeats).
with

source as (

    select * from {{ source('lake', 'cases') }}

),

latest_delivery as (

    select *
    from source
    qualify row_number() over (
        partition by case_id
        order by _batch_id desc, _line_number desc
    ) = 1

),

renamed as (

    select
        ---------- ids
        case_id,
        related_case_id,
        village_code,
        petitioner_key,
        accused_key,
        coalesce(petitioner_key, accused_key) as person_key,

        ---------- codes
        channel,
        source,
        petition_level,
        jurisdiction_level,
        skip_level,
        abnormal_behaviour,
        accused_rank,
        category,
        subject_code,
        real_name,

        ---------- numerics
        cast(headcount as bigint) as headcount,

        ---------- dates
        cast(received_at as date) as received_date,

        ---------- timestamps
        cast(received_at as timestamp) as received_at,

        ---------- lineage
        _batch_id as batch_id,
        _line_number as line_number

    from latest_delivery

)

select * from renamed
