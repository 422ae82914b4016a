"""The exact 95% interval of each cadre-year's on-time and ceased rates.

One row per cadre × year of int_cadre_years_counted: the on-time rate is on_time of
on_time_due, the ceased rate ceased of closed (CONTRACT §3 definitions 12 and 15); the interval
is the exact (Clopper–Pearson) one of pipelines.stats.rates (binomial_ci_arrays), null where
the denominator is zero.
"""

import polars as pl

from pipelines.stats.rates import binomial_ci_arrays

RATES = {  # rate: (numerator, denominator)
    "on_time_rate": ("on_time", "on_time_due"),
    "ceased_rate": ("ceased", "closed"),
}


def model(dbt, session):
    dbt.config(materialized="table")
    counts = dbt.ref("int_cadre_years_counted").pl()
    columns = [pl.col("cadre_id"), pl.col("year").cast(pl.Int32)]
    for rate, (numerator, denominator) in RATES.items():
        low, high = binomial_ci_arrays(counts[numerator].to_numpy(), counts[denominator].to_numpy())
        columns += [
            pl.Series(f"{rate}_low", low).fill_nan(None),
            pl.Series(f"{rate}_high", high).fill_nan(None),
        ]
    return counts.select(columns).to_arrow()
