"""pipelines.stats: worked values by hand or from the literature (issue 4, "Done when")."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from pipelines.stats import rate_ratio_ci
from pipelines.stats.composite import geometric_composite, normalise_to_target
from pipelines.stats.funnel import (
    binomial_limit,
    funnel_screen,
    overdispersion,
    poisson_limit,
    winsorise,
)
from pipelines.stats.ranks import (
    BETA,
    GAMMA,
    IndicatorSpec,
    Posterior,
    monte_carlo_ranks,
    rank_descending,
    summarise_ranks,
)
from pipelines.stats.screening import (
    IndicatorDefinition,
    expected_counts,
    screen_indicator_year,
)
from pipelines.stats.shrinkage import (
    beta_binomial_eb,
    beta_posterior,
    gamma_posterior,
    poisson_gamma_eb,
    posterior_mean_beta,
    posterior_mean_gamma,
)

# ------------------------------------------------------------------------------ rate ratio


def test_rate_ratio_200_to_130_is_a_fall_of_19_to_48_percent() -> None:
    # 130 events this year against 200 last year, equal exposure: RR = 0.65 (a 35% fall).
    # Exact conditional interval: 130 | 330 ~ Bin(330, π), Clopper–Pearson bounds for π
    # mapped by RR = π/(1 − π) give 0.517 … 0.815, i.e. a fall of 18.5% … 48.3%
    # (ranking-methods.md §4: "95% CI 19–48% (exact 18–48%)").
    result = rate_ratio_ci(130, 200)
    assert result.ratio == pytest.approx(0.65)
    assert result.change == pytest.approx(-0.35)
    assert 1 - result.high == pytest.approx(0.185, abs=0.005)
    assert 1 - result.low == pytest.approx(0.483, abs=0.005)
    # 20 → 13: the same "35%", but the interval reaches from a 68% fall to a 31% rise.
    small = rate_ratio_ci(13, 20)
    assert small.low < 0.35 and small.high > 1.3


# ------------------------------------------------------------------------------ EB shrinkage


def test_posterior_means_for_a_stated_prior() -> None:
    # Beta(2, 8) prior (mean 0.2, prior size 10), 3 successes in 5: Beta(5, 10), mean 1/3.
    assert posterior_mean_beta(2, 8, 3, 5) == pytest.approx(1 / 3)
    # Gamma(ν = 2, α = 1000) prior for a rate per resident (mean 0.002), 4 items among 1,000
    # residents: Gamma(6, 2000), mean 0.003 (3 per 1,000).
    assert posterior_mean_gamma(2, 1000, 4, 1000) == pytest.approx(0.003)


def test_marshall_global_estimate_by_hand() -> None:
    # O = 0, 6, 12 items in three villages of 1,000 residents each.
    # m = 18/3000 = 0.006; r = 0, 0.006, 0.012;
    # s² = 1000·(0.006² + 0 + 0.006²)/3000 = 2.4e-5; N̄ = 1000; m/N̄ = 6e-6;
    # A = 2.4e-5 − 6e-6 = 1.8e-5; w = 1.8e-5/(1.8e-5 + 6e-6) = 0.75 for every village;
    # θ̂ = 0.006 + 0.75·(r − 0.006) = 0.0015, 0.006, 0.0105 (1.5, 6, 10.5 per 1,000).
    fit = poisson_gamma_eb([0, 6, 12], [1000, 1000, 1000])
    assert fit.pooled_rate == pytest.approx(0.006)
    assert fit.raw_variance == pytest.approx(2.4e-5)
    assert fit.between_variance == pytest.approx(1.8e-5)
    np.testing.assert_allclose(fit.weights, [0.75, 0.75, 0.75])
    np.testing.assert_allclose(fit.estimates * 1000, [1.5, 6.0, 10.5])
    # The same as the posterior mean under the equivalent prior ν = m²/A = 2, α = m/A = 333.3.
    assert fit.prior_shape == pytest.approx(2.0)
    assert fit.prior_rate == pytest.approx(1000 / 3)
    shape, rate = gamma_posterior(fit, [0, 6, 12], [1000, 1000, 1000])
    np.testing.assert_allclose(shape / rate, fit.estimates)


def test_marshall_weights_grow_with_population() -> None:
    fit = poisson_gamma_eb([0, 2, 40, 4], [200, 1000, 5000, 2000])
    assert fit.between_variance > 0
    order = np.argsort([200, 1000, 5000, 2000])
    assert np.all(np.diff(fit.weights[order]) > 0)


def test_when_the_data_cannot_separate_units_everyone_shrinks_to_the_mean() -> None:
    # Equal rates: s² = 0 < m/N̄, so A = 0, every weight 0 and every estimate m.
    fit = poisson_gamma_eb([1, 2, 4], [1000, 2000, 4000])
    assert fit.between_variance == 0 and fit.is_degenerate
    np.testing.assert_allclose(fit.weights, 0)
    np.testing.assert_allclose(fit.estimates, 7 / 7000)
    shape, rate = gamma_posterior(fit, [1, 2, 4], [1000, 2000, 4000])
    assert np.isinf(shape).all() and np.isinf(rate).all()
    # No events at all: m = 0, nothing to separate.
    zero = poisson_gamma_eb([0, 0], [300, 500])
    np.testing.assert_allclose(zero.estimates, 0)
    np.testing.assert_allclose(zero.weights, 0)
    # A unit without exposure has no information: weight 0, estimate m.
    fit = poisson_gamma_eb([0, 6, 12, 0], [1000, 1000, 1000, 0])
    assert fit.weights[3] == 0 and fit.estimates[3] == pytest.approx(0.006)
    np.testing.assert_allclose(fit.estimates[:3] * 1000, [1.5, 6.0, 10.5])


def test_beta_binomial_by_hand() -> None:
    # y = 1, 5, 9 of n = 10 each: μ̂ = 0.5, p̂ = 0.1, 0.5, 0.9;
    # s² = 10·(0.16 + 0 + 0.16)/30 = 8/75; σ̂² = s² − μ̂(1 − μ̂)/n̄ = 8/75 − 1/40 = 49/600;
    # a + b = μ̂(1 − μ̂)/σ̂² − 1 = 150/49 − 1 = 101/49;
    # posterior mean of the first: (1 + 0.5·101/49)/(10 + 101/49) = 199/1182 = 0.16836.
    fit = beta_binomial_eb([1, 5, 9], [10, 10, 10])
    assert fit.raw_variance == pytest.approx(8 / 75)
    assert fit.between_variance == pytest.approx(49 / 600)
    assert fit.prior_size == pytest.approx(101 / 49)
    assert fit.estimates[0] == pytest.approx(199 / 1182)
    assert fit.estimates[1] == pytest.approx(0.5)
    a, b = beta_posterior(fit, [1, 5, 9], [10, 10, 10])
    np.testing.assert_allclose(a / (a + b), fit.estimates)
    np.testing.assert_allclose(fit.weights, 10 / (10 + 101 / 49))


def test_beta_binomial_full_shrinkage_and_prior_means() -> None:
    # Equal proportions: σ̂² = 0, full shrinkage to μ̂.
    fit = beta_binomial_eb([5, 10, 0], [10, 20, 0])
    assert fit.is_degenerate
    np.testing.assert_allclose(fit.estimates, 0.5)
    np.testing.assert_allclose(fit.weights, 0)
    # Unit-specific prior means (case mix): with them equal to μ̂ the result is the same as
    # without; a unit with no trials gets its own prior mean.
    plain = beta_binomial_eb([1, 5, 9], [10, 10, 10])
    same = beta_binomial_eb([1, 5, 9], [10, 10, 10], prior_means=[0.5, 0.5, 0.5])
    np.testing.assert_allclose(plain.estimates, same.estimates)
    mixed = beta_binomial_eb([1, 5, 9, 0], [10, 10, 10, 0], prior_means=[0.2, 0.5, 0.8, 0.3])
    assert mixed.estimates[3] == pytest.approx(0.3)
    assert 0.1 < mixed.estimates[0] < 0.2 + 1e-12
    with pytest.raises(ValueError):
        beta_binomial_eb([1], [10], prior_means=[1.0])


# ------------------------------------------------------------------------------ funnel limits


def test_exact_binomial_funnel_limit_n100_theta01_998() -> None:
    # n = 100, θ₀ = 0.1, upper 99.8% limit (p = 0.999), Spiegelhalter 2005 appendix A.1.1.
    # Bin(100, 0.1): F(19) = 0.998021, F(20) = 0.999192, so r_p = 20 (smallest r with
    # F(r) ≥ 0.999); α = (F(20) − 0.999)/(F(20) − F(19)) = 0.000192/0.001171 = 0.1643;
    # limit = (20 − 0.1643)/100 = 0.19836.
    assert binomial_limit(100, 0.1, 0.999) == pytest.approx(0.19836, abs=5e-5)
    # Lower 99.8% (p = 0.001): F(1) = 0.000322, F(2) = 0.001945, r_p = 2,
    # α = (0.001945 − 0.001)/(0.001945 − 0.000322) = 0.5821, limit = (2 − 0.5821)/100 = 0.01418.
    assert binomial_limit(100, 0.1, 0.001) == pytest.approx(0.01418, abs=5e-5)
    # 95%: p = 0.975 gives 0.1577, p = 0.025 gives 0.0404; limits narrow as n grows.
    assert binomial_limit(100, 0.1, 0.975) == pytest.approx(0.1577, abs=5e-4)
    assert binomial_limit(100, 0.1, 0.025) == pytest.approx(0.0404, abs=5e-4)
    wide, narrow = binomial_limit([50, 500], 0.1, 0.999)
    assert wide > narrow > 0.1


def test_exact_poisson_funnel_limit_by_hand() -> None:
    # 1,000 residents at θ₀ = 0.004 per resident: E = 4. Poisson(4): F(7) = 0.948866,
    # F(8) = 0.978637; upper 95% (p = 0.975): r_p = 8, α = (0.978637 − 0.975)/(0.978637 −
    # 0.948866) = 0.1222, limit = (8 − 0.1222)/1000 = 0.0078778 per resident.
    assert poisson_limit(1000, 0.004, 0.975) == pytest.approx(0.0078778, abs=1e-6)
    # With no expected events the lower limits are 0, never negative.
    assert poisson_limit(1000, 0.0, 0.025) == 0.0


def test_overdispersion_phi_and_tau2_by_hand() -> None:
    # z = 3, −3, 3, −3 with s = 0.1 (w = 100) and no winsorising: φ̂ = 9, I·φ̂ = 36 >
    # χ²₃(0.95) = 7.815, so τ̂² = (36 − 3)/(400 − 40000/400) = 33/300 = 0.11.
    od = overdispersion([3, -3, 3, -3], [0.1] * 4, winsor=0.0)
    assert od.phi == pytest.approx(9.0)
    assert od.is_overdispersed
    assert od.tau2 == pytest.approx(0.11)
    # z all ±0.5: φ̂ = 0.25, not overdispersed, τ̂² = 0.
    calm = overdispersion([0.5, -0.5, 0.5, -0.5], [0.1] * 4, winsor=0.0)
    assert not calm.is_overdispersed and calm.tau2 == 0.0


def test_winsorising_clips_to_the_tenth_percentiles() -> None:
    values = np.arange(1.0, 11.0)  # 1..10; 10th percentile 1.9, 90th 9.1 (linear)
    clipped = winsorise(values, 0.1)
    assert clipped.min() == pytest.approx(1.9) and clipped.max() == pytest.approx(9.1)
    np.testing.assert_allclose(clipped[1:-1], values[1:-1])


def test_funnel_positions_exact_with_the_one_count_convention() -> None:
    # Twenty units at 90/100 around θ₀ = 0.9 (no overdispersion), plus:
    # 16/16 satisfied: P(X ≥ 16) = 0.9^16 = 0.185 — within, although 1.0 exceeds the
    # interpolated upper limit (the one-count convention, funnel module docstring);
    # 70/100: P(X ≤ 70) ≈ 1e-9 — below the 99.8% limit; 83/100: F(83) = 0.0206 < 0.025 —
    # below_95 (lower 95% limit: r_p = 84 since F(84) = 0.0399, α = (0.0399 − 0.025)/
    # (0.0399 − 0.0206) = 0.772, limit 0.8323); 84/100: F(84) = 0.040 > 0.025 — within.
    observed = [16, 70, 83, 84] + [90] * 20
    trials = [16, 100, 100, 100] + [100] * 20
    screen = funnel_screen("proportion", observed, trials, 0.9)
    assert not screen.overdispersion.is_overdispersed
    assert screen.high_998[0] < 1.0
    assert screen.low_95[2] == pytest.approx(0.8323, abs=1e-4)
    assert list(screen.positions[:4]) == ["within", "below_998", "below_95", "within"]
    assert set(screen.positions[4:]) == {"within"}
    # A unit without a denominator has no observation: within, z = 0, no limits.
    empty = funnel_screen("proportion", [0, 9], [0, 10], 0.9)
    assert empty.positions[0] == "within" and empty.z[0] == 0 and math.isnan(empty.low_95[0])


def test_a_single_rare_event_against_a_limit_truncated_at_zero() -> None:
    # 1 abnormal item where the county rate predicts E = 0.0238: P(X ≥ 1) = 1 − e^−0.0238 =
    # 0.0235 ≤ 0.025, beyond the 95% limit but not the 99.8% one. The interpolated upper 95%
    # limit is (0 − 0.0015)/N, truncated to 0 for display; (O − 1)/N = 0 reaches it.
    population = np.array([2858.0] + [2500.0] * 30)
    events = np.array([1.0] + [0.0] * 30)
    theta0 = 0.0238 / 2858.0
    screen = funnel_screen("rate", events, population, theta0)
    assert not screen.overdispersion.is_overdispersed
    assert screen.high_95[0] == 0.0 and screen.high_998[0] > 0.0
    assert screen.positions[0] == "above_95"
    assert set(screen.positions[1:]) == {"within"}


def test_funnel_overdispersed_rates_widen_the_limits() -> None:
    rng = np.random.default_rng(7)
    population = rng.integers(500, 5000, size=200).astype(float)
    rates = rng.gamma(4.0, 0.002 / 4.0, size=200)  # strong real variation between units
    events = rng.poisson(rates * population)
    m = events.sum() / population.sum()
    screen = funnel_screen("rate", events, population, m)
    assert screen.overdispersion.is_overdispersed and screen.overdispersion.tau2 > 0
    exact_high = poisson_limit(population, m, 0.999)
    assert (screen.high_998 >= exact_high - 1e-12).mean() > 0.9
    # Positions agree with the limits (strict comparisons under the normal limits).
    y = events / population
    above = y > screen.high_998
    assert (screen.positions[above] == "above_998").all()
    assert ((screen.positions == "above_998") == above).all()


# ------------------------------------------------------------------------------ composite


def test_distance_to_target_and_geometric_aggregation() -> None:
    # Higher is better: 0.855 of a 0.95 target scores 0.9. Lower is better: 6 per 1,000
    # against a target of 3 scores 0.5; 1.5 scores 2, capped at 1.
    assert normalise_to_target(0.855, 0.95, "higher") == pytest.approx(0.9)
    np.testing.assert_allclose(normalise_to_target([6.0, 1.5, 0.0], 3.0, "lower", cap=1.0),
                               [0.5, 1.0, 1.0])
    assert normalise_to_target(0.0, 0.9, "higher") == pytest.approx(0.01)  # the floor
    # (1^0.5)·(0.25^0.5) = 0.5; weights are normalised: (2, 2) is the same as (0.5, 0.5).
    assert geometric_composite([1.0, 0.25], [2.0, 2.0]) == pytest.approx(0.5)
    # Only partly compensatory: a balanced profile beats an unbalanced one of the same mean.
    assert geometric_composite([0.75, 0.75], [1, 1]) > geometric_composite([1.0, 0.5], [1, 1])


# ------------------------------------------------------------------------------ ranks


def _gamma_units(rates: np.ndarray, exposures: np.ndarray) -> Posterior:
    events = rates * exposures
    prior_shape, prior_rate = 2.0, 2.0 / rates.mean()
    return Posterior(GAMMA, prior_shape + events, prior_rate + exposures,
                     (prior_shape + events) / (prior_rate + exposures))


LOWER_SPEC = IndicatorSpec(target=0.001, direction="lower", weight=1.0, weight_low=0.75,
                           weight_high=1.25)


def test_rank_intervals_widen_as_units_shrink() -> None:
    # Forty units with the same spread of true rates; the odd ones have 100× the exposure of
    # the even ones. The small units' 90% rank intervals are wider.
    rates = np.repeat(np.linspace(0.001, 0.003, 20), 2)
    exposures = np.tile([500.0, 50_000.0], 20)
    spec = IndicatorSpec(target=0.0005, direction="lower", weight=1.0, weight_low=1.0,
                         weight_high=1.0)
    summary = monte_carlo_ranks([_gamma_units(rates, exposures)], [spec], draws=1000, seed=1)
    width = summary.rank_high - summary.rank_low
    assert width[0::2].mean() > 2 * width[1::2].mean()
    assert np.all(summary.rank_low <= summary.rank_median)
    assert np.all(summary.rank_median <= summary.rank_high)
    # Lower is better: the big units' median ranks follow their rates.
    assert np.corrcoef(summary.rank_median[1::2], rates[1::2])[0, 1] > 0.95


def test_monte_carlo_is_reproducible_and_probabilities_add_up() -> None:
    rng = np.random.default_rng(3)
    rates = rng.uniform(0.0005, 0.003, 30)
    exposures = rng.uniform(300, 5000, 30)
    beta = Posterior(BETA, rng.uniform(5, 50, 30), rng.uniform(1, 10, 30),
                     np.full(30, 0.8))
    specs = [LOWER_SPEC, IndicatorSpec(0.9, "higher", 1.0, 0.75, 1.25)]
    posteriors = [_gamma_units(rates, exposures), beta]
    first = monte_carlo_ranks(posteriors, specs, draws=500, seed=[42, 2011])
    again = monte_carlo_ranks(posteriors, specs, draws=500, seed=[42, 2011])
    np.testing.assert_array_equal(first.rank_median, again.rank_median)
    np.testing.assert_array_equal(first.p_top_decile, again.p_top_decile)
    # Every draw puts exactly ⌈0.1·30⌉ = 3 units in each decile.
    assert first.decile_size == 3
    assert first.p_top_decile.sum() == pytest.approx(3.0)
    assert first.p_bottom_decile.sum() == pytest.approx(3.0)
    assert ((first.p_top_decile >= 0) & (first.p_top_decile <= 1)).all()


def test_ties_share_the_probabilities() -> None:
    # Every unit capped on its only indicator: the draws cannot separate them, so each has
    # the same chance of the top decile (3 of 30), none the best rank for sure.
    flat = Posterior(GAMMA, np.full(30, np.inf), np.full(30, np.inf), np.full(30, 0.0005))
    capped = IndicatorSpec(0.001, "lower", 1.0, 1.0, 1.0, cap=1.0)
    summary = monte_carlo_ranks([flat], [capped], draws=2000, seed=5)
    np.testing.assert_allclose(summary.p_top_decile, 0.1, atol=0.04)
    assert summary.rank_high.min() > 20 and summary.rank_low.max() < 10


def test_rank_helpers() -> None:
    ranks = rank_descending(np.array([[0.3, 0.9, 0.1], [0.9, 0.3, 0.1]]),
                            np.random.default_rng(0))
    np.testing.assert_array_equal(ranks, [[2, 1, 3], [1, 2, 3]])
    _median, low, high, p_top, p_bottom, top = summarise_ranks(ranks.astype(np.int32))
    assert top == 1
    np.testing.assert_allclose(p_top, [0.5, 0.5, 0.0])
    np.testing.assert_allclose(p_bottom, [0.0, 0.0, 1.0])
    assert list(low) == [1, 1, 3] and list(high) == [2, 2, 3]


def test_monte_carlo_at_the_county_size_ranks_every_unit() -> None:
    """The demo county's size: 274 villages, 5 rates and 2 proportions, 1,000 draws. (How long
    it takes is reported by benchmarks/timings.py, not asserted here.)"""
    rng = np.random.default_rng(11)
    units = 274
    posteriors, specs = [], []
    for _ in range(5):
        posteriors.append(_gamma_units(rng.uniform(0.0005, 0.003, units),
                                       rng.uniform(600, 11000, units)))
        specs.append(LOWER_SPEC)
    for _ in range(2):
        posteriors.append(Posterior(BETA, rng.uniform(1, 40, units), rng.uniform(1, 5, units),
                                    np.full(units, 0.9)))
        specs.append(IndicatorSpec(0.9, "higher", 1.0, 0.75, 1.25))
    summary = monte_carlo_ranks(posteriors, specs, draws=1000, seed=1)
    assert (summary.units, summary.draws, summary.decile_size) == (274, 1000, 28)  # ⌈27.4⌉
    assert summary.rank_median.shape == (274,)
    assert ((1 <= summary.rank_low) & (summary.rank_low <= summary.rank_median)
            & (summary.rank_median <= summary.rank_high) & (summary.rank_high <= 274)).all()
    # every draw puts exactly 28 units in each decile
    assert summary.p_top_decile.sum() == pytest.approx(28.0)
    assert summary.p_bottom_decile.sum() == pytest.approx(28.0)


# ------------------------------------------------------------------------------ case mix


def _definition(family: str, case_mix: bool) -> IndicatorDefinition:
    return IndicatorDefinition("cadre", "x", "ranked", family, "o", "n", 1.0, "higher", 0.9,
                               None, 1.0, 0.75, 1.25, case_mix, 1)


def test_case_mix_expected_counts_by_subject() -> None:
    # Subject A: 90 of 100 on time; subject B: 50 of 100; overall p̄ = 0.7. Smoothed stratum
    # rates p_A = (90 + 0.7)/101 = 0.89802, p_B = (50 + 0.7)/101 = 0.50198.
    # Cadre K1 handled 10 A-items, K2 10 B-items: E = 8.9802 and 5.0198.
    strata = pl.DataFrame({
        "unit_id": ["K1", "K2", "K3", "K3"],
        "stratum": ["A", "B", "A", "B"],
        "o": [9.0, 5.0, 81.0, 45.0],
        "n": [10.0, 10.0, 90.0, 90.0],
    })
    expected = expected_counts(["K1", "K2", "K3"], np.array([10.0, 10.0, 180.0]), 0.7, strata,
                               "o", "n", min_stratum=20)
    np.testing.assert_allclose(expected, [10 * 90.7 / 101, 10 * 50.7 / 101,
                                          90 * 90.7 / 101 + 90 * 50.7 / 101])
    # Too few items per subject: pooled into one stratum, nothing to adjust.
    assert expected_counts(["K1", "K2", "K3"], np.array([10.0, 10.0, 180.0]), 0.7, strata,
                           "o", "n", min_stratum=1000) is None
    # A cadre doing exactly as its case mix predicts is standardised to the county rate.
    result = screen_indicator_year(["K1", "K2", "K3"], np.array([9.0, 5.0, 126.0]),
                                   np.array([10.0, 10.0, 180.0]), _definition("proportion", True),
                                   {}, strata)
    assert result["is_case_mix_adjusted"].all()
    np.testing.assert_allclose(result["funnel_target"][:2], [90.7 / 101, 50.7 / 101])
    assert result["eb_estimate"][1] > 0.6  # 5/10 on hard subjects is close to expected


def test_binomial_interval_arrays_agree_with_the_tail_equations() -> None:
    """The exact interval over arrays (the nominees' evidence) is the scalar one, row by row,
    and solves its defining equations, checked here with math.comb: at the lower limit
    P(X ≥ x) = 0.025, at the upper P(X ≤ x) = 0.025. Closed forms: 4 of 5 has upper
    0.975^(1/5) = 0.994949 (P(X ≤ 4) = 1 − p⁵); 0 of 20 has upper 1 − 0.025^(1/20) = 0.168433."""
    from pipelines.stats.rates import binomial_ci, binomial_ci_arrays

    def tail_at_least(x: int, n: int, p: float) -> float:
        return sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(x, n + 1))

    x, n = [4, 2, 0, 3, 0], [5, 5, 20, 3, 0]
    low, high = binomial_ci_arrays(x, n)
    for i in range(4):
        assert (low[i], high[i]) == pytest.approx(binomial_ci(x[i], n[i]), abs=1e-12)
        if x[i] > 0:
            assert tail_at_least(x[i], n[i], low[i]) == pytest.approx(0.025, abs=1e-9)
        if x[i] < n[i]:
            assert 1 - tail_at_least(x[i] + 1, n[i], high[i]) == pytest.approx(0.025, abs=1e-9)
    assert high[0] == pytest.approx(0.975 ** (1 / 5), abs=1e-9)
    assert (low[2], high[2]) == (0.0, pytest.approx(1 - 0.025 ** (1 / 20), abs=1e-9))
    assert high[3] == 1.0 and math.isnan(low[4]) and math.isnan(high[4])
    with pytest.raises(ValueError):
        binomial_ci_arrays([6], [5])
