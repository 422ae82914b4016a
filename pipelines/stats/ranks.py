"""Ranks with their uncertainty: Monte Carlo over posterior draws and weight uncertainty
(Goldstein & Spiegelhalter 1996; Saisana, Saltelli & Tarantola 2005; ranking-methods.md
§1 and §3).

For s = 1..S, with one generator seeded from a fixed seed (reproducible):

1. draw every unit's true value of every indicator from its EB posterior (gamma for rates,
   beta for proportions; a degenerate posterior — full shrinkage — is its mean);
2. draw the weights: w_q uniform on [w_q_low, w_q_high] (the spread of the experts' budget
   allocations, ±25% by default), renormalised to sum to 1;
3. normalise each draw to its target and aggregate geometrically (`composite`);
4. rank the units, 1 = best (highest composite); exact ties — e.g. every unit capped on
   every indicator — are broken at random, so they share the probabilities instead of all
   taking the best rank.

Per unit: the median rank, the 90% interval (the 5th and 95th percentiles of its S ranks,
each an observed rank: the ⌈qS⌉-th smallest), P(top decile) = share of draws with rank ≤
⌈0.1K⌉ and P(bottom decile) = share with rank > K − ⌈0.1K⌉, for K ranked units.
Awards and accountability use these probabilities, never a bare rank position.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from pipelines.stats.composite import geometric_composite, normalise_to_target

GAMMA, BETA = "gamma", "beta"
CHUNK_DRAWS = 250  # draws simulated at a time, to bound memory at province scale


def _expit(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.log(p) - np.log1p(-p)


@dataclass(frozen=True)
class Posterior:
    """Each unit's posterior for one indicator.

    gamma: shape1 = shape, shape2 = rate; beta: shape1 = a, shape2 = b. A non-finite
    parameter marks a point mass at `mean`. For beta, `logit_offset` (case-mix
    standardisation) maps a draw θ to expit(logit θ + offset). Draws are multiplied by
    `scale` (1000 for a rate per 1,000 residents).
    """

    family: str
    shape1: NDArray[np.float64]
    shape2: NDArray[np.float64]
    mean: NDArray[np.float64]
    logit_offset: NDArray[np.float64] | None = None
    scale: float = 1.0

    def __post_init__(self) -> None:
        if self.family not in (GAMMA, BETA):
            raise ValueError(f"unknown posterior family {self.family!r}")

    @property
    def units(self) -> int:
        return int(np.asarray(self.mean).size)

    def sample(self, rng: np.random.Generator, draws: int) -> NDArray[np.float64]:
        """(draws, units) array of draws on the indicator's scale."""
        a = np.asarray(self.shape1, dtype=np.float64)
        b = np.asarray(self.shape2, dtype=np.float64)
        mean = np.asarray(self.mean, dtype=np.float64)
        proper = np.isfinite(a) & np.isfinite(b) & (a > 0) & (b > 0)
        safe_a = np.where(proper, a, 1.0)
        safe_b = np.where(proper, b, 1.0)
        if self.family == GAMMA:
            raw = rng.gamma(safe_a, 1.0 / safe_b, size=(draws, a.size))
        else:
            raw = rng.beta(safe_a, safe_b, size=(draws, a.size))
            if self.logit_offset is not None:
                offset = np.asarray(self.logit_offset, dtype=np.float64)
                clipped = np.clip(raw, 1e-12, 1 - 1e-12)
                raw = _expit(_logit(clipped) + offset)
        return np.where(proper, raw * self.scale, mean)


@dataclass(frozen=True)
class IndicatorSpec:
    """How one indicator enters the composite (seed ranking_indicators)."""

    target: float
    direction: str
    weight: float
    weight_low: float
    weight_high: float
    cap: float | None = None
    floor: float = 0.01

    def normalise(self, values: ArrayLike) -> NDArray[np.float64]:
        return normalise_to_target(values, self.target, self.direction, self.cap, self.floor)


@dataclass(frozen=True)
class RankSummary:
    composite: NDArray[np.float64]  # point composite: EB means, nominal weights
    rank_median: NDArray[np.int64]
    rank_low: NDArray[np.int64]
    rank_high: NDArray[np.int64]
    p_top_decile: NDArray[np.float64]
    p_bottom_decile: NDArray[np.float64]
    draws: int
    units: int
    decile_size: int  # ⌈decile·K⌉
    rank_draws: NDArray[np.int32] = field(repr=False, default_factory=lambda: np.empty((0, 0),
                                                                                     np.int32))


def rank_descending(scores: NDArray[np.float64], rng: np.random.Generator) -> NDArray[np.int32]:
    """Rank each row of a (draws, units) array, 1 = highest score, ties broken at random."""
    draws, units = scores.shape
    tiebreak = rng.random((draws, units))
    order = np.lexsort((tiebreak, -scores), axis=1)
    ranks = np.empty((draws, units), dtype=np.int32)
    positions = np.broadcast_to(np.arange(1, units + 1, dtype=np.int32), (draws, units))
    np.put_along_axis(ranks, order, positions, axis=1)
    return ranks


def _order_statistic(sorted_ranks: NDArray[np.int32], q: float) -> NDArray[np.int64]:
    """The ⌈q·S⌉-th smallest of S ranks, per unit (an observed rank)."""
    s = sorted_ranks.shape[0]
    k = min(max(math.ceil(q * s - 1e-9), 1), s)
    return sorted_ranks[k - 1].astype(np.int64)


def summarise_ranks(ranks: NDArray[np.int32], interval: float = 0.90, decile: float = 0.10
                    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64],
                               NDArray[np.float64], NDArray[np.float64], int]:
    """(median, low, high, P(top decile), P(bottom decile), decile size) from (S, K) ranks."""
    _draws, units = ranks.shape
    tail = (1.0 - interval) / 2.0
    ordered = np.sort(ranks, axis=0)
    top = max(1, math.ceil(decile * units - 1e-9))
    p_top = (ranks <= top).mean(axis=0)
    p_bottom = (ranks > units - top).mean(axis=0)
    return (_order_statistic(ordered, 0.5), _order_statistic(ordered, tail),
            _order_statistic(ordered, 1.0 - tail), p_top, p_bottom, top)


def monte_carlo_ranks(posteriors: Sequence[Posterior], specs: Sequence[IndicatorSpec],
                      draws: int = 1000, seed: int | Sequence[int] = 0,
                      interval: float = 0.90, decile: float = 0.10,
                      keep_draws: bool = False) -> RankSummary:
    """Median rank, rank interval and decile probabilities of every unit (module docstring).

    All posteriors describe the same K units in the same order; `specs` match `posteriors`.
    """
    if len(posteriors) != len(specs) or not posteriors:
        raise ValueError("one spec per posterior, at least one indicator")
    units = posteriors[0].units
    if any(p.units != units for p in posteriors):
        raise ValueError("every posterior must cover the same units")
    if draws < 1:
        raise ValueError("draws must be positive")
    nominal = np.array([s.weight for s in specs], dtype=np.float64)
    if not nominal.sum() > 0:
        raise ValueError("the weights must not all be zero")
    point_scores = np.stack(
        [spec.normalise(np.asarray(p.mean, dtype=np.float64)) for p, spec in zip(posteriors, specs,
                                                                                 strict=True)],
        axis=-1,
    ) if units else np.empty((0, len(specs)))
    composite = geometric_composite(point_scores, nominal) if units else np.empty(0)
    if units == 0:
        empty_i = np.empty(0, dtype=np.int64)
        empty_f = np.empty(0, dtype=np.float64)
        return RankSummary(composite, empty_i, empty_i, empty_i, empty_f, empty_f, draws, 0, 0)
    rng = np.random.default_rng(seed)
    low = np.array([s.weight_low for s in specs], dtype=np.float64)
    high = np.array([s.weight_high for s in specs], dtype=np.float64)
    ranks = np.empty((draws, units), dtype=np.int32)
    for start in range(0, draws, CHUNK_DRAWS):
        n = min(CHUNK_DRAWS, draws - start)
        weights = rng.uniform(low, high, size=(n, len(specs)))
        weights /= weights.sum(axis=1, keepdims=True)
        log_composite = np.zeros((n, units))
        for q, (posterior, spec) in enumerate(zip(posteriors, specs, strict=True)):
            scores = spec.normalise(posterior.sample(rng, n))
            log_composite += weights[:, q : q + 1] * np.log(scores)
        ranks[start : start + n] = rank_descending(log_composite, rng)
    median, rank_low, rank_high, p_top, p_bottom, top = summarise_ranks(ranks, interval, decile)
    return RankSummary(composite, median, rank_low, rank_high, p_top, p_bottom, draws, units, top,
                       ranks if keep_draws else np.empty((0, 0), np.int32))
