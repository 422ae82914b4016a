"""Year-over-year change of the five indicators per scope, with a 95% rate-ratio interval.

One row per scope × year × indicator from the second year of a scope on: this year's count,
last year's, the ratio and its exact interval (pipelines.stats.rate_ratio_ci), so a claim
such as "conflicts fell 35%" comes with the range the data support.
"""

import polars as pl

from pipelines.stats import rate_ratio_ci

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
    rows = []
    for record in joined.iter_rows(named=True):
        for indicator in INDICATORS:
            current, prior = int(record[indicator]), int(record[f"{indicator}_prev"])
            estimate = rate_ratio_ci(current, prior)
            rows.append(
                {
                    "scope_type": record["scope_type"],
                    "scope_code": record["scope_code"],
                    "year": int(record["year"]),
                    "indicator": indicator,
                    "count": current,
                    "count_prev_year": prior,
                    "rate_ratio": estimate.ratio,
                    "rate_ratio_low": estimate.low,
                    "rate_ratio_high": estimate.high,
                }
            )
    schema = {
        "scope_type": pl.String,
        "scope_code": pl.String,
        "year": pl.Int32,
        "indicator": pl.String,
        "count": pl.Int64,
        "count_prev_year": pl.Int64,
        "rate_ratio": pl.Float64,
        "rate_ratio_low": pl.Float64,
        "rate_ratio_high": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row").to_arrow()
