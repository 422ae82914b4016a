-- One row per item received by as_of: the item, its five-indicator flags and its handling,
-- joined once for every mart downstream.
with

flagged as (

    select * from {{ ref('int_cases_flagged') }}

),

handled as (

    select * from {{ ref('int_cases_handled') }}

),

final as (

    select
        ---------- ids
        flagged.case_id,
        flagged.village_code,
        flagged.town_code,
        handled.lead_cadre_id,
        handled.responsible_cadre_id,

        ---------- codes
        flagged.channel,
        flagged.source,
        flagged.petition_level,
        flagged.jurisdiction_level,
        flagged.category,
        flagged.subject_code,
        flagged.abnormal_behaviour,
        flagged.accused_rank,
        handled.disposition,
        handled.satisfaction,

        ---------- numerics
        flagged.headcount,
        handled.days_to_close,
        flagged.received_year,

        ---------- booleans
        flagged.channel = 'visit' as is_visit,
        flagged.real_name = 'yes' as is_real_name,
        flagged.is_repeat,
        flagged.is_first_time,
        flagged.is_skip_level,
        flagged.is_to_province_or_central,
        flagged.is_collective,
        flagged.is_abnormal,
        flagged.is_in_sensitive_period,
        flagged.is_known_village,
        handled.is_closed_within_30d,
        handled.is_on_time,
        handled.is_lead,
        handled.is_shelved,
        handled.is_case_opened,
        handled.is_ceased,
        handled.is_accepted_on_time,
        handled.is_feedback_on_time,

        ---------- dates
        flagged.received_date,
        flagged.received_month,
        handled.closed_date,
        handled.handle_due_date,
        handled.feedback_due_date

    from flagged
    inner join handled on flagged.case_id = handled.case_id

)

select * from final
