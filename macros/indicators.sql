{#
    The counts of the five village-level indicators (CONTRACT §3 definitions 1, 4–8) over
    a group of items with their flags: items, repeat, skip-level, collective and abnormal
    items, visit items and visit person-times. One home for every aggregate that reports them.
#}
{% macro five_indicator_counts() -%}
        count(*) as petitions,
        count(*) filter (where is_repeat) as repeat_petitions,
        count(*) filter (where is_skip_level) as skip_level_petitions,
        count(*) filter (where is_collective) as collective_petitions,
        count(*) filter (where is_abnormal) as abnormal_petitions,
        count(*) filter (where is_visit) as visits,
        cast(coalesce(sum(headcount) filter (where is_visit), 0) as bigint)
            as visit_person_times
{%- endmacro %}
