{#
    The handling counts of CONTRACT §3 definitions 10–15 over a group of items (one row per
    item, with the columns of int_cases_joined), and the formulas built on them. One home for
    every aggregate that reports them: scopes, villages, cadres and cadres by subject.
#}

{# Definition 11: first-time items due for closure within a month, and those closed in it. #}
{% macro first_time_closure_counts() -%}
        count(*) filter (where is_first_time and is_closed_within_30d is not null)
            as first_time_due,
        count(*) filter (where is_first_time and is_closed_within_30d)
            as first_time_closed_within_30d
{%- endmacro %}

{# Definition 14: rated items, by rating. #}
{% macro satisfaction_counts() -%}
        count(*) filter (where satisfaction is not null) as rated,
        count(*) filter (where satisfaction = 'satisfied') as rated_satisfied,
        count(*) filter (where satisfaction = 'basically_satisfied')
            as rated_basically_satisfied
{%- endmacro %}

{#
    Definitions 10, 12, 14 and 15: closed items, on time (of those due), ceased (of the
    closed) and the satisfaction counts.
#}
{% macro handling_counts() -%}
        count(*) filter (where closed_date is not null) as closed,
        count(*) filter (where is_on_time) as on_time,
        count(*) filter (where is_on_time is not null) as on_time_due,
        count(*) filter (where closed_date is not null and is_ceased) as ceased,
        {{ satisfaction_counts() }}
{%- endmacro %}

{#
    Definition 14: the satisfaction score, satisfied + basically_satisfied_weight × basically
    satisfied. `counts` is the relation holding rated_satisfied and rated_basically_satisfied,
    `parameters` the one holding basically_satisfied_weight (int_parameters_pivoted).
#}
{% macro satisfaction_score(counts, parameters='parameters') -%}
    {{ counts }}.rated_satisfied
        + {{ parameters }}.basically_satisfied_weight * {{ counts }}.rated_basically_satisfied
{%- endmacro %}

{# The satisfaction rate: the score over the rated items, null when none was rated. #}
{% macro satisfaction_rate(counts, parameters='parameters') -%}
    ({{ satisfaction_score(counts, parameters) }}) / nullif({{ counts }}.rated, 0)
{%- endmacro %}

{# A count per 1,000 residents (null without a population). #}
{% macro per_1k(count, population) -%}
    1000.0 * {{ count }} / {{ population }}
{%- endmacro %}
