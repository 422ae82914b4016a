"""Statistics for fair comparison: pure, documented functions (the one home of formulas that
SQL cannot express well). Applied to the warehouse by dbt Python models."""

from pipelines.stats.rates import RateRatio, rate_ratio_ci

__all__ = ["RateRatio", "rate_ratio_ci"]
