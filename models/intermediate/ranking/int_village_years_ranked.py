"""Every village × year: is_insufficient_data (CONTRACT §5: the EB weight w of petitions per
1,000 below `min_eb_weight`), and for the others the composite score, median rank, 90% rank
interval and decile probabilities from the Monte Carlo over posterior draws and weights
(pipelines.stats.ranking). Rank 1 is best; ranks run over the year's ranked villages.
"""

import polars as pl

from pipelines.stats.ranking import rank_units
from pipelines.stats.screening import parameters_from_rows, read_definitions

INSUFFICIENCY_INDICATOR = "petitions_per_1k"


def model(dbt, session):
    dbt.config(materialized="table")
    screened = dbt.ref("int_village_indicators_screened").pl()
    definitions = read_definitions(dbt.ref("ranking_indicators").pl().to_dicts(), "village")
    parameters = parameters_from_rows(dbt.ref("ranking_parameters").pl().to_dicts())
    labels = screened.filter(pl.col("indicator") == INSUFFICIENCY_INDICATOR).select(
        "unit_id",
        "year",
        (pl.col("eb_weight").fill_null(0.0) < parameters["min_eb_weight"]).alias(
            "is_insufficient_data"
        ),
    )
    return rank_units(screened, labels, definitions, parameters, "village").to_arrow()
