-- Handling of each item (CONTRACT §3 definitions 10–16): closure, the statutory deadlines,
-- disposition, satisfaction, ceasing and the assigned cadres. A flag that can still
-- succeed at as_of is null; it turns false once its deadline is on or before as_of.
with

cases as (

    select * from {{ ref('int_cases_scoped') }}

),

events as (

    select * from {{ ref('int_case_events_scoped') }}

),

calendar as (

    select * from {{ ref('int_calendar_days_numbered') }}

),

parameters as (

    select * from {{ ref('int_parameters_pivoted') }}

),

per_case as (

    select
        case_id,
        min(case when event_type = 'concluded' then event_date end) as closed_date,
        cast(least(
            coalesce(sum(case when event_type = 'extended' then extension_days end), 0),
            max(parameters.max_extension_days)
        ) as integer) as extension_days,
        bool_or(
            event_type = 'accepted'
            and days_after_receipt between 0 and parameters.accept_days
        ) as has_timely_acceptance,
        bool_or(event_type = 'disposed') as is_lead,
        bool_or(event_type = 'case_opened') as is_case_opened,
        bool_or(event_type = 'ceased') as is_ceased,
        max(case when event_type = 'disposed' and recency_rank = 1 then disposition end)
            as disposition,
        max(case when event_type = 'rated' and recency_rank = 1 then rating end)
            as satisfaction,
        max(
            case
                when event_type = 'assigned' and assign_role = 'lead' and recency_rank = 1
                    then cadre_id
            end
        ) as lead_cadre_id,
        max(
            case
                when
                    event_type = 'assigned'
                    and assign_role = 'responsible'
                    and recency_rank = 1
                    then cadre_id
            end
        ) as responsible_cadre_id

    from events
    cross join parameters
    group by case_id

),

with_dates as (

    select
        cases.case_id,
        cases.received_date,
        cases.real_name,
        per_case.closed_date,
        per_case.closed_date - cases.received_date as days_to_close,
        cast(
            cases.received_date
            + parameters.handle_days
            + coalesce(per_case.extension_days, 0) as date
        ) as handle_due_date,
        cast(cases.received_date + parameters.first_closure_days as date)
            as closure_due_date,
        cast(cases.received_date + parameters.accept_days as date) as accept_due_date,
        coalesce(per_case.has_timely_acceptance, false) as has_timely_acceptance,
        coalesce(per_case.is_lead, false) as is_lead,
        coalesce(per_case.is_case_opened, false) as is_case_opened,
        coalesce(per_case.is_ceased, false) as is_ceased,
        per_case.disposition,
        per_case.satisfaction,
        per_case.lead_cadre_id,
        per_case.responsible_cadre_id

    from cases
    cross join parameters
    left join per_case on cases.case_id = per_case.case_id

),

-- real-name feedback is due on the feedback_working_days-th working day after closing
feedback_due as (

    select
        with_dates.case_id,
        due_day.calendar_date as feedback_due_date

    from with_dates
    cross join parameters
    inner join calendar as closed_day
        on with_dates.closed_date = closed_day.calendar_date
    inner join calendar as due_day
        on
            due_day.working_day_number
            = closed_day.working_day_number + parameters.feedback_working_days
            and due_day.is_working_day

),

feedback_given as (

    select
        events.case_id,
        min(events.event_date) as first_feedback_date

    from events
    inner join with_dates on events.case_id = with_dates.case_id
    where
        events.event_type = 'feedback'
        and events.event_date >= with_dates.closed_date
    group by events.case_id

),

final as (

    select
        with_dates.*,
        feedback_due.feedback_due_date,
        case
            when with_dates.closed_date is not null
                then with_dates.days_to_close <= parameters.first_closure_days
            when with_dates.closure_due_date <= parameters.as_of then false
        end as is_closed_within_30d,
        case
            when with_dates.closed_date is not null
                then with_dates.closed_date <= with_dates.handle_due_date
            when with_dates.handle_due_date <= parameters.as_of then false
        end as is_on_time,
        case
            when with_dates.has_timely_acceptance then true
            when with_dates.accept_due_date <= parameters.as_of then false
        end as is_accepted_on_time,
        case
            when with_dates.real_name <> 'yes' or with_dates.closed_date is null then null
            when feedback_given.first_feedback_date <= feedback_due.feedback_due_date
                then true
            when feedback_due.feedback_due_date <= parameters.as_of then false
        end as is_feedback_on_time,
        with_dates.is_lead and with_dates.disposition = 'shelved' as is_shelved

    from with_dates
    cross join parameters
    left join feedback_due on with_dates.case_id = feedback_due.case_id
    left join feedback_given on with_dates.case_id = feedback_given.case_id

)

select * from final
