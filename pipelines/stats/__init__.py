"""Statistics for fair comparison: pure, documented functions (the one home of formulas that
SQL cannot express well). Applied to the warehouse by dbt Python models.

rates (rate-ratio intervals) · proportions (Wilson intervals for a proportion) ·
shrinkage (empirical Bayes) · funnel (limits, overdispersion) · composite (distance to target,
geometric aggregation) · ranks (Monte Carlo rank intervals) · screening and ranking (applying
them to unit × year counts) · control_charts (monthly trends)
"""

from pipelines.stats.proportions import wilson_interval
from pipelines.stats.rates import RateRatio, rate_ratio_ci

__all__ = ["RateRatio", "rate_ratio_ci", "wilson_interval"]
