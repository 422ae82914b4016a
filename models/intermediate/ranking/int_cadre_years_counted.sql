-- Every cadre × year with at least one assigned item: the counts of CONTRACT §4
-- fct_cadre_year and the satisfaction score the ranking needs. The year is the received
-- year of the cadre's item. Repeats after close and escalations count distinct later items
-- on the same matter as one of the cadre's items (macro cadre_follow_up_counts).
with

cadre_items as (

    select * from {{ ref('int_cadre_items_listed') }}

),

cases as (

    select * from {{ ref('int_cases_joined') }}

),

links as (

    select * from {{ ref('int_cases_linked_to_same_matter') }}

),

scoped_cases as (

    select * from {{ ref('int_cases_scoped') }}

),

parameters as (

    select * from {{ ref('int_parameters_pivoted') }}

),

items as (

    select
        cadre_items.cadre_id,
        cadre_items.is_lead_role,
        cadre_items.is_responsible_role,
        cases.*

    from cadre_items
    inner join cases on cadre_items.case_id = cases.case_id

),

follow_ups as (

    {{ cadre_follow_up_counts() }}

),

per_year as (

    select
        cadre_id,
        received_year as year,
        count(*) filter (where is_lead_role) as cases_as_lead,
        count(*) filter (where is_responsible_role) as cases_as_responsible,
        count(*) as cases_assigned,
        {{ handling_counts() }}

    from items
    group by cadre_id, received_year

),

final as (

    select
        per_year.cadre_id,
        per_year.year,
        per_year.cases_as_lead,
        per_year.cases_as_responsible,
        per_year.closed,
        per_year.on_time / nullif(per_year.on_time_due, 0) as on_time_rate,
        per_year.ceased / nullif(per_year.closed, 0) as ceased_rate,
        {{ satisfaction_rate('per_year') }} as satisfaction_rate,
        coalesce(follow_ups.repeats_after_close, 0) as repeats_after_close,
        coalesce(follow_ups.escalations, 0) as escalations,
        per_year.cases_assigned,
        per_year.on_time,
        per_year.on_time_due,
        per_year.ceased,
        per_year.rated,
        per_year.rated_satisfied,
        per_year.rated_basically_satisfied,
        {{ satisfaction_score('per_year') }} as satisfaction_score

    from per_year
    cross join parameters
    left join follow_ups
        on per_year.cadre_id = follow_ups.cadre_id and per_year.year = follow_ups.year

)

select * from final
