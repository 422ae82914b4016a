"""Verdicts that agree with the statistics: how a dashboard card judges a figure against its
target, and what a ranking can and cannot tell apart. The one home of these rules; the pages
only show what they return.

**A figure against its target** has one of four verdicts:

* ``met`` (green: 已控制 / 低位运行 / 达标): the figure meets its target;
* ``missed`` (red: 未控制 / 未低位运行 / 未达标): the figure misses its target *and* its 95%
  interval lies wholly on the wrong side of the target, so the miss is not the chance
  variation of a small count;
* ``watch`` (amber: 待观察): the figure misses its target but the interval reaches the target.
  The reason says why in plain words: ``few_items`` when the evidence is below `min_items`
  items (seed dashboard_parameters, `verdict_min_items`), else ``change_not_significant``
  (a year-over-year control) or ``gap_not_significant`` (a rate against a target);
* ``unknown``: nothing to judge (no previous year, no items, no target).

Two kinds of target, two intervals:

* **year over year** (一低四控: this year's count no higher than last year's, the flags of
  fct_one_low_four_controls): the 95% rate-ratio interval of fct_indicator_change
  (`pipelines.stats.rates.rate_ratio_ci`, exact, conditional on the two years' total); the
  miss is real when the interval lies wholly above 1 (`is_significant_rise`). The evidence is
  the two years' items together (the n the interval conditions on);
* **a rate against a fixed target** (seed dashboard_targets, direction ``min`` or ``max``):
  the exact binomial interval of successes / trials (`rates.binomial_ci`); the miss is real
  when the whole interval is on the wrong side: its upper limit below a minimum, or its lower
  limit above a maximum. That is the one-sided exact test at 2.5%, the same as a point beyond
  the 95% funnel limit drawn around the target. The evidence is the trials (the denominator).

Worked values (tests): 39 repeat items against 33 (rate ratio 1.18, 95% interval 0.72–1.94)
is ``watch``/``change_not_significant``; 4 repeat visits of 186 against "at most 2%"
(2.2%, interval 0.6%–5.4%) is ``watch``/``gap_not_significant``; 0 of 10 against "at least
95%" (interval 0–30.8%) is ``missed``; 2 of 3 against "at least 95%" (interval 9.4%–99.2%)
is ``watch``/``few_items``.

**What a ranking can tell apart** (`summarise_ranking`). The Monte Carlo ranking (ranks.py)
gives each ranked unit p_top_decile, the share of its draws in which it ranks in the top
tenth. The **separation confidence** of a year's ranking is the largest p_top_decile among the
ranked units: how sure the data let us be that even the likeliest unit truly belongs to the
top tenth. A ranking that separated the units perfectly would give its top tenth 100%; one
that is pure noise gives everyone about 10% (the decile). The candidate rule of seed
candidate_eligibility (`min_p_top_decile`) is a threshold on the same probability, so the
summary also counts the ranked units that reach it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.stats.rates import binomial_ci

MET, MISSED, WATCH, UNKNOWN = "met", "missed", "watch", "unknown"
FEW_ITEMS = "few_items"
CHANGE_NOT_SIGNIFICANT = "change_not_significant"
GAP_NOT_SIGNIFICANT = "gap_not_significant"
LEVEL = 0.95  # the level of fct_indicator_change's rate-ratio interval, used for rates too
DIRECTIONS = ("min", "max")


@dataclass(frozen=True)
class Verdict:
    status: str  # MET, MISSED, WATCH or UNKNOWN
    reason: str | None = None  # for WATCH: FEW_ITEMS, CHANGE_NOT_SIGNIFICANT, GAP_NOT_SIGNIFICANT
    items: float | None = None  # the evidence: the two years' items, or the rate's trials
    low: float | None = None  # the interval judged (the rate's; None for a change)
    high: float | None = None


def judge(is_met: bool | None, is_miss_real: bool, items: float, min_items: float,
          chance: str) -> Verdict:
    """The rule itself: met → MET; missed with an interval wholly on the wrong side → MISSED;
    otherwise WATCH, because of FEW_ITEMS under `min_items` items, else `chance`."""
    if is_met is None:
        return Verdict(UNKNOWN, items=items)
    if is_met:
        return Verdict(MET, items=items)
    if is_miss_real:
        return Verdict(MISSED, items=items)
    return Verdict(WATCH, FEW_ITEMS if items < min_items else chance, items=items)


def change_verdict(is_controlled: bool | None, is_significant_rise: bool | None,
                   count: int | None, count_prev_year: int | None,
                   min_items: float) -> Verdict:
    """A year-over-year control: `is_controlled` is the mart's flag (count ≤ last year's, null
    without a previous year), `is_significant_rise` fct_indicator_change's (the 95% interval
    wholly above 1)."""
    if is_controlled is None or count is None or count_prev_year is None:
        return Verdict(UNKNOWN)
    return judge(bool(is_controlled), bool(is_significant_rise), count + count_prev_year,
                 min_items, CHANGE_NOT_SIGNIFICANT)


def rate_verdict(successes: float | None, trials: float | None, target: float | None,
                 direction: str | None, min_items: float, level: float = LEVEL) -> Verdict:
    """A rate successes / trials against a target: at least `target` (direction ``min``) or
    at most (``max``), judged with the exact binomial interval."""
    if (successes is None or not trials or target is None or direction not in DIRECTIONS):
        return Verdict(UNKNOWN, items=trials)
    successes = min(max(round(float(successes), 9), 0.0), float(trials))
    interval = binomial_ci(successes, trials, level)
    if interval is None:
        return Verdict(UNKNOWN, items=trials)
    low, high = interval
    value = successes / trials
    if direction == "min":
        is_met, is_miss_real = value >= target, high < target
    else:
        is_met, is_miss_real = value <= target, low > target
    verdict = judge(is_met, is_miss_real, trials, min_items, GAP_NOT_SIGNIFICANT)
    return Verdict(verdict.status, verdict.reason, trials, low, high)


@dataclass(frozen=True)
class RankingSummary:
    ranked: int  # units ranked that year
    unranked: int  # units with too little information to rank
    confidence: float | None  # the separation confidence (module docstring); None if none ranked
    reaching: int  # ranked units whose p_top_decile reaches the threshold (0 without one)


def separation_confidence(p_top_deciles: Sequence[float | None]) -> float | None:
    """The largest p_top_decile among ranked units (None values are the unranked)."""
    known = [float(p) for p in p_top_deciles if p is not None]
    return max(known) if known else None


def summarise_ranking(is_insufficient: Sequence[bool | None],
                      p_top_deciles: Sequence[float | None],
                      threshold: float | None = None) -> RankingSummary:
    """A year's ranking in numbers: the units ranked and not, the separation confidence and
    how many ranked units reach `threshold` (candidate_eligibility's min_p_top_decile)."""
    if len(is_insufficient) != len(p_top_deciles):
        raise ValueError("one flag and one probability per unit")
    ranked = [p for flag, p in zip(is_insufficient, p_top_deciles, strict=True) if not flag]
    reaching = 0 if threshold is None else sum(1 for p in ranked
                                               if p is not None and p >= threshold)
    return RankingSummary(len(ranked), len(is_insufficient) - len(ranked),
                          separation_confidence(ranked), reaching)
