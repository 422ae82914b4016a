"""u-chart and Laney u′ limits against hand-computed values."""

from __future__ import annotations

import math
import random

import pytest

from pipelines.stats.control_charts import control_limits, laney_sigma_z, poisson_limits


def test_u_chart_worked_value_unit_exposure() -> None:
    lim = control_limits([2, 4, 6], method="u")
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


def test_poisson_limits_funnel() -> None:
    (lo, hi), (lo2, hi2) = poisson_limits(2.0, [100, 400], 1.96)
    assert hi == pytest.approx(2 + 1.96 * math.sqrt(0.02))
    assert lo == pytest.approx(2 - 1.96 * math.sqrt(0.02))
    assert hi2 - lo2 == pytest.approx((hi - lo) / 2)
    assert poisson_limits(0.01, [1], 3.09)[0][0] == 0.0
    with pytest.raises(ValueError):
        poisson_limits(1.0, [0], 1.96)


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for moderate means, no numpy needed.
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
