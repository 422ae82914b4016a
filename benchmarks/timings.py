"""Timings that used to be asserted inside tests, reported here instead (nothing is asserted:
a shared or slow machine must not fail a correctness test).

    .venv/bin/python benchmarks/timings.py [--repeat 3]

1. `reference_marts` (tests/reference/contract.py) on the random drop of
   tests/test_reference_selfcheck.py (seed 7, 400 items); it used to be held under 10 s.
2. `monte_carlo_ranks` at the demo county's size: 274 units, 5 gamma and 2 beta indicators,
   1,000 draws (tests/test_stats.py); it used to be held under 2 s.

Each is run `--repeat` times in this process after one warm-up; the best and the median wall
seconds are printed next to the budget the test used to assert.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def reference_marts_on_the_random_drop() -> Callable[[], object]:
    from pipelines.ingest import ingest_paths
    from tests.reference.contract import load_lake, reference_marts
    from tests.reference.random_drop import write_random_drop

    work = Path(tempfile.mkdtemp(prefix="xinfang-timings-"))
    atexit.register(shutil.rmtree, work, True)
    os.environ["XINFANG_HOME"] = str(work / "home")
    write_random_drop(work / "drop", seed=7)
    if ingest_paths([work / "drop"], quiet=True).exit_code != 0:
        sys.exit("the random drop did not load cleanly")
    lake = load_lake()
    return lambda: reference_marts(lake)


def monte_carlo_at_county_size() -> Callable[[], object]:
    import numpy as np

    from pipelines.stats.ranks import BETA, GAMMA, IndicatorSpec, Posterior, monte_carlo_ranks

    rng = np.random.default_rng(11)
    units = 274
    posteriors, specs = [], []
    for _ in range(5):
        rates, exposures = rng.uniform(0.0005, 0.003, units), rng.uniform(600, 11000, units)
        events = rates * exposures
        shape, rate = 2.0 + events, 2.0 / rates.mean() + exposures
        posteriors.append(Posterior(GAMMA, shape, rate, shape / rate))
        specs.append(IndicatorSpec(0.001, "lower", 1.0, 0.75, 1.25))
    for _ in range(2):
        posteriors.append(Posterior(BETA, rng.uniform(1, 40, units), rng.uniform(1, 5, units),
                                    np.full(units, 0.9)))
        specs.append(IndicatorSpec(0.9, "higher", 1.0, 0.75, 1.25))
    return lambda: monte_carlo_ranks(posteriors, specs, draws=1000, seed=1)


BENCHMARKS = [
    ("reference_marts, random drop (400 items)", 10.0, reference_marts_on_the_random_drop),
    ("monte_carlo_ranks, 274 units × 7 indicators × 1,000 draws", 2.0,
     monte_carlo_at_county_size),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DO_NOT_TRACK", "1")
    print(f"{'benchmark':<60} {'best s':>8} {'median s':>9} {'budget s':>9}")
    for name, budget, prepare in BENCHMARKS:
        run = prepare()
        run()  # warm-up: imports, first-call caches
        seconds = []
        for _ in range(max(1, args.repeat)):
            start = time.perf_counter()
            run()
            seconds.append(time.perf_counter() - start)
        flag = "" if min(seconds) < budget else "  (over budget)"
        print(f"{name:<60} {min(seconds):>8.2f} {statistics.median(seconds):>9.2f} "
              f"{budget:>9.1f}{flag}")


if __name__ == "__main__":
    main()
