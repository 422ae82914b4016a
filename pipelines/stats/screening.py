"""Apply the statistics to the warehouse's unit × year counts (used by the dbt Python models
under models/intermediate/ranking/). One year at a time, one indicator at a time:

1. **Case mix** (indicators marked `case_mix` in the seed, for cadres): indirect
   standardisation by subject. Each subject's pooled rate p_s = (O_s + p̄) / (n_s + 1) — one
   pseudo-item at the overall rate p̄ keeps it strictly between 0 and 1 — and a unit's
   expected count E_i = Σ_s n_is·p_s. Subjects with fewer than `casemix_min_stratum_items`
   items that year are pooled into one stratum; with fewer than two strata left there is
   nothing to adjust ("where the data allow") and E_i = n_i·p̄.
   Proportions shrink toward e_i = E_i / n_i (beta–binomial with unit-specific prior means)
   and report the standardised rate expit(logit p̄ + logit θ̂_i − logit e_i), the logistic
   analogue of (observed/expected) × county rate; their funnel is centred on e_i.
   Rates use the case-mix exposure N*_i = E_i / p̄, so O_i / N*_i = p̄·O_i/E_i is the
   indirectly standardised rate and the funnel is the O/E funnel.
2. **EB**: Poisson–gamma (family `rate`) or beta–binomial (family `proportion`).
3. **Funnel**: raw values against 95% and 99.8% limits around the pooled value, adjusted for
   overdispersion (`funnel.funnel_screen`). Each row also carries what the limits need
   (θ₀, τ̂², the winsorising fraction and test level, the units of the test), so a funnel
   plot draws the build's own limits (`funnel.funnel_limits`, mart fct_funnel_parameters).

The result is one long row per unit × year × indicator with every number a decision needs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from pipelines.stats.funnel import funnel_screen
from pipelines.stats.ranks import BETA, GAMMA, IndicatorSpec
from pipelines.stats.shrinkage import (
    beta_binomial_eb,
    beta_posterior,
    gamma_posterior,
    poisson_gamma_eb,
)

RANKED, SIGNAL = "ranked", "signal"
PROPORTION, RATE = "proportion", "rate"
POOLED_STRATUM = "~pooled"
PRIOR_MEAN_BOUND = 1e-6

SCREENED_SCHEMA: dict[str, pl.DataType] = {
    "unit_id": pl.String(),
    "year": pl.Int32(),
    "indicator": pl.String(),
    "role": pl.String(),
    "family": pl.String(),
    "direction": pl.String(),
    "scale": pl.Float64(),
    "observed": pl.Float64(),
    "denominator": pl.Float64(),
    "raw_value": pl.Float64(),
    "exposure": pl.Float64(),
    "expected": pl.Float64(),
    "funnel_value": pl.Float64(),
    "funnel_target": pl.Float64(),
    "pooled_value": pl.Float64(),
    "eb_estimate": pl.Float64(),
    "eb_weight": pl.Float64(),
    "between_variance": pl.Float64(),
    "z": pl.Float64(),
    "funnel_position": pl.String(),
    "limit_95_low": pl.Float64(),
    "limit_95_high": pl.Float64(),
    "limit_998_low": pl.Float64(),
    "limit_998_high": pl.Float64(),
    "phi": pl.Float64(),
    "tau2": pl.Float64(),
    "is_overdispersed": pl.Boolean(),
    "theta0": pl.Float64(),
    "funnel_units": pl.Int64(),
    "winsor_fraction": pl.Float64(),
    "overdispersion_alpha": pl.Float64(),
    "is_case_mix_adjusted": pl.Boolean(),
    "posterior_family": pl.String(),
    "posterior_shape1": pl.Float64(),
    "posterior_shape2": pl.Float64(),
    "logit_offset": pl.Float64(),
}


@dataclass(frozen=True)
class IndicatorDefinition:
    """One row of the `ranking_indicators` seed."""

    unit_type: str
    indicator: str
    role: str
    family: str
    numerator: str
    denominator: str
    scale: float
    direction: str | None
    target: float | None
    cap: float | None
    weight: float
    weight_low: float
    weight_high: float
    case_mix: bool
    sort_order: int

    @property
    def is_ranked(self) -> bool:
        return self.role == RANKED

    def spec(self, floor: float) -> IndicatorSpec:
        if self.target is None or self.direction is None:
            raise ValueError(f"{self.indicator}: a ranked indicator needs a target and direction")
        return IndicatorSpec(self.target, self.direction, self.weight, self.weight_low,
                             self.weight_high, self.cap, floor)


def _number(value: object) -> float | None:
    if value is None or value == "":
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _flag(value: object) -> bool:
    return str(value).strip().lower() in {"true", "1", "yes", "t"}


def read_definitions(rows: Iterable[Mapping[str, object]], unit_type: str
                     ) -> list[IndicatorDefinition]:
    """The seed rows of one unit type, in sort order, checked for consistency."""
    out = []
    for r in rows:
        if r["unit_type"] != unit_type:
            continue
        definition = IndicatorDefinition(
            unit_type=str(r["unit_type"]),
            indicator=str(r["indicator"]),
            role=str(r["role"]),
            family=str(r["family"]),
            numerator=str(r["numerator"]),
            denominator=str(r["denominator"]),
            scale=_number(r["scale"]) or 1.0,
            direction=(str(r["direction"]) if r.get("direction") not in (None, "") else None),
            target=_number(r.get("target")),
            cap=_number(r.get("cap")),
            weight=_number(r.get("weight")) or 0.0,
            weight_low=_number(r.get("weight_low")) or 0.0,
            weight_high=_number(r.get("weight_high")) or 0.0,
            case_mix=_flag(r.get("case_mix")),
            sort_order=int(_number(r.get("sort_order")) or 0),
        )
        if definition.role not in (RANKED, SIGNAL) or definition.family not in (PROPORTION, RATE):
            raise ValueError(f"{definition.indicator}: bad role or family in ranking_indicators")
        if definition.is_ranked and not (
            0 <= definition.weight_low <= definition.weight <= definition.weight_high
        ):
            raise ValueError(f"{definition.indicator}: need weight_low ≤ weight ≤ weight_high")
        out.append(definition)
    return sorted(out, key=lambda d: (d.sort_order, d.indicator))


def parameters_from_rows(rows: Iterable[Mapping[str, object]]) -> dict[str, float]:
    """parameter → value from a (parameter, value, ...) seed."""
    return {str(r["parameter"]): float(r["value"]) for r in rows}  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------- case mix
def expected_counts(unit_ids: list[str], unit_denominators: NDArray[np.float64],
                    pooled: float, strata: pl.DataFrame | None, numerator: str,
                    denominator: str, min_stratum: float) -> NDArray[np.float64] | None:
    """E_i = Σ_s n_is·p_s by subject (module docstring), or None when the data do not allow
    an adjustment. `strata` has columns unit_id, stratum, <numerator>, <denominator>."""
    if strata is None or strata.height == 0 or not 0 < pooled:
        return None
    frame = strata.select(
        "unit_id", "stratum",
        pl.col(numerator).cast(pl.Float64).alias("o"),
        pl.col(denominator).cast(pl.Float64).alias("n"),
    )
    totals = frame.group_by("stratum").agg(pl.col("o").sum(), pl.col("n").sum())
    small = totals.filter(pl.col("n") < min_stratum)["stratum"]
    frame = frame.with_columns(
        pl.when(pl.col("stratum").is_in(small.implode()))
        .then(pl.lit(POOLED_STRATUM))
        .otherwise(pl.col("stratum"))
        .alias("stratum")
    )
    totals = frame.group_by("stratum").agg(pl.col("o").sum(), pl.col("n").sum())
    if totals.filter(pl.col("n") > 0).height < 2:
        return None
    rates = totals.select(
        "stratum", ((pl.col("o") + pooled) / (pl.col("n") + 1.0)).alias("p")
    )
    expected = (
        frame.join(rates, on="stratum", how="left")
        .group_by("unit_id")
        .agg((pl.col("n") * pl.col("p")).sum().alias("expected"))
    )
    lookup = dict(zip(expected["unit_id"].to_list(), expected["expected"].to_list(), strict=True))
    return np.array(
        [lookup.get(u, d * pooled) for u, d in zip(unit_ids, unit_denominators, strict=True)],
        dtype=np.float64,
    )


def _logit(p: NDArray[np.float64] | float) -> NDArray[np.float64]:
    arr = np.asarray(p, dtype=np.float64)
    return np.log(arr) - np.log1p(-arr)


def _expit(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return 1.0 / (1.0 + np.exp(-x))


# ---------------------------------------------------------------------------------- one year
def screen_indicator_year(unit_ids: list[str], observed: NDArray[np.float64],
                          denominators: NDArray[np.float64], definition: IndicatorDefinition,
                          parameters: Mapping[str, float], strata: pl.DataFrame | None = None
                          ) -> dict[str, NDArray]:
    """EB, funnel and posterior of one indicator over one year's units (module docstring)."""
    o = np.asarray(observed, dtype=np.float64)
    n = np.asarray(denominators, dtype=np.float64)
    units = len(unit_ids)
    winsor = parameters.get("winsor_fraction", 0.1)
    alpha = parameters.get("overdispersion_alpha", 0.05)
    min_stratum = parameters.get("casemix_min_stratum_items", 20.0)
    total_n = float(n.sum())
    pooled = float(o.sum()) / total_n if total_n > 0 else float("nan")
    expected_total = None
    if definition.case_mix and total_n > 0:
        expected_total = expected_counts(unit_ids, n, pooled, strata, definition.numerator,
                                         definition.denominator, min_stratum)
    scale = definition.scale
    nan = np.full(units, np.nan)
    out: dict[str, NDArray] = {}
    adjusted = expected_total is not None
    if definition.family == PROPORTION:
        prior_means = None
        if adjusted and 0 < pooled < 1:
            e = np.divide(expected_total, n, out=np.full(units, pooled), where=n > 0)
            prior_means = np.clip(e, PRIOR_MEAN_BOUND, 1 - PRIOR_MEAN_BOUND)
        else:
            adjusted = False
        fit = beta_binomial_eb(o, n, prior_means)
        shape1, shape2 = beta_posterior(fit, o, n)
        if adjusted:
            offset = _logit(pooled) - _logit(prior_means)
            estimate = _expit(_logit(np.clip(fit.estimates, 1e-12, 1 - 1e-12)) + offset)
            target = prior_means
        else:
            offset = np.zeros(units)
            estimate = fit.estimates
            target = np.full(units, pooled)
        exposure = n
        screen = funnel_screen(PROPORTION, o, n, target, winsor=winsor, alpha=alpha)
        out["posterior_family"] = np.full(units, BETA, dtype=object)
        out["logit_offset"] = offset
        out["between_variance"] = np.full(units, fit.between_variance)
        expected = target * n
        theta0 = pooled
    else:
        exposure = n
        if adjusted and pooled > 0:
            exposure = expected_total / pooled
        else:
            adjusted = False
        fit_r = poisson_gamma_eb(o, exposure)
        shape1, shape2 = gamma_posterior(fit_r, o, exposure)
        estimate = fit_r.estimates * scale
        target = np.full(units, fit_r.pooled_rate)
        screen = funnel_screen(RATE, o, exposure, target, winsor=winsor, alpha=alpha)
        out["posterior_family"] = np.full(units, GAMMA, dtype=object)
        out["logit_offset"] = nan
        out["between_variance"] = np.full(units, fit_r.between_variance)
        expected = target * exposure
        theta0 = fit_r.pooled_rate
        fit = fit_r  # for the weights below
    rate_scale = scale if definition.family == RATE else 1.0
    out.update(
        observed=o,
        denominator=n,
        raw_value=np.divide(o, n, out=nan.copy(), where=n > 0) * rate_scale,
        exposure=np.asarray(exposure, dtype=np.float64),
        expected=expected,
        funnel_value=screen.values * rate_scale,
        funnel_target=np.asarray(target, dtype=np.float64) * rate_scale,
        pooled_value=np.full(units, pooled * rate_scale),
        eb_estimate=np.asarray(estimate, dtype=np.float64),
        eb_weight=np.asarray(fit.weights, dtype=np.float64),
        z=screen.z,
        funnel_position=screen.positions.astype(object),
        limit_95_low=screen.low_95 * rate_scale,
        limit_95_high=screen.high_95 * rate_scale,
        limit_998_low=screen.low_998 * rate_scale,
        limit_998_high=screen.high_998 * rate_scale,
        phi=np.full(units, screen.overdispersion.phi),
        tau2=np.full(units, screen.overdispersion.tau2),
        is_overdispersed=np.full(units, screen.overdispersion.is_overdispersed),
        theta0=np.full(units, theta0),
        funnel_units=np.full(units, screen.overdispersion.units),
        winsor_fraction=np.full(units, winsor),
        overdispersion_alpha=np.full(units, alpha),
        is_case_mix_adjusted=np.full(units, adjusted),
        posterior_shape1=np.where(np.isfinite(shape1), shape1, np.nan),
        posterior_shape2=np.where(np.isfinite(shape2), shape2, np.nan),
    )
    return out


def screen_units(counts: pl.DataFrame, key: str, definitions: list[IndicatorDefinition],
                 parameters: Mapping[str, float], strata: pl.DataFrame | None = None
                 ) -> pl.DataFrame:
    """Long table (SCREENED_SCHEMA) of every unit × year × indicator in `counts`.

    `counts` has `key`, `year` and each definition's numerator and denominator columns;
    `strata` (optional, for case mix) has `key`, `year`, `stratum` and the same columns.
    """
    frames = []
    for year in sorted(counts["year"].unique().to_list()):
        year_counts = counts.filter(pl.col("year") == year).sort(key)
        unit_ids = [str(u) for u in year_counts[key].to_list()]
        year_strata = None
        if strata is not None:
            year_strata = strata.filter(pl.col("year") == year).rename({key: "unit_id"})
        for definition in definitions:
            result = screen_indicator_year(
                unit_ids,
                year_counts[definition.numerator].cast(pl.Float64).fill_null(0).to_numpy(),
                year_counts[definition.denominator].cast(pl.Float64).fill_null(0).to_numpy(),
                definition,
                parameters,
                year_strata,
            )
            columns: dict[str, object] = {
                "unit_id": unit_ids,
                "year": [int(year)] * len(unit_ids),
                "indicator": [definition.indicator] * len(unit_ids),
                "role": [definition.role] * len(unit_ids),
                "family": [definition.family] * len(unit_ids),
                "direction": [definition.direction] * len(unit_ids),
                "scale": [definition.scale] * len(unit_ids),
            }
            for name, values in result.items():
                columns[name] = [_clean(v) for v in values.tolist()]
            frames.append(pl.DataFrame(columns, schema=SCREENED_SCHEMA))
    if not frames:
        return pl.DataFrame(schema=SCREENED_SCHEMA)
    return pl.concat(frames, how="vertical")


def _clean(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
