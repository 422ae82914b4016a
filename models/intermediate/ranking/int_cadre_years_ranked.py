"""Every cadre × year: is_insufficient_data (CONTRACT §5: fewer than `min_cadre_items` items
in the year), and for the others the composite score, median rank, 90% rank interval and
decile probabilities from the Monte Carlo over posterior draws and weights
(pipelines.stats.ranking). Rank 1 is best; ranks run over the year's ranked cadres.
"""

import polars as pl

from pipelines.stats.ranking import rank_units
from pipelines.stats.screening import parameters_from_rows, read_definitions


def model(dbt, session):
    dbt.config(materialized="table")
    screened = dbt.ref("int_cadre_indicators_screened").pl()
    counts = dbt.ref("int_cadre_years_counted").pl()
    definitions = read_definitions(dbt.ref("ranking_indicators").pl().to_dicts(), "cadre")
    parameters = parameters_from_rows(dbt.ref("ranking_parameters").pl().to_dicts())
    labels = counts.select(
        pl.col("cadre_id").cast(pl.String).alias("unit_id"),
        pl.col("year").cast(pl.Int32),
        (pl.col("cases_assigned") < parameters["min_cadre_items"]).alias("is_insufficient_data"),
    )
    return rank_units(screened, labels, definitions, parameters, "cadre").to_arrow()
