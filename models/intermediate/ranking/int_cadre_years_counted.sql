-- Every cadre × year with at least one assigned item: the counts of CONTRACT §4
-- fct_cadre_year and the satisfaction score the ranking needs. The year is the received
-- year of the cadre's item. Repeats after close and escalations count distinct later items
-- on the same matter as one of the cadre's items (the pairwise relation of §3): repeats
-- received after that item's closed date; escalations received after the item (a later
-- calendar date: "after" compares dates) and lodged above their own jurisdiction level
-- (their skip_level flag ignored).
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

later_items as (

    select
        items.cadre_id,
        items.received_year as year,
        later_case.case_id as later_case_id,
        later_case.received_date > items.closed_date as is_after_close,
        later_case.received_date > items.received_date
        and later_case.petition_level_rank > later_case.jurisdiction_level_rank
            as is_escalation

    from items
    inner join links on items.case_id = links.earlier_case_id
    inner join scoped_cases as later_case
        on links.case_id = later_case.case_id

),

follow_ups as (

    select
        cadre_id,
        year,
        count(distinct later_case_id) filter (where is_after_close) as repeats_after_close,
        count(distinct later_case_id) filter (where is_escalation) as escalations

    from later_items
    group by cadre_id, year

),

per_year as (

    select
        cadre_id,
        received_year as year,
        count(*) filter (where is_lead_role) as cases_as_lead,
        count(*) filter (where is_responsible_role) as cases_as_responsible,
        count(*) as cases_assigned,
        count(*) filter (where closed_date is not null) as closed,
        count(*) filter (where is_on_time) as on_time,
        count(*) filter (where is_on_time is not null) as on_time_due,
        count(*) filter (where closed_date is not null and is_ceased) as ceased,
        count(*) filter (where satisfaction is not null) as rated,
        count(*) filter (where satisfaction = 'satisfied') as rated_satisfied,
        count(*) filter (where satisfaction = 'basically_satisfied')
            as rated_basically_satisfied

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
        (
            per_year.rated_satisfied
            + parameters.basically_satisfied_weight * per_year.rated_basically_satisfied
        ) / nullif(per_year.rated, 0) as satisfaction_rate,
        coalesce(follow_ups.repeats_after_close, 0) as repeats_after_close,
        coalesce(follow_ups.escalations, 0) as escalations,
        per_year.cases_assigned,
        per_year.on_time,
        per_year.on_time_due,
        per_year.ceased,
        per_year.rated,
        per_year.rated_satisfied,
        per_year.rated_basically_satisfied,
        per_year.rated_satisfied
        + parameters.basically_satisfied_weight * per_year.rated_basically_satisfied
            as satisfaction_score

    from per_year
    cross join parameters
    left join follow_ups
        on per_year.cadre_id = follow_ups.cadre_id and per_year.year = follow_ups.year

)

select * from final
