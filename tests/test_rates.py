"""Rate-ratio intervals (pipelines.stats.rates): the worked value and the array form."""

import math

import numpy as np
import pytest

from pipelines.stats.rates import log_rate_ratio_wald, rate_ratio_ci, rate_ratio_ci_arrays


def test_200_to_130_is_a_35_percent_fall_with_interval_19_to_48():
    r = rate_ratio_ci(130, 200)
    assert r.ratio == pytest.approx(0.65) and r.change == pytest.approx(-0.35)
    assert 1 - r.high == pytest.approx(0.185, abs=0.005)
    assert 1 - r.low == pytest.approx(0.483, abs=0.005)
    w = log_rate_ratio_wald(130, 200)  # the large-sample interval agrees closely
    assert (1 - w.high, 1 - w.low) == pytest.approx((0.189, 0.479), abs=0.002)


def test_zero_counts_are_defined():
    assert rate_ratio_ci(0, 5).low == 0 and rate_ratio_ci(0, 5).high > 1
    five_from_zero = rate_ratio_ci(5, 0)
    assert five_from_zero.ratio is None and five_from_zero.high is None and five_from_zero.low > 0
    assert rate_ratio_ci(0, 0) == rate_ratio_ci(0, 0).__class__(None, None, None)


def test_array_form_matches_the_scalar_form():
    a = np.array([130, 0, 5, 0, 17, 1])
    b = np.array([200, 5, 0, 0, 9, 1])
    ratio, low, high = rate_ratio_ci_arrays(a, b)
    for i in range(len(a)):
        r = rate_ratio_ci(int(a[i]), int(b[i]))
        for got, want in ((ratio[i], r.ratio), (low[i], r.low), (high[i], r.high)):
            assert (math.isnan(got) and want is None) or got == pytest.approx(want)
