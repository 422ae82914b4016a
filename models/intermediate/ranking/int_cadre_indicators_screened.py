"""Every cadre × year × indicator of the seed `ranking_indicators` (unit_type cadre):
case-mix adjusted (indirect standardisation by subject, where the data allow) empirical-Bayes
estimate, funnel z and position with overdispersion adjustment, the limits, and the
posterior the ranking draws from (pipelines.stats.screening). Long format: one row per
indicator, unit_id = cadre_id.
"""

import polars as pl

from pipelines.stats.screening import parameters_from_rows, read_definitions, screen_units


def model(dbt, session):
    dbt.config(materialized="table")
    counts = dbt.ref("int_cadre_years_counted").pl()
    strata = dbt.ref("int_cadre_subject_years_counted").pl().rename({"subject_code": "stratum"})
    strata = strata.with_columns(pl.col("stratum").cast(pl.String))
    definitions = read_definitions(dbt.ref("ranking_indicators").pl().to_dicts(), "cadre")
    parameters = parameters_from_rows(dbt.ref("ranking_parameters").pl().to_dicts())
    return screen_units(counts, "cadre_id", definitions, parameters, strata).to_arrow()
