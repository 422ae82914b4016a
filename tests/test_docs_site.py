"""`/docs/` of `xinfang serve`: the published build's dbt docs site, made on first request,
served offline.

A fake home holds a published build with raw tables and meta.build_info (no dbt build, to keep
this quick): the first build has no manifest of its own, so the site parses the project; the
second carries a manifest in its dbt target like a real build, so the site reuses it.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from pipelines import build, dbt_docs, paths

FIRST, SECOND = "20120101T000000Z-01", "20120102T000000Z-01"


def make_build(home: Path, build_id: str) -> Path:
    folder = home / "builds" / build_id
    folder.mkdir(parents=True)
    con = duckdb.connect(str(folder / build.DB_FILE))
    try:
        con.execute("create schema raw")
        for entity in paths.ENTITIES:
            build.create_raw_table(con, entity, [])
        con.execute("create schema meta")
        con.execute(
            "create table meta.build_info as select ? as build_id, date '2011-12-31' as as_of",
            [build_id],
        )
    finally:
        con.close()
    (folder / build.DB_FILE).chmod(0o444)  # as published
    (home / "published").write_text(build_id, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("docs-site") / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XINFANG_HOME", str(home))
        mp.setenv("DO_NOT_TRACK", "1")
        from dashboards.app import create_app

        server = create_app().server
        yield home, server.test_client()


def test_nothing_published_is_a_clear_404(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINFANG_HOME", str(tmp_path))
    from dashboards.app import create_app

    response = create_app().server.test_client().get("/docs/")
    assert response.status_code == 404
    assert "xinfang build" in response.get_data(as_text=True)


def test_docs_serves_the_published_builds_site(client) -> None:
    home, http = client
    make_build(home, FIRST)
    assert http.get("/docs").status_code in (301, 302, 308)

    index = http.get("/docs/")
    assert index.status_code == 200
    assert index.headers["X-Build-Id"] == FIRST
    assert "<title>dbt Docs</title>" in index.get_data(as_text=True)

    manifest = http.get("/docs/manifest.json?cb=1")  # dbt's page asks with a cache-buster
    assert manifest.status_code == 200
    data = json.loads(manifest.get_data(as_text=True))
    assert "model.xinfang.fct_cases" in data["nodes"]
    assert "model.xinfang.fct_village_year" in data["nodes"]
    assert data["metadata"]["send_anonymous_usage_stats"] is False

    catalog = http.get("/docs/catalog.json")
    assert catalog.status_code == 200
    assert "source.xinfang.lake.cases" in json.loads(catalog.get_data(as_text=True))["sources"]

    assert http.get("/docs/run_results.json").status_code == 404
    assert http.get("/docs/../published").get_data(as_text=True) != FIRST
    assert (home / "builds" / FIRST / "docs" / "index.html").is_file()  # kept with the build


def test_a_new_build_gets_its_own_site_from_its_own_manifest(client) -> None:
    home, http = client
    folder = make_build(home, SECOND)
    target = folder / "dbt" / "target"
    target.mkdir(parents=True)
    own = json.loads((dbt_docs.site_dir(FIRST) / "manifest.json").read_text(encoding="utf-8"))
    own["metadata"]["send_anonymous_usage_stats"] = True  # whatever dbt wrote
    own["nodes"]["model.xinfang.fct_cases"]["description"] = "the second build's manifest"
    (target / "manifest.json").write_text(json.dumps(own), encoding="utf-8")

    response = http.get("/docs/manifest.json")
    assert response.headers["X-Build-Id"] == SECOND
    served = json.loads(response.get_data(as_text=True))
    assert served["nodes"]["model.xinfang.fct_cases"]["description"] == "the second build's manifest"
    assert served["metadata"]["send_anonymous_usage_stats"] is False  # tracking stays off
    shutil.rmtree(folder / "dbt")


# ------------------------------------------------------------------------------ offline
LOADING_ATTRIBUTES = {"src", "href", "srcset", "data", "poster", "action", "formaction"}


class _Loads(HTMLParser):
    """Every URL an HTML tag of the page would fetch (not text inside scripts or styles)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in LOADING_ATTRIBUTES and value and not (tag == "a" and name == "href"):
                self.urls.append(value)


def _external(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z]+:)?//", url.strip(), re.IGNORECASE))


def test_index_html_loads_nothing_from_another_host(client) -> None:
    _home, http = client
    response = http.get("/docs/")
    html = response.get_data(as_text=True)

    parser = _Loads()
    parser.feed(html)
    assert [u for u in parser.urls if _external(u)] == []
    # stylesheets: no @import or url() of another host
    assert re.findall(r"(?:@import\s*|url\()\s*['\"]?((?:https?:)?//[^'\")\s]+)", html) == []
    # scripts: the only remote script a script would insert is dbt's page-view tracker, and dbt
    # turns it on only when the manifest says send_anonymous_usage_stats (served as false)
    inserted = set(re.findall(r"\.src\s*=\s*[\"']((?:https?:)?//[^\"']+)", html))
    assert len(inserted) <= 1, inserted
    if inserted:
        assert "track:p.send_anonymous_usage_stats" in html, "dbt's tracker is no longer gated"
        assert "!0===e.track&&r.turn_on_tracking()" in html, "dbt's tracker is no longer gated"
    # whatever a later dbt does, the browser may fetch from this server only
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert not re.search(r"https?:|//|\*", policy)
