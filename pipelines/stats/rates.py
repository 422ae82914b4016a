"""Rate ratios with exact confidence intervals, for year-over-year change in counts; and the
exact binomial interval of a proportion, for a rate judged against a target.

Two Poisson counts a (this period) and b (the comparison period), with exposures e_a and e_b
(1 and 1 when the periods are alike). Conditional on n = a + b, a is binomial with
p = RR·e_a / (RR·e_a + e_b), so an exact (Clopper–Pearson) interval for p maps to one for
the rate ratio RR = (p / (1 − p)) · (e_b / e_a). It is defined when a or b is zero, where a
Wald interval on log(RR) is not (Rothman & Greenland, Modern Epidemiology, ch. 14; Ulm 1990).

Worked value (docs and tests): 200 → 130 events gives RR 0.65, a fall of 35%, with a 95%
interval for the fall of about 19% to 48%.

**Binomial interval** (`binomial_ci`): the exact (Clopper–Pearson) interval of a proportion
x / n: the lower limit is the p with P(X ≥ x | p) = α/2 and the upper the p with
P(X ≤ x | p) = α/2, i.e. the α/2 quantile of Beta(x, n − x + 1) and the 1 − α/2 quantile of
Beta(x + 1, n − x); 0 when x = 0 and 1 when x = n. It never leaves [0, 1] and keeps its
coverage on a handful of items, where the Wald interval p ± z·√(p(1 − p)/n) collapses to a
point at 0 of n or n of n. Worked values (Clopper & Pearson 1934; tests): 5 of 10 gives
0.187–0.813, 0 of 10 gives 0–0.308 (1 − 0.025^(1/10)). A weighted count (a satisfaction
numerator with "basically satisfied" weighted below 1) may be fractional: the Beta
quantiles take it as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import beta


@dataclass(frozen=True)
class RateRatio:
    ratio: float | None  # a/e_a ÷ b/e_b; None when b is zero
    low: float | None  # lower 95% limit of the ratio (0 when a is zero)
    high: float | None  # upper limit; None (unbounded) when b is zero

    @property
    def change(self) -> float | None:
        """Relative change (ratio − 1): −0.35 is a 35% fall."""
        return None if self.ratio is None else self.ratio - 1.0


def rate_ratio_ci(a: int, b: int, level: float = 0.95, exposure_a: float = 1.0,
                  exposure_b: float = 1.0) -> RateRatio:
    """Exact conditional interval for the ratio of two Poisson rates (see module docstring)."""
    if a < 0 or b < 0:
        raise ValueError("counts must be non-negative")
    if exposure_a <= 0 or exposure_b <= 0:
        raise ValueError("exposures must be positive")
    scale = exposure_b / exposure_a
    n = a + b
    if n == 0:
        return RateRatio(None, None, None)
    alpha = 1.0 - level
    p_low = 0.0 if a == 0 else float(beta.ppf(alpha / 2, a, b + 1))
    p_high = 1.0 if b == 0 else float(beta.ppf(1 - alpha / 2, a + 1, b))
    ratio = None if b == 0 else (a / b) * scale
    low = p_low / (1 - p_low) * scale
    high = None if p_high >= 1.0 else p_high / (1 - p_high) * scale
    return RateRatio(ratio, low, high)


def binomial_ci(successes: float, trials: float, level: float = 0.95
                ) -> tuple[float, float] | None:
    """Exact (Clopper–Pearson) interval (low, high) of successes / trials (module docstring);
    None without trials."""
    low, high = binomial_ci_arrays([successes], [trials], level)
    return None if np.isnan(low[0]) else (float(low[0]), float(high[0]))


def binomial_ci_arrays(successes, trials, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """`binomial_ci` over arrays: (low, high), NaN where there are no trials."""
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    if (n < 0).any() or (x < 0).any() or (x > n).any():
        raise ValueError("need 0 <= successes <= trials")
    alpha = 1.0 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(x > 0, beta.ppf(alpha / 2, np.maximum(x, 1e-300), n - x + 1), 0.0)
        high = np.where(x < n, beta.ppf(1 - alpha / 2, x + 1, np.maximum(n - x, 1e-300)), 1.0)
    empty = n == 0
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def rate_ratio_ci_arrays(a, b, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`rate_ratio_ci` over arrays of counts (equal exposures): (ratio, low, high), NaN where
    undefined (ratio and high when b = 0; all three when a + b = 0)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if (a < 0).any() or (b < 0).any():
        raise ValueError("counts must be non-negative")
    alpha = 1.0 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        p_low = np.where(a > 0, beta.ppf(alpha / 2, np.maximum(a, 1), b + 1), 0.0)
        p_high = np.where(b > 0, beta.ppf(1 - alpha / 2, a + 1, np.maximum(b, 1)), 1.0)
        ratio = np.where(b > 0, a / b, np.nan)
        low = p_low / (1 - p_low)
        high = np.where(p_high < 1.0, p_high / (1 - p_high), np.nan)
    empty = (a + b) == 0
    low = np.where(empty, np.nan, low)
    return ratio, low, high


def log_rate_ratio_wald(a: int, b: int, level: float = 0.95) -> RateRatio:
    """The textbook large-sample interval exp(log(a/b) ± z·√(1/a + 1/b)); a, b > 0."""
    from scipy.stats import norm

    if a <= 0 or b <= 0:
        raise ValueError("the Wald interval needs both counts positive")
    z = float(norm.ppf(1 - (1 - level) / 2))
    centre = math.log(a / b)
    half = z * math.sqrt(1 / a + 1 / b)
    return RateRatio(a / b, math.exp(centre - half), math.exp(centre + half))
