{#
    CONTRACT §4 fct_cadre_year: a cadre's repeats after close and escalations, as distinct
    later items on the same matter as one of the cadre's items (the pairwise relation of §3).
    Repeats after close are received after that item's closed date; escalations are received
    after the item (a later calendar date: "after" compares dates) and lodged above their own
    jurisdiction level (their skip_level flag ignored).

    A whole select, grouped by cadre_id, year and the extra `grain` columns of the items:
    `items` has one row per cadre × item (cadre_id, case_id, received_year, received_date,
    closed_date and the grain columns), `links` is int_cases_linked_to_same_matter and
    `later_cases` int_cases_scoped.
#}
{% macro cadre_follow_up_counts(items='items', links='links', later_cases='scoped_cases', grain=[]) -%}
    select
        {{ items }}.cadre_id,
        {{ items }}.received_year as year,
        {%- for column in grain %}
        {{ items }}.{{ column }},
        {%- endfor %}
        count(distinct later_case.case_id)
            filter (where later_case.received_date > {{ items }}.closed_date)
            as repeats_after_close,
        count(distinct later_case.case_id) filter (
            where later_case.received_date > {{ items }}.received_date
            and later_case.petition_level_rank > later_case.jurisdiction_level_rank
        ) as escalations

    from {{ items }}
    inner join {{ links }} on {{ items }}.case_id = {{ links }}.earlier_case_id
    inner join {{ later_cases }} as later_case
        on {{ links }}.case_id = later_case.case_id
    group by
        {{ items }}.cadre_id,
        {{ items }}.received_year
        {%- for column in grain %},
        {{ items }}.{{ column }}
        {%- endfor %}
{%- endmacro %}
