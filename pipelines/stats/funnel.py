"""Funnel-plot limits and positions with overdispersion adjustment (Spiegelhalter 2005).

Each unit's indicator y_i is compared with a target θ₀ (a pooled county value, or a
unit-specific expected value from its case mix) at its own precision. Two kinds:

* ``"proportion"``: y = r/n, r ~ Bin(n, θ₀);
* ``"rate"``: y = O/N (per unit of exposure), O ~ Poisson(θ₀·N); E = θ₀·N is the expected
  count and O/E the standardised ratio.

**Exact limits with interpolation** (Stat Med 24:1185, appendix A.1.1). For probability p,
r_p is the p-quantile of the count distribution (the smallest r with F(r) ≥ p) and

    α = [F(r_p) − p] / [F(r_p) − F(r_p − 1)],   limit = (r_p − α) / n   (or / N),

truncated to [0, 1] for proportions and at 0 for rates. The 95% limits use p = 0.025 and
0.975, the 99.8% limits p = 0.001 and 0.999. Worked value (tests): n = 100, θ₀ = 0.1,
p = 0.999: F(19) = 0.998021, F(20) = 0.999192, so r_p = 20, α = 0.164 and the upper limit is
0.19836.

**Overdispersion** (Spiegelhalter 2005, QSHC 14:347; FunnelPlotR). On a variance-stabilising
scale, z_i = (g(y_i) − g(θ₀)) / s_i:

* proportions: g = arcsine square root, s_i = 1 / (2√n_i);
* rates: g(y) = √(y/θ₀) (the CQC square-root ratio), s_i = 1 / (2√E_i), so z = 2(√O − √E).
  (The log scale of SHMI is undefined at O = 0, common in villages.)

The z are winsorised (the lowest and highest `winsor` fraction set to the percentile at that
fraction), φ̂ = mean(z²), and the units are overdispersed when I·φ̂ exceeds the 1 − α quantile
of χ² on I − 1 degrees of freedom. Then the additive random-effects variance
(DerSimonian–Laird)

    τ̂² = max(0, [I·φ̂ − (I − 1)] / [Σw_i − Σw_i² / Σw_i]),   w_i = 1 / s_i²,

widens every limit to g(θ₀) ± z_p·√(s_i² + τ̂²), back-transformed (sin², or θ₀·(.)²). Without
overdispersion the exact limits stand.

**Positions**: ``above_998`` when y is beyond the upper 99.8% limit, else ``above_95`` beyond
the upper 95% limit; ``below_998`` / ``below_95`` likewise beyond the lower limits; else
``within``. With the normal (τ̂²) limits "beyond" is a strict comparison of y. With the exact
limits a count is read with a one-count continuity convention: the interpolated limit is the
p-quantile of X − U (U uniform on [0, 1)), on which an observed count O occupies (O − 1, O],
and O is beyond a limit only when all of it is — below when O/n < lower limit, above when
(O − 1)/n ≥ upper limit (limits truncated at 0 included: an upper limit of 0 means a single
event is beyond). This is exactly the one-sided exact test at the tail probability
(above the upper 99.8% limit ⟺ P(X ≥ O) ≤ 0.001), whereas comparing O/n itself with the
upper limit flags, e.g., 16 of 16 satisfied against θ₀ = 0.9 (P = 0.19) as beyond 99.8%:
with small counts the plain comparison raises false alarms (Manktelow & Seaton 2012).
A unit with no denominator has no observation: the funnel at zero precision spans every
value, so it is ``within`` with z = 0.
The reported z is (g(y) − g(θ₀)) / √(s² + τ̂²), on the stabilising scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import binom, chi2, norm, poisson

WITHIN, ABOVE_95, ABOVE_998, BELOW_95, BELOW_998 = (
    "within", "above_95", "above_998", "below_95", "below_998",
)
KINDS = ("proportion", "rate")
ALERT, ALARM = 0.95, 0.998


def _interpolated(dist_cdf, dist_ppf, p: float) -> NDArray[np.float64]:
    r_p = dist_ppf(p)
    f_r = dist_cdf(r_p)
    f_below = dist_cdf(r_p - 1)
    step = f_r - f_below
    alpha = np.divide(f_r - p, step, out=np.zeros_like(f_r), where=step > 0)
    return r_p - alpha


def binomial_limit(n: ArrayLike, theta0: ArrayLike, p: float) -> NDArray[np.float64]:
    """Exact interpolated binomial limit for a proportion at probability p (NaN where n = 0)."""
    n_arr = np.asarray(n, dtype=np.float64)
    t = np.broadcast_to(np.asarray(theta0, dtype=np.float64), n_arr.shape)
    count = _interpolated(lambda r: binom.cdf(r, n_arr, t), lambda q: binom.ppf(q, n_arr, t), p)
    with np.errstate(invalid="ignore", divide="ignore"):
        limit = np.clip(count / n_arr, 0.0, 1.0)
    return np.where(n_arr > 0, limit, np.nan)


def poisson_limit(exposure: ArrayLike, theta0: ArrayLike, p: float) -> NDArray[np.float64]:
    """Exact interpolated Poisson limit for a rate O/N at probability p (NaN where N = 0)."""
    n_arr = np.asarray(exposure, dtype=np.float64)
    mu = n_arr * np.broadcast_to(np.asarray(theta0, dtype=np.float64), n_arr.shape)
    count = _interpolated(lambda r: poisson.cdf(r, mu), lambda q: poisson.ppf(q, mu), p)
    with np.errstate(invalid="ignore", divide="ignore"):
        limit = np.maximum(count / n_arr, 0.0)
    return np.where(n_arr > 0, limit, np.nan)


def stabilised_z(kind: str, observed: ArrayLike, denominator: ArrayLike, theta0: ArrayLike
                 ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(g(y) − g(θ₀), s) per unit on the stabilising scale; NaN where the denominator is 0."""
    o = np.asarray(observed, dtype=np.float64)
    n = np.asarray(denominator, dtype=np.float64)
    t = np.broadcast_to(np.asarray(theta0, dtype=np.float64), n.shape)
    ok = n > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == "proportion":
            y = np.clip(o / n, 0.0, 1.0)
            diff = np.arcsin(np.sqrt(y)) - np.arcsin(np.sqrt(t))
            s = 1.0 / (2.0 * np.sqrt(n))
        elif kind == "rate":
            expected = t * n
            ok = ok & (expected > 0)
            diff = np.sqrt(o / expected) - 1.0
            s = 1.0 / (2.0 * np.sqrt(expected))
        else:
            raise ValueError(f"kind must be one of {KINDS}")
    return np.where(ok, diff, np.nan), np.where(ok, s, np.nan)


def winsorise(values: ArrayLike, fraction: float) -> NDArray[np.float64]:
    """Set the lowest and highest `fraction` of the values to the percentiles at `fraction`
    and 1 − `fraction` (linear interpolation between order statistics)."""
    z = np.asarray(values, dtype=np.float64)
    if z.size == 0 or fraction <= 0:
        return z.copy()
    low, high = np.quantile(z, [fraction, 1.0 - fraction])
    return np.clip(z, low, high)


@dataclass(frozen=True)
class Overdispersion:
    units: int  # I: units with an observation
    phi: float  # φ̂ = mean of the winsorised z²
    is_overdispersed: bool  # I·φ̂ > χ²_{I−1}(1 − α)
    tau2: float  # τ̂² (0 unless overdispersed)


def overdispersion(z: ArrayLike, s: ArrayLike, winsor: float = 0.1, alpha: float = 0.05
                   ) -> Overdispersion:
    """φ̂ from winsorised z, the χ² test and the DerSimonian–Laird τ̂² (module docstring).
    `z` and `s` are the unadjusted scores and standard errors; NaN entries are ignored."""
    z_arr = np.asarray(z, dtype=np.float64)
    s_arr = np.asarray(s, dtype=np.float64)
    keep = np.isfinite(z_arr) & np.isfinite(s_arr) & (s_arr > 0)
    z_arr, s_arr = z_arr[keep], s_arr[keep]
    units = int(z_arr.size)
    if units < 2:
        return Overdispersion(units, float("nan") if units == 0 else float(z_arr[0] ** 2),
                              False, 0.0)
    phi = float(np.mean(winsorise(z_arr, winsor) ** 2))
    over = units * phi > float(chi2.ppf(1.0 - alpha, units - 1))
    tau2 = 0.0
    if over:
        w = 1.0 / s_arr**2
        denominator = float(w.sum() - (w**2).sum() / w.sum())
        if denominator > 0:
            tau2 = max(0.0, (units * phi - (units - 1)) / denominator)
    return Overdispersion(units, phi, over and tau2 > 0, tau2)


@dataclass(frozen=True)
class FunnelScreen:
    """Per-unit results of `funnel_screen`; limits are on the indicator's own scale (y)."""

    values: NDArray[np.float64]  # y_i (NaN without a denominator)
    z: NDArray[np.float64]  # adjusted z (0 without a denominator)
    positions: NDArray[np.str_]
    low_95: NDArray[np.float64]
    high_95: NDArray[np.float64]
    low_998: NDArray[np.float64]
    high_998: NDArray[np.float64]
    overdispersion: Overdispersion


def _normal_limits(kind: str, theta0: NDArray[np.float64], se: NDArray[np.float64],
                   level: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    z_p = float(norm.ppf(1.0 - (1.0 - level) / 2.0))
    if kind == "proportion":
        centre = np.arcsin(np.sqrt(theta0))
        low = np.sin(np.clip(centre - z_p * se, 0.0, np.pi / 2)) ** 2
        high = np.sin(np.clip(centre + z_p * se, 0.0, np.pi / 2)) ** 2
    else:
        low = theta0 * np.maximum(1.0 - z_p * se, 0.0) ** 2
        high = theta0 * (1.0 + z_p * se) ** 2
    return low, high


def _exact_limits(kind: str, n: NDArray[np.float64], theta0: NDArray[np.float64],
                  level: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    tail = (1.0 - level) / 2.0
    limit = binomial_limit if kind == "proportion" else poisson_limit
    return limit(n, theta0, tail), limit(n, theta0, 1.0 - tail)


@dataclass(frozen=True)
class FunnelLimits:
    """The 95% and 99.8% limits at each denominator, on the indicator's own scale (y)."""

    low_95: NDArray[np.float64]
    high_95: NDArray[np.float64]
    low_998: NDArray[np.float64]
    high_998: NDArray[np.float64]


def funnel_limits(kind: str, denominator: ArrayLike, theta0: ArrayLike, tau2: float = 0.0
                  ) -> FunnelLimits:
    """95% and 99.8% limits around θ₀ at each denominator (exposure, for a rate): exact
    interpolated limits when τ̂² = 0, else g(θ₀) ± z_p·√(s² + τ̂²) back-transformed (module
    docstring). NaN where the denominator is 0; a rate with no expected events (θ₀·N = 0)
    has limits 0. `theta0` is a scalar or one centre per unit. The limits of a funnel plot
    follow from the parameters a build stores (θ₀ and τ̂² per indicator and year)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    n = np.asarray(denominator, dtype=np.float64)
    t = np.broadcast_to(np.asarray(theta0, dtype=np.float64), n.shape).astype(np.float64)
    ok = n > 0
    if tau2 > 0:
        _, s = stabilised_z(kind, np.zeros_like(n), n, t)
        se = np.sqrt(s**2 + tau2)
        low_95, high_95 = _normal_limits(kind, t, se, ALERT)
        low_998, high_998 = _normal_limits(kind, t, se, ALARM)
    else:
        low_95, high_95 = _exact_limits(kind, n, t, ALERT)
        low_998, high_998 = _exact_limits(kind, n, t, ALARM)
    if kind == "rate":
        # No expected events (θ₀ = 0): nothing can lie outside; the limits collapse to 0.
        flat = ok & ~(t * n > 0)
        for arr in (low_95, high_95, low_998, high_998):
            arr[flat] = 0.0
    for arr in (low_95, high_95, low_998, high_998):
        arr[~ok] = np.nan
    return FunnelLimits(low_95, high_95, low_998, high_998)


def classify(low_values: ArrayLike, high_values: ArrayLike, low_95: ArrayLike,
             high_95: ArrayLike, low_998: ArrayLike, high_998: ArrayLike,
             inclusive_high: bool = False) -> NDArray[np.str_]:
    """Funnel positions: `low_values` are compared with the lower limits (strictly) and
    `high_values` with the upper ones (strictly, or ≥ when `inclusive_high`); NaN values are
    within. With normal limits both are y; with exact limits `high_values` is (O − 1)/n and
    the upper comparison inclusive (module docstring)."""
    low_v = np.asarray(low_values, dtype=np.float64)
    high_v = np.asarray(high_values, dtype=np.float64)
    beyond = np.greater_equal if inclusive_high else np.greater
    out = np.full(low_v.shape, WITHIN, dtype=object)
    with np.errstate(invalid="ignore"):
        out = np.where(low_v < np.asarray(low_95), BELOW_95, out)
        out = np.where(low_v < np.asarray(low_998), BELOW_998, out)
        out = np.where(beyond(high_v, np.asarray(high_95)), ABOVE_95, out)
        out = np.where(beyond(high_v, np.asarray(high_998)), ABOVE_998, out)
    return out.astype(str)


def funnel_screen(kind: str, observed: ArrayLike, denominator: ArrayLike, theta0: ArrayLike,
                  winsor: float = 0.1, alpha: float = 0.05) -> FunnelScreen:
    """Screen every unit against 95% and 99.8% limits around θ₀, overdispersion-adjusted.

    Exact interpolated limits when the units are not overdispersed, else the additive-τ²
    limits on the stabilising scale (module docstring). `theta0` is a scalar or one target
    per unit. Positions compare y = observed/denominator with the limits (with the one-count
    convention for exact limits).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    o = np.asarray(observed, dtype=np.float64)
    n = np.asarray(denominator, dtype=np.float64)
    t = np.broadcast_to(np.asarray(theta0, dtype=np.float64), n.shape).astype(np.float64)
    ok = n > 0
    values = np.divide(o, n, out=np.full(o.shape, np.nan), where=ok)
    diff, s = stabilised_z(kind, o, n, t)
    od = overdispersion(diff / s, s, winsor=winsor, alpha=alpha)
    limits = funnel_limits(kind, n, t, od.tau2)
    low_95, high_95 = limits.low_95, limits.high_95
    low_998, high_998 = limits.low_998, limits.high_998
    z = diff / np.sqrt(s**2 + od.tau2) if od.tau2 > 0 else diff / s
    z = np.where(np.isfinite(z), z, 0.0)
    observed_values = np.where(ok, values, np.nan)
    if od.tau2 > 0:
        upper_values = observed_values
    else:
        upper_values = np.divide(o - 1.0, n, out=np.full(o.shape, np.nan), where=ok)
    positions = classify(observed_values, upper_values, low_95, high_95, low_998, high_998,
                         inclusive_high=not od.tau2 > 0)
    if kind == "rate":
        positions = np.where(ok & ~(t * n > 0), WITHIN, positions)
    return FunnelScreen(values, z, positions, low_95, high_95, low_998, high_998, od)
