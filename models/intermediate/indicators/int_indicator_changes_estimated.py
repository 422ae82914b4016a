"""Year-over-year change of the five indicators per scope, with a 95% rate-ratio interval.

One row per scope × year × indicator from the second year of a scope on: this year's count,
last year's, the ratio and its exact interval (pipelines.stats.rate_ratio_ci), so a claim
such as "conflicts fell 35%" comes with the range the data support.
"""

import polars as pl

from pipelines.stats.rates import rate_ratio_ci_arrays

INDICATORS = (
    "petitions",
    "repeat_petitions",
    "skip_level_petitions",
    "collective_petitions",
    "abnormal_petitions",
)


def model(dbt, session):
    dbt.config(materialized="table")
    counts = dbt.ref("int_scope_years_counted").pl()
    previous = counts.select(
        "scope_type", "scope_code", (pl.col("year") + 1).alias("year"), *INDICATORS
    ).rename({name: f"{name}_prev" for name in INDICATORS})
    joined = counts.join(previous, on=["scope_type", "scope_code", "year"], how="inner")
    long = pl.concat(
        [
            joined.select(
                "scope_type",
                "scope_code",
                pl.col("year").cast(pl.Int32),
                pl.lit(name).alias("indicator"),
                pl.col(name).cast(pl.Int64).alias("count"),
                pl.col(f"{name}_prev").cast(pl.Int64).alias("count_prev_year"),
            )
            for name in INDICATORS
        ]
    )
    ratio, low, high = rate_ratio_ci_arrays(long["count"].to_numpy(), long["count_prev_year"].to_numpy())
    return long.with_columns(
        pl.Series("rate_ratio", ratio).fill_nan(None),
        pl.Series("rate_ratio_low", low).fill_nan(None),
        pl.Series("rate_ratio_high", high).fill_nan(None),
    ).to_arrow()
