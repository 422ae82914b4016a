"""Statistics for fair comparison: pure, documented functions (the one home of formulas that
SQL cannot express well). Applied to the warehouse by dbt Python models.

rates (rate-ratio and binomial intervals) · shrinkage (empirical Bayes) · funnel (limits,
overdispersion) · composite (distance to target, geometric aggregation) · ranks (Monte Carlo
rank intervals) · screening and ranking (applying them to unit × year counts) ·
control_charts (monthly trends) · verdicts (the dashboards' red / amber / green against a
target, and what a ranking can tell apart)
"""

from pipelines.stats.rates import RateRatio, rate_ratio_ci

__all__ = ["RateRatio", "rate_ratio_ci"]
