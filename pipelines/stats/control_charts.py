"""Control limits for monthly counts: the u-chart and Laney's u′ chart.

A series of counts c_i with exposures n_i (months of different length, a population, ...)
has rates u_i = c_i / n_i and the centre line ū = Σc / Σn. The u-chart's limits for point i
are ū ± L·σ_i with σ_i = √(ū / n_i) (Poisson variation only; L = 3, lower limit floored at 0).

With many items a month, real month-to-month variation exceeds Poisson's and the u-chart
flags nearly every point. Laney's u′ chart (Laney 2002, Quality Engineering 14:531) rescales
each σ_i by σ_z, the spread of the standardised points z_i = (u_i − ū)/σ_i estimated from
their moving ranges: σ_z = mean(|z_i − z_{i−1}|) / 1.128 (d₂ for ranges of two). Limits are
ū ± L·σ_i·σ_z; σ_z = 1 gives back the u-chart.

`control_limits(..., method="auto")` uses u′ only when the series is overdispersed: the
Pearson statistic Σz_i² exceeds the upper α quantile of χ² with k − 1 degrees of freedom and
σ_z > 1 (Laney's limits would otherwise be narrower than Poisson's, which he advises against).

Rare events: where a point's expected count ū·n_i is below `exact_below` (5), the normal
approximation puts the upper limit under one event, so a single item would signal. There the
u-chart takes exact Poisson probability limits with the same tail probability as L sigmas
(0.135% each side for L = 3): the upper limit is the smallest count c with P(X > c) ≤ p, the
lower the largest with P(X < c) ≤ p, each divided by n_i. Expected 0.08 a month gives an upper
limit of 2 items (P(X ≥ 1) = 7.7% is no signal); large counts keep the textbook limits.

Worked values (tests): counts 2, 4, 6 with unit exposures give ū = 4 and u-limits 0 … 10;
z = −1, 0, 1, σ_z = 1/1.128 = 0.8865, u′-limits 0 … 9.319. Counts 10, 30 with exposures 2, 2
give ū = 10 and u-limits 10 ± 3√5 = 3.292 … 16.708.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from scipy.stats import chi2, norm, poisson

D2_MOVING_RANGE = 1.128  # E[|X1 − X2|] / σ for two normal values (d₂, n = 2)
DEFAULT_SIGMAS = 3.0
METHODS = ("u", "laney", "auto")


@dataclass(frozen=True)
class ControlLimits:
    """Limits on the rate scale, one per point (multiply by n_i for the count scale)."""

    method: str  # "u" or "laney"
    centre: float  # ū = Σc / Σn
    rates: tuple[float, ...]  # u_i = c_i / n_i
    lower: tuple[float, ...]  # floored at 0
    upper: tuple[float, ...]
    sigma_z: float  # Laney's σ_z (1.0 when it cannot be estimated)
    dispersion: float  # Pearson Σz² / (k − 1); nan with fewer than two points
    is_overdispersed: bool  # the χ² test at level α (always False for k < 2)

    @property
    def outside(self) -> tuple[bool, ...]:
        """Points beyond either limit (special-cause signals)."""
        return tuple(
            u > hi or u < lo for u, lo, hi in zip(self.rates, self.lower, self.upper, strict=True)
        )


def _validate(counts: Sequence[float], exposures: Sequence[float]) -> None:
    if len(counts) != len(exposures):
        raise ValueError("counts and exposures must have the same length")
    if not counts:
        raise ValueError("a control chart needs at least one point")
    if any(c < 0 for c in counts):
        raise ValueError("counts must be non-negative")
    if any(not n > 0 for n in exposures):
        raise ValueError("exposures must be positive")


def _z_scores(rates: Sequence[float], centre: float, sigmas: Sequence[float]) -> list[float]:
    return [(u - centre) / s if s > 0 else 0.0 for u, s in zip(rates, sigmas, strict=True)]


def laney_sigma_z(z: Sequence[float]) -> float:
    """σ_z from the average moving range of the standardised points; 1.0 for fewer than two."""
    if len(z) < 2:
        return 1.0
    ranges = [abs(b - a) for a, b in pairwise(z)]
    return (sum(ranges) / len(ranges)) / D2_MOVING_RANGE


def control_limits(
    counts: Sequence[float],
    exposures: Sequence[float] | None = None,
    *,
    method: str = "auto",
    sigmas: float = DEFAULT_SIGMAS,
    alpha: float = 0.05,
    exact_below: float = 5.0,
) -> ControlLimits:
    """u-chart or Laney u′ limits for counts over exposures (all 1 when not given); exact
    Poisson limits for u-chart points expecting fewer than `exact_below` events."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    exposures = [1.0] * len(counts) if exposures is None else list(exposures)
    _validate(counts, exposures)
    k = len(counts)
    rates = [c / n for c, n in zip(counts, exposures, strict=True)]
    centre = sum(counts) / sum(exposures)
    sigma_i = [math.sqrt(centre / n) for n in exposures]
    z = _z_scores(rates, centre, sigma_i)
    sigma_z = laney_sigma_z(z) if centre > 0 else 1.0
    pearson = sum(v * v for v in z)
    dispersion = pearson / (k - 1) if k > 1 else math.nan
    overdispersed = k > 1 and centre > 0 and pearson > float(chi2.ppf(1 - alpha, k - 1))

    if method == "auto":
        method = "laney" if overdispersed and sigma_z > 1.0 else "u"
    scale = sigma_z if method == "laney" else 1.0
    lower = [max(0.0, centre - sigmas * s * scale) for s in sigma_i]
    upper = [centre + sigmas * s * scale for s in sigma_i]
    if method == "u" and centre > 0:
        tail = float(norm.sf(sigmas))
        for i, n in enumerate(exposures):
            expected = centre * n
            if expected < exact_below:
                upper[i] = float(poisson.ppf(1 - tail, expected)) / n
                lower[i] = float(poisson.ppf(tail, expected)) / n
    return ControlLimits(
        method=method,
        centre=centre,
        rates=tuple(rates),
        lower=tuple(lower),
        upper=tuple(upper),
        sigma_z=sigma_z,
        dispersion=dispersion,
        is_overdispersed=overdispersed,
    )

