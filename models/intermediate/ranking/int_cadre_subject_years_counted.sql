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

    {{ cadre_follow_up_counts(grain=['subject_code']) }}

),

per_subject as (

    select
        cadre_id,
        received_year as year,
        subject_code,
        count(*) as cases_assigned,
        {{ handling_counts() }}

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
        {{ satisfaction_score('per_subject') }} as satisfaction_score,
        coalesce(follow_ups.repeats_after_close, 0) as repeats_after_close,
        coalesce(follow_ups.escalations, 0) as escalations

    from per_subject
    cross join parameters
    left join follow_ups
        on
            per_subject.cadre_id = follow_ups.cadre_id
            and per_subject.year = follow_ups.year
            and per_subject.subject_code = follow_ups.subject_code

)

select * from final
