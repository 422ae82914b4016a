-- "Same matter" (CONTRACT §3): a later item is on the same matter as an earlier one when
-- its related_case_id names it, or when it has the same person key and subject_code and
-- was received at most repeat_window_days after it (calendar dates). A direct, pairwise
-- relation, not a chain. One row per (later item, earlier item).
with

cases as (

    select * from {{ ref('int_cases_scoped') }}

),

parameters as (

    select * from {{ ref('int_parameters_pivoted') }}

),

explicit_links as (

    select
        later_case.case_id,
        earlier_case.case_id as earlier_case_id,
        true as is_explicit_link

    from cases as later_case
    inner join cases as earlier_case
        on later_case.related_case_id = earlier_case.case_id
    where earlier_case.case_sequence < later_case.case_sequence

),

person_links as (

    select
        later_case.case_id,
        earlier_case.case_id as earlier_case_id,
        false as is_explicit_link

    from cases as later_case
    inner join cases as earlier_case
        on
            later_case.person_key = earlier_case.person_key
            and later_case.subject_code = earlier_case.subject_code
    cross join parameters
    where
        earlier_case.case_sequence < later_case.case_sequence
        and later_case.received_date - earlier_case.received_date
        <= parameters.repeat_window_days

),

all_links as (

    select * from explicit_links
    union all
    select * from person_links

),

final as (

    select
        case_id,
        earlier_case_id,
        bool_or(is_explicit_link) as is_explicit_link

    from all_links
    group by case_id, earlier_case_id

)

select * from final
