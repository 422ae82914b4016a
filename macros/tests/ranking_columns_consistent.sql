{#
    The ranking columns of CONTRACT §5 agree with is_insufficient_data: a unit with too
    little information has no rank, probability or composite score; a ranked unit has all of
    them, its 90% interval contains its median rank within 1..ranked_units, its decile
    probabilities lie in [0, 1] and its composite score is positive.
#}
{% test ranking_columns_consistent(model) %}

select *
from {{ model }}
where not coalesce(
    (
        is_insufficient_data
        and rank_median is null
        and rank_low is null
        and rank_high is null
        and p_top_decile is null
        and p_bottom_decile is null
        and composite_score is null
    )
    or (
        not is_insufficient_data
        and rank_low >= 1
        and rank_low <= rank_median
        and rank_median <= rank_high
        and rank_high <= ranked_units
        and p_top_decile between 0 and 1
        and p_bottom_decile between 0 and 1
        and composite_score > 0
    ),
    false
)

{% endtest %}
