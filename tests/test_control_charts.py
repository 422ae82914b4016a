"""u-chart and Laney u′ limits against hand-computed values."""

from __future__ import annotations

import math
import random

import pytest

from pipelines.stats.control_charts import control_limits, laney_sigma_z


def test_u_chart_worked_value_unit_exposure() -> None:
    lim = control_limits([2, 4, 6], method="u", exact_below=0)
    assert lim.method == "u" and lim.centre == 4
    assert lim.lower == (0.0, 0.0, 0.0)  # 4 − 3·2 floored at 0
    assert lim.upper == pytest.approx((10.0, 10.0, 10.0))
    assert lim.dispersion == pytest.approx(1.0)  # z = −1, 0, 1 → Σz² / 2
    assert lim.outside == (False, False, False)


def test_u_chart_worked_value_with_exposures() -> None:
    lim = control_limits([10, 30], [2, 2], method="u")
    half = 3 * math.sqrt(5)
    assert lim.centre == 10 and lim.rates == (5.0, 15.0)
    assert lim.lower == pytest.approx((10 - half, 10 - half))
    assert lim.upper == pytest.approx((10 + half, 10 + half))


def test_limits_widen_for_smaller_exposures() -> None:
    lim = control_limits([5, 20], [1, 4], method="u")
    assert lim.centre == 5
    assert lim.upper[0] - lim.lower[0] > lim.upper[1] - lim.lower[1]
    assert lim.upper[0] == pytest.approx(5 + 3 * math.sqrt(5))
    assert lim.upper[1] == pytest.approx(5 + 3 * math.sqrt(5 / 4))


def test_rare_events_take_exact_poisson_limits() -> None:
    # 3 items in 36 months: the normal limit (0.083 + 3·0.289 = 0.95) would make any single
    # item a signal; P(X ≥ 1 | 0.083) = 8% is none. Exact: P(X > 2) = 0.0001 ≤ 0.00135.
    counts = [0] * 33 + [1, 1, 1]
    lim = control_limits(counts, method="u")
    assert lim.centre == pytest.approx(3 / 36)
    assert lim.upper[0] == 2.0 and lim.lower[0] == 0.0
    assert not any(lim.outside)
    assert control_limits(counts, method="u", exact_below=0).outside[-1]
    # A burst of 4 in one month is a signal.
    assert control_limits([0] * 35 + [4], method="u").outside[-1]


def test_exact_limits_only_below_the_threshold() -> None:
    lim = control_limits([2, 4, 6])  # expected 4 < 5: exact
    assert lim.upper[0] == 11.0  # smallest c with P(X > c | 4) ≤ 0.00135
    big = control_limits([50, 40, 60])
    assert big.upper[0] == pytest.approx(50 + 3 * math.sqrt(50))


def test_laney_worked_value() -> None:
    lim = control_limits([2, 4, 6], method="laney")
    assert lim.sigma_z == pytest.approx(1 / 1.128)
    assert lim.upper[0] == pytest.approx(4 + 3 * 2 / 1.128)
    assert lim.lower[0] == 0.0


def test_sigma_z_from_moving_ranges() -> None:
    assert laney_sigma_z([0.0, 1.128, 0.0]) == pytest.approx(1.0)
    assert laney_sigma_z([3.0]) == 1.0


def test_auto_keeps_the_u_chart_for_poisson_data() -> None:
    rng = random.Random(7)
    counts = [_poisson(rng, 40.0) for _ in range(48)]
    lim = control_limits(counts)
    assert lim.method == "u"
    assert 0.5 < lim.sigma_z < 1.5


def test_auto_switches_to_laney_when_overdispersed() -> None:
    # Big monthly counts that wander far more than Poisson: the u-chart would flag most months.
    counts = [1000, 1150, 980, 1200, 900, 1250, 1100, 870, 1300, 1020, 960, 1180]
    u = control_limits(counts, method="u")
    auto = control_limits(counts)
    assert auto.is_overdispersed and auto.method == "laney" and auto.sigma_z > 1
    assert sum(u.outside) >= 6
    assert sum(auto.outside) <= 1
    assert auto.upper[0] - auto.centre == pytest.approx((u.upper[0] - u.centre) * auto.sigma_z)


def test_special_cause_is_flagged() -> None:
    counts = [4, 5, 3, 4, 6, 5, 4, 30, 5, 4, 3, 5]
    lim = control_limits(counts, method="u")
    assert lim.outside[7] and sum(lim.outside) == 1


def test_all_zero_series() -> None:
    lim = control_limits([0, 0, 0])
    assert lim.method == "u" and lim.centre == 0
    assert lim.upper == (0.0, 0.0, 0.0) and not any(lim.outside)
    assert not lim.is_overdispersed


def test_single_point() -> None:
    lim = control_limits([9])
    assert lim.method == "u" and math.isnan(lim.dispersion) and lim.sigma_z == 1.0
    assert lim.upper[0] == pytest.approx(18.0)


@pytest.mark.parametrize(
    ("counts", "exposures"),
    [([1, 2], [1]), ([], []), ([-1], [1]), ([1], [0])],
)
def test_bad_input(counts, exposures) -> None:
    with pytest.raises(ValueError):
        control_limits(counts, exposures)


def test_bad_method() -> None:
    with pytest.raises(ValueError):
        control_limits([1, 2], method="p")


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for moderate means, no numpy needed.
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
