"""While `xinfang build` runs, the served pages keep answering from the last published build;
once it publishes, the next request shows the new build id."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.support import REPO, dashboard_server


def post(url: str, payload: dict[str, Any]) -> tuple[int, str]:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read().decode("utf-8"))
        return response.status, json.dumps(body, ensure_ascii=False)


def overview_content(base: str) -> str:
    """The overview's content callback, as the browser calls it."""
    status, body = post(
        base + "/_dash-update-component",
        {
            "output": "ov-content.children",
            "outputs": {"id": "ov-content", "property": "children"},
            "inputs": [
                {"id": "ov-year", "property": "value", "value": 2011},
                {"id": "ov-scope", "property": "value", "value": "county"},
            ],
            "state": [{"id": "ov-lang", "property": "data", "value": "zh"}],
            "changedPropIds": ["ov-year.value"],
        },
    )
    assert status == 200
    return body


def quality_page(base: str) -> str:
    """The data-quality page as Dash's router renders it for /quality."""
    with urllib.request.urlopen(base + "/_dash-dependencies", timeout=30) as response:
        deps = json.loads(response.read())
    router = next(d for d in deps if "_pages_content.children" in d["output"])
    status, body = post(
        base + "/_dash-update-component",
        {
            "output": router["output"],
            "outputs": [
                {"id": "_pages_content", "property": "children"},
                {"id": "_pages_store", "property": "data"},
            ],
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": "/quality"},
                {"id": "_pages_location", "property": "search", "value": ""},
            ],
            "changedPropIds": ["_pages_location.pathname"],
            "state": [],
        },
    )
    assert status == 200
    return body


@pytest.mark.characterisation
def test_pages_answer_from_the_published_build_during_a_build(demo_home_copy: Path) -> None:
    """Its own server over a copy of the demo warehouse, rebuilt while the pages are asked.
    Characterisation: "1,023 件" (the county's 2011 items, showing the page answered in full)
    was copied from the page over a demo build."""
    home = demo_home_copy
    old = (home / "published").read_text(encoding="utf-8").strip()
    with dashboard_server(home) as base:  # its own server: this home gets rebuilt
        assert old in overview_content(base) and old in quality_page(base)
        build = subprocess.Popen(
            [sys.executable, "-c", "from pipelines.cli import main; main()", "build"],
            cwd=REPO,
            env={**os.environ, "XINFANG_HOME": str(home), "DO_NOT_TRACK": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        pointer = home / "published"
        answered_during_build = 0
        try:
            while build.poll() is None:
                before = pointer.read_text(encoding="utf-8").strip()
                overview = overview_content(base)
                quality = quality_page(base)
                if before == old == pointer.read_text(encoding="utf-8").strip():
                    # Not yet published: the last published build answers, in full.
                    assert old in overview and "1,023 件" in overview
                    assert old in quality
                    answered_during_build += 1
                time.sleep(0.5)
        finally:
            output = build.communicate(timeout=600)[0].decode("utf-8", errors="replace")
        assert build.returncode == 0, output
        new = (home / "published").read_text(encoding="utf-8").strip()
        assert new != old
        assert answered_during_build >= 5, "the build finished before the pages were asked"
        overview, quality = overview_content(base), quality_page(base)
        assert new in overview and old not in overview
        assert new in quality


@pytest.mark.parametrize("path", ["/", "/villages", "/cadres", "/handling", "/quality"])
def test_every_page_is_served(demo_server: str, path: str) -> None:
    with urllib.request.urlopen(demo_server + path, timeout=30) as page:
        assert page.status == 200
        assert '<html lang="zh-CN">' in page.read().decode("utf-8")
