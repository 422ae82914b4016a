"""Helpers and constants shared by several test modules (fixtures live in conftest.py).

- THIN_VILLAGES_CSV: three thin villages the session demo warehouse gets beside the demo.

- `as_text(component)`: a rendered Dash tree as JSON text; `find(component, id_)`: the
  component with that id in it.
- `free_port()`: a free loopback port.
- `dashboard_server(home)`: `xinfang serve` (dashboards.app.serve) over `home` in its own
  process on a free loopback port; yields the base URL once the app answers.
"""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from pipelines import paths

REPO = Path(__file__).resolve().parent.parent


def as_text(component: Any) -> str:
    """A rendered Dash tree (or figure) as JSON text, Chinese unescaped."""
    import json

    import plotly

    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)


def find(component: Any, id_: str) -> Any:
    """The component with this id in a rendered tree."""
    if isinstance(component, list | tuple):
        for child in component:
            hit = find(child, id_)
            if hit is not None:
                return hit
        return None
    if getattr(component, "id", None) == id_:
        return component
    children = getattr(component, "children", None)
    return None if children is None else find(children, id_)

# Three thin villages (a few dozen residents, no items) delivered beside the demo county, so the
# insufficient-data rule has something to label. Codes and town are outside the demo's: they
# add a 15th town (试点镇) and 3 villages to the demo's 14 towns and 274 villages, and one file
# to the demo's 8 delivered files, and nothing else (no items, cadres or events).
THIN_VILLAGES_CSV = (
    "village_code,village_name,town_code,town_name,kind,population,year\n"
    "320982990001,试点一村,320982990,试点镇,village,40,\n"
    "320982990002,试点二村,320982990,试点镇,village,60,\n"
    "320982990003,试点社区,320982990,试点镇,community,80,\n"
)
THIN_VILLAGES_FILE = "villages_thin.csv"
THIN_VILLAGE_CODES = ("320982990001", "320982990002", "320982990003")
THIN_TOWN = "320982990"
THIN_TOWN_NAME = "试点镇"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dashboard_server(home: Path, startup_seconds: float = 60) -> Iterator[str]:
    """`xinfang serve` for `home` on a free loopback port: yields `http://127.0.0.1:PORT` once
    `/_dash-layout` answers; stops the server afterwards. Raises AssertionError (with the
    server's stderr) if it does not start within `startup_seconds`. Its stderr goes to a
    temporary file, never a pipe, so a long-lived server cannot block on a full pipe."""
    port = free_port()
    env = {**os.environ, "XINFANG_HOME": str(home), "DO_NOT_TRACK": "1"}
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            [sys.executable, "-c",
             f"from dashboards.app import serve; serve('127.0.0.1', {port})"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + startup_seconds
            while True:
                try:
                    with urllib.request.urlopen(base + "/_dash-layout", timeout=5):
                        break
                except (urllib.error.URLError, ConnectionError):
                    if proc.poll() is not None or time.monotonic() > deadline:
                        proc.kill()
                        proc.wait()
                        errors.seek(0)
                        err = errors.read().decode(errors="replace")
                        raise AssertionError(f"dashboard server did not start: {err}") from None
                    time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# ---------------------------------------------------------------------------------------------
# Hand-made drops (tests/test_nominations.py, tests/test_registers.py)
# ---------------------------------------------------------------------------------------------


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    text = "\n".join(",".join("" if v is None else str(v) for v in r) for r in [header, *rows])
    path.write_text(text + "\n", encoding="utf-8")
    return path


def exact_interval(x: int, n: int) -> tuple[float, float]:
    """The exact (Clopper–Pearson) 95% interval of x of n, solved by bisection on the
    binomial tails (math.comb; no scipy), independently of pipelines.stats:
    P(X ≥ x | low) = 0.025, P(X ≤ x | high) = 0.025."""
    def at_least(k: int, p: float) -> float:
        return sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k, n + 1))

    def solve(f) -> float:  # f rises with p from below 0 to above 0
        a, b = 0.0, 1.0
        for _ in range(200):
            m = (a + b) / 2
            a, b = (m, b) if f(m) < 0 else (a, m)
        return (a + b) / 2

    low = 0.0 if x == 0 else solve(lambda p: at_least(x, p) - 0.025)
    high = 1.0 if x == n else solve(lambda p: 0.025 - (1 - at_least(x + 1, p)))
    return low, high


def lake(entity: str) -> pl.DataFrame:
    files = sorted(paths.lake_dir(entity).glob("*.parquet"))
    return pl.concat([pl.read_parquet(f) for f in files]) if files else pl.DataFrame()


@contextmanager
def built_home(drop: Path, home: Path) -> Iterator[Path]:
    """`drop` ingested (every row loaded, none quarantined) and built into `home`, with
    $XINFANG_HOME pointing at it while the context lasts."""
    import pytest

    from pipelines.build import build_warehouse
    from pipelines.ingest import ingest_paths

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XINFANG_HOME", str(home))
        mp.setenv("DO_NOT_TRACK", "1")
        result = ingest_paths([drop], quiet=True)
        assert result.exit_code == 0 and sum(f.rows_quarantined for f in result.files) == 0
        build_warehouse()
        yield home


def query(sql: str) -> list[dict]:
    """Rows of a read-only query on the published build of $XINFANG_HOME."""
    from pipelines.warehouse import connect

    with connect(require_build=True) as con:
        return con.sql(sql).pl().to_dicts()
