-- Every cadre × year × subject (问题领域) of its items: the same counts as
-- int_cadre_years_counted, split by the subject of the cadre's item. The ranking uses them
-- only for case-mix adjustment (expected counts by subject, indirect standardisation); the
-- observed counts come from int_cadre_years_counted. A later item linked to two of the
-- cadre's items of different subjects counts under each.
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
        cases.*

    from cadre_items
    inner join cases on cadre_items.case_id = cases.case_id

),

follow_ups as (

    select
        items.cadre_id,
        items.received_year as year,
        items.subject_code,
        count(distinct later_case.case_id)
            filter (where later_case.received_date > items.closed_date) as repeats_after_close,
        count(distinct later_case.case_id) filter (
            where later_case.received_date > items.received_date
            and later_case.petition_level_rank > later_case.jurisdiction_level_rank
        ) as escalations

    from items
    inner join links on items.case_id = links.earlier_case_id
    inner join scoped_cases as later_case
        on links.case_id = later_case.case_id
    group by items.cadre_id, items.received_year, items.subject_code

),

per_subject as (

    select
        cadre_id,
        received_year as year,
        subject_code,
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
    group by cadre_id, received_year, subject_code

),

final as (

    select
        per_subject.cadre_id,
        per_subject.year,
        per_subject.subject_code,
        per_subject.cases_assigned,
        per_subject.closed,
        per_subject.on_time,
        per_subject.on_time_due,
        per_subject.ceased,
        per_subject.rated,
        per_subject.rated_satisfied
        + parameters.basically_satisfied_weight * per_subject.rated_basically_satisfied
            as satisfaction_score,
        coalesce(follow_ups.repeats_after_close, 0) as repeats_after_close,
        coalesce(follow_ups.escalations, 0) as escalations

    from per_subject
    cross join parameters
    left join follow_ups
        on per_subject.cadre_id = follow_ups.cadre_id
        and per_subject.year = follow_ups.year
        and per_subject.subject_code = follow_ups.subject_code

)

select * from final
