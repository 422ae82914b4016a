"""A composite indicator: distance to a policy target, seed weights, geometric aggregation
(OECD/JRC Handbook 2008, steps 5–7; ranking-methods.md §1).

**Normalisation as distance to target.** Each indicator value x (an EB estimate or a posterior
draw, never a raw small-count rate) becomes a positive score I with 1 = exactly on target:

* higher is better (on-time, satisfaction): I = x / t;
* lower is better (petitions per 1,000, repeats): I = t / x (x = 0 scores the cap).

I is then clipped to [floor, cap]. A cap of 1 on a lower-is-better indicator means that
beyond its target, a still lower volume earns nothing more ("measure service, not silence");
the floor keeps the logarithm finite. Targets stay fixed across years, unlike min–max or
z-scores, whose scale follows the sample's noisiest extremes.

**Geometric aggregation**: CI = Π_q I_q^{w_q} with the weights normalised to sum to 1 — only
partly compensatory, so a balanced profile beats one excellent and one poor indicator.
CI = 1 means "on target on every indicator".
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

HIGHER, LOWER = "higher", "lower"
DIRECTIONS = (HIGHER, LOWER)


def normalise_to_target(values: ArrayLike, target: float, direction: str,
                        cap: float | None = None, floor: float = 0.01) -> NDArray[np.float64]:
    """Distance to target as a positive ratio (module docstring); works on any array shape."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}")
    if not target > 0:
        raise ValueError("the target must be positive")
    if not 0 < floor <= 1:
        raise ValueError("the floor must lie in (0, 1]")
    upper = np.inf if cap is None or not np.isfinite(cap) else float(cap)
    x = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = x / target if direction == HIGHER else target / x
    if direction == LOWER:
        ratio = np.where(x <= 0, upper if np.isfinite(upper) else 1.0 / floor, ratio)
    return np.clip(ratio, floor, upper)


def geometric_composite(scores: ArrayLike, weights: ArrayLike) -> NDArray[np.float64]:
    """Π_q I_q^{w_q / Σw}. `scores` has the indicators on its last axis; `weights` is one
    weight per indicator, or an array broadcasting against `scores` (per-draw weights)."""
    s = np.asarray(scores, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if (s <= 0).any():
        raise ValueError("geometric aggregation needs positive scores")
    if (w < 0).any():
        raise ValueError("weights must be non-negative")
    total = w.sum(axis=-1, keepdims=True)
    return np.exp((np.log(s) * (w / total)).sum(axis=-1))
