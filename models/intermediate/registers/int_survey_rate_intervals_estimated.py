"""The exact 95% interval of each survey year × scope's satisfaction rate.

One row per scope × year of int_survey_years_counted: the rate is satisfied of respondents;
the interval is the exact (Clopper–Pearson) one of pipelines.stats.rates
(binomial_ci_arrays), null where there are no respondents.
"""

import polars as pl

from pipelines.stats.rates import binomial_ci_arrays


def model(dbt, session):
    dbt.config(materialized="table")
    counts = dbt.ref("int_survey_years_counted").pl()
    low, high = binomial_ci_arrays(counts["satisfied"].to_numpy(), counts["respondents"].to_numpy())
    return counts.select(
        pl.col("scope_code"),
        pl.col("year").cast(pl.Int32),
        pl.Series("satisfaction_rate_low", low, dtype=pl.Float64).fill_nan(None),
        pl.Series("satisfaction_rate_high", high, dtype=pl.Float64).fill_nan(None),
    ).to_arrow()
