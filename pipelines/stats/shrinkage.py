"""Empirical-Bayes shrinkage of small-count rates, by the method of moments.

Two models (ranking-methods.md §3):

**Counts per unit of exposure: Poisson–gamma** (Clayton & Kaldor 1987; Marshall 1991, the
"global" estimate used by GeoDa and spdep). O_i ~ Poisson(θ_i N_i), θ_i ~ Gamma(ν, α).
With r_i = O_i / N_i over the k units with N_i > 0:

    m  = ΣO / ΣN                      the pooled rate (prior mean ν/α)
    s² = Σ N_i (r_i − m)² / ΣN        the exposure-weighted variance of the raw rates
    N̄  = ΣN / k
    A  = max(0, s² − m / N̄)           the between-unit variance of the true rates
    w_i = A / (A + m / N_i)           the weight of the unit's own rate
    θ̂_i = m + w_i (r_i − m)

This is the posterior mean of Gamma(ν + O_i, α + N_i) with ν = m²/A and α = m/A. A = 0 means
the data cannot separate the units: every weight is 0 and every estimate is m (the posterior
is a point mass at m). A unit with N_i = 0 has no information: weight 0, estimate m.

**Proportions: beta–binomial.** y_i ~ Bin(n_i, p_i), p_i ~ Beta(a_i, b_i) with prior mean e_i.
Without covariates e_i = μ̂ = Σy / Σn for all units and, over the k units with n_i > 0,

    s² = Σ n_i (p̂_i − e_i)² / Σn
    σ̂² = max(0, s² − Σ e_i(1 − e_i) / Σn)       (= s² − μ̂(1 − μ̂)/n̄ when e_i = μ̂)
    M  = a_i + b_i = v̄ / σ̂² − 1,  v̄ = Σ n_i e_i(1 − e_i) / Σn   (= μ̂(1 − μ̂)/σ̂² − 1)
    posterior Beta(M e_i + y_i, M (1 − e_i) + n_i − y_i), mean (y_i + M e_i) / (n_i + M)
    w_i = n_i / (n_i + M)

Unit-specific prior means e_i (an expected rate from the unit's case mix, indirect
standardisation) shrink each unit toward what its mix of cases predicts instead of the
county mean; with e_i = μ̂ the formulas are the textbook ones above. σ̂² = 0 is full shrinkage
(M infinite, every weight 0, every estimate e_i).

Worked value (tests): prior Beta(2, 8) (e = 0.2, M = 10) and 3 successes in 5 trials give the
posterior Beta(5, 10) with mean 5/15 = 1/3 and weight 5/15.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True)
class PoissonGammaFit:
    """Marshall's global EB estimate; rates are per unit of exposure."""

    pooled_rate: float  # m
    raw_variance: float  # s²
    mean_exposure: float  # N̄
    between_variance: float  # A
    weights: NDArray[np.float64]  # w_i
    estimates: NDArray[np.float64]  # θ̂_i

    @property
    def is_degenerate(self) -> bool:
        """True when A = 0: the data cannot separate the units."""
        return not self.between_variance > 0

    @property
    def prior_shape(self) -> float:
        """ν = m²/A (inf when A = 0)."""
        return self.pooled_rate**2 / self.between_variance if not self.is_degenerate else np.inf

    @property
    def prior_rate(self) -> float:
        """α = m/A (inf when A = 0)."""
        return self.pooled_rate / self.between_variance if not self.is_degenerate else np.inf


@dataclass(frozen=True)
class BetaBinomialFit:
    """Beta–binomial EB by moments; `prior_means` are the e_i."""

    prior_means: NDArray[np.float64]  # e_i
    raw_variance: float  # s²
    between_variance: float  # σ̂²
    prior_size: float  # M = a + b (inf when σ̂² = 0)
    weights: NDArray[np.float64]  # n_i / (n_i + M)
    estimates: NDArray[np.float64]  # posterior means

    @property
    def is_degenerate(self) -> bool:
        return not np.isfinite(self.prior_size)


def poisson_gamma_eb(events: ArrayLike, exposures: ArrayLike) -> PoissonGammaFit:
    """Marshall's global empirical-Bayes estimate of each unit's rate (module docstring)."""
    o = np.asarray(events, dtype=np.float64)
    n = np.asarray(exposures, dtype=np.float64)
    if o.shape != n.shape or o.ndim != 1:
        raise ValueError("events and exposures must be 1-d arrays of the same length")
    if (o < 0).any() or (n < 0).any():
        raise ValueError("events and exposures must be non-negative")
    informative = n > 0
    k = int(informative.sum())
    total_n = float(n[informative].sum())
    if k == 0 or total_n == 0:
        nan = np.full(o.shape, np.nan)
        return PoissonGammaFit(np.nan, np.nan, np.nan, 0.0, np.zeros(o.shape), nan)
    m = float(o[informative].sum()) / total_n
    rates = np.divide(o, n, out=np.full(o.shape, m), where=informative)
    s2 = float((n[informative] * (rates[informative] - m) ** 2).sum()) / total_n
    n_bar = total_n / k
    a = max(0.0, s2 - m / n_bar)
    weights = np.zeros(o.shape)
    if a > 0:
        weights[informative] = a / (a + m / n[informative])
    estimates = m + weights * (rates - m)
    return PoissonGammaFit(m, s2, n_bar, a, weights, estimates)


def beta_binomial_eb(
    successes: ArrayLike, trials: ArrayLike, prior_means: ArrayLike | None = None
) -> BetaBinomialFit:
    """Beta–binomial empirical Bayes by the method of moments (module docstring).

    `successes` may be fractional (a satisfaction score that weighs "basically satisfied").
    `prior_means`, if given, are each unit's expected rate (case mix), strictly inside (0, 1).
    """
    y = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    if y.shape != n.shape or y.ndim != 1:
        raise ValueError("successes and trials must be 1-d arrays of the same length")
    if (n < 0).any() or (y < 0).any() or (y > n).any():
        raise ValueError("need 0 ≤ successes ≤ trials")
    informative = n > 0
    total_n = float(n[informative].sum())
    if total_n == 0:
        nan = np.full(y.shape, np.nan)
        return BetaBinomialFit(nan, np.nan, 0.0, np.inf, np.zeros(y.shape), nan)
    if prior_means is None:
        e = np.full(y.shape, float(y[informative].sum()) / total_n)
    else:
        e = np.asarray(prior_means, dtype=np.float64)
        if e.shape != y.shape or ((e <= 0) | (e >= 1)).any():
            raise ValueError("prior means must lie strictly inside (0, 1), one per unit")
    p_hat = np.divide(y, n, out=e.copy(), where=informative)
    ni, ei = n[informative], e[informative]
    s2 = float((ni * (p_hat[informative] - ei) ** 2).sum()) / total_n
    sigma2 = max(0.0, s2 - float((ei * (1 - ei)).sum()) / total_n)
    v_bar = float((ni * ei * (1 - ei)).sum()) / total_n
    if sigma2 > 0 and v_bar > 0:
        # σ̂² < v̄ always holds for proportions with finite n; the floor only guards rounding.
        size = max(v_bar / sigma2 - 1.0, 1e-9)
        weights = n / (n + size)
        estimates = (y + size * e) / (n + size)
    else:
        size = np.inf
        weights = np.zeros(y.shape)
        estimates = e.copy()
    return BetaBinomialFit(e, s2, sigma2, size, weights, estimates)


def gamma_posterior(fit: PoissonGammaFit, events: ArrayLike, exposures: ArrayLike
                    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Posterior Gamma(shape, rate) per unit: (ν + O_i, α + N_i); inf, inf when A = 0."""
    o = np.asarray(events, dtype=np.float64)
    n = np.asarray(exposures, dtype=np.float64)
    if fit.is_degenerate:
        return np.full(o.shape, np.inf), np.full(o.shape, np.inf)
    return fit.prior_shape + o, fit.prior_rate + n


def beta_posterior(fit: BetaBinomialFit, successes: ArrayLike, trials: ArrayLike
                   ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Posterior Beta(a, b) per unit: (M e_i + y_i, M(1 − e_i) + n_i − y_i); inf when σ̂² = 0."""
    y = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    if fit.is_degenerate:
        return np.full(y.shape, np.inf), np.full(y.shape, np.inf)
    m = fit.prior_size
    return m * fit.prior_means + y, m * (1 - fit.prior_means) + n - y


def posterior_mean_gamma(prior_shape: float, prior_rate: float, events: float,
                         exposure: float) -> float:
    """(ν + O) / (α + N): the posterior mean of a rate under a stated Gamma(ν, α) prior."""
    return (prior_shape + events) / (prior_rate + exposure)


def posterior_mean_beta(a: float, b: float, successes: float, trials: float) -> float:
    """(a + y) / (a + b + n): the posterior mean of a proportion under a stated Beta(a, b)."""
    return (a + successes) / (a + b + trials)
