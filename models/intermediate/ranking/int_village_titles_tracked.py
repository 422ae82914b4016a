"""Every village × year: the model-village title's status that year (named, kept, revoked,
not_held), the reason, and the holding (pipelines.stats.titles: the rule's one home). The
village's items to the province or Beijing (赴省进京) are counted here from the items."""

import polars as pl

from pipelines.stats.titles import title_history


def model(dbt, session):
    dbt.config(materialized="table")
    assessed = dbt.ref("int_village_years_assessed").pl()
    items = dbt.ref("int_cases_joined").pl()
    escalated = (
        items.filter(pl.col("is_known_village") & pl.col("is_to_province_or_central"))
        .group_by(pl.col("village_code"), pl.col("received_year").alias("year"))
        .agg(pl.len().alias("to_province_or_central"))
    )
    villages = assessed.join(escalated, on=["village_code", "year"], how="left").with_columns(
        pl.col("to_province_or_central").fill_null(0)
    )
    history = title_history(villages)
    return history.join(
        villages.select("village_code", "year", "to_province_or_central"),
        on=["village_code", "year"],
        how="left",
    ).to_arrow()
