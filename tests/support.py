"""Helpers and constants shared by several test modules (fixtures live in conftest.py).

- THIN_VILLAGES_CSV: three thin villages the session demo warehouse gets beside the demo.

- `as_text(component)`: a rendered Dash tree as JSON text; `find(component, id_)`: the
  component with that id in it.
- `free_port()`: a free loopback port.
- `dashboard_server(home)`: `xinfang serve` (dashboards.app.serve) over `home` in its own
  process on a free loopback port; yields the base URL once the app answers.
"""

from __future__ import annotations

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
