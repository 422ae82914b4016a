"""The dashboards: app factory, the data-quality page's data, and a served, offline page."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import dash
import duckdb
import plotly
import pytest

from pipelines import audit
from tests.support import dashboard_server

PAGE_PATH = "/quality"


# ---------------------------------------------------------------------------------------------
# A fake home: a published build with staging views, a ledger and quarantined rows
# ---------------------------------------------------------------------------------------------


def make_build(home: Path, build_id: str) -> None:
    db = home / "builds" / build_id / "xinfang.duckdb"
    db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db))
    try:
        for schema in ("raw", "staging", "marts", "meta"):
            con.execute(f"create schema {schema}")
        con.execute("create table raw.cases as select 'C' || range as case_id from range(5)")
        con.execute("create table raw.villages as select 'V' || range as code from range(3)")
        con.execute("create view staging.stg_lake__cases as select * from raw.cases")
        con.execute("create view staging.stg_lake__villages as select * from raw.villages")
        con.execute(
            "create table meta.build_info as select ? as build_id, date '2011-12-31' as as_of, "
            "timestamp '2012-01-02 03:04:05' as built_at, '1.11.0' as dbt_version",
            [build_id],
        )
    finally:
        con.close()
    (home / "published").write_text(build_id, encoding="utf-8")


def write_ledger(name: str, file_name: str, status: str = "loaded") -> None:
    audit.write_records(
        "load_ledger",
        name,
        [
            {
                "batch_id": f"batch-{name}",
                "file_name": file_name,
                "file_sha256": "a" * 64,
                "entity": "cases",
                "rows_read": 12,
                "rows_loaded": 9,
                "rows_quarantined": 3,
                "status": status,
                "loaded_at": datetime(2012, 1, 1, 8, 0),
                "key_fingerprint": "fp",
                "message": None,
            }
        ],
    )


def write_quarantine(name: str, file_name: str) -> None:
    reasons = ["bad_date", "bad_date", "missing_required"]
    audit.write_records(
        "quarantine",
        name,
        [
            {
                "batch_id": f"batch-{name}",
                "file_name": file_name,
                "line_number": i + 2,
                "reason": reason,
                "original_values": "{}",
                "detail": None,
            }
            for i, reason in enumerate(reasons)
        ],
    )


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("XINFANG_HOME", str(folder))
    return folder


def fill(home: Path) -> None:
    """A published build, one ledger row and three quarantined rows ($XINFANG_HOME = home)."""
    make_build(home, "20120102-030405")
    write_ledger("one", "cases_2011.csv")
    write_quarantine("one", "cases_2011.csv")


@pytest.fixture
def filled(home: Path) -> Path:
    fill(home)
    return home


@pytest.fixture
def app():
    from dashboards.app import create_app

    return create_app()


def page_layout(lang: str | None = None) -> str:
    """The data-quality page rendered as the JSON the browser receives."""
    entry = next(p for p in dash.page_registry.values() if p["path"] == PAGE_PATH)
    layout = entry["layout"](lang=lang) if lang else entry["layout"]()
    return json.dumps(layout, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# App and data
# ---------------------------------------------------------------------------------------------


def test_create_app_starts(app) -> None:
    assert isinstance(app, dash.Dash)
    client = app.server.test_client()
    response = client.get("/")
    assert response.status_code == 200
    assert "信访数据仓库" in response.get_data(as_text=True)
    assert any(p["path"] == PAGE_PATH for p in dash.page_registry.values())


def test_snapshot_reads_ledger_quarantine_and_build(filled: Path) -> None:
    from dashboards import data

    snap = data.quality_snapshot()
    assert snap.build_id == "20120102-030405"
    assert snap.build_info["as_of"] == "2011-12-31"
    assert [r["file_name"] for r in snap.ledger] == ["cases_2011.csv"]
    row = snap.ledger[0]
    assert (row["rows_read"], row["rows_loaded"], row["rows_quarantined"]) == (12, 9, 3)
    assert row["status"] == "loaded" and row["is_balanced"] is True
    assert snap.quarantine_by_reason == [
        {"reason": "bad_date", "rows": 2, "files": 1},
        {"reason": "missing_required", "rows": 1, "files": 1},
    ]
    assert snap.entity_counts == [
        {"model": "stg_lake__villages", "entity": "villages", "rows": 3},
        {"model": "stg_lake__cases", "entity": "cases", "rows": 5},
    ]
    assert snap.totals["rows_read"] == 12 and snap.totals["files"] == 1


def test_page_layout_shows_the_ledger_in_chinese(filled: Path, app) -> None:
    text = page_layout()
    for expected in (
        "数据质量 · 载入记录",
        "cases_2011.csv",
        "已载入",
        "日期无法识别",
        "缺少必填项",
        "20120102-030405",
        "2011-12-31",
        "stg_lake__cases",
        "信访件",
    ):
        assert expected in text, expected
    english = page_layout("en")
    assert "Load ledger" in english and "Unreadable date" in english


def test_empty_states(home: Path, app) -> None:
    text = page_layout()
    assert "还没有可以展示的数据" in text and "请联系信访室数据管理员" in text
    assert "尚未导入任何数据文件" in text
    assert "没有被隔离的行" in text
    # what is missing and whom to ask: never a shell command
    assert "xinfang" not in text and "make run" not in text


def test_cache_follows_new_ingests(filled: Path, app, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboards import data

    calls = []
    real = data._read_quality_snapshot
    monkeypatch.setattr(data, "_read_quality_snapshot", lambda: calls.append(1) or real())
    with app.server.app_context():
        first = data.quality_snapshot()
        again = data.quality_snapshot()
        assert len(calls) == 1 and again.ledger == first.ledger
        write_ledger("two", "cases_2012.csv", status="duplicate")
        third = data.quality_snapshot()
    assert len(calls) == 2
    assert {r["file_name"] for r in third.ledger} == {"cases_2011.csv", "cases_2012.csv"}


def test_bootstrap_is_served_from_the_installed_package(app) -> None:
    client = app.server.test_client()
    css = client.get("/vendor/bootstrap/css/bootstrap.min.css")
    assert css.status_code == 200 and b"Bootstrap" in css.data[:400]
    assert client.get("/vendor/bootstrap/js/bootstrap.min.js").status_code == 200
    assert client.get("/vendor/bootstrap/../__init__.py").status_code == 404
    assert client.get("/vendor/bootstrap/css/nothing.css").status_code == 404


# ---------------------------------------------------------------------------------------------
# Served for real, on a free loopback port
# ---------------------------------------------------------------------------------------------


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.refs.append((tag, value))


def fetch(url: str, data: bytes | None = None) -> tuple[int, str]:
    headers = {"Content-Type": "application/json"} if data else {}
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`xinfang serve` over a fake home filled as `filled` is, once for the module."""
    home = tmp_path_factory.mktemp("served") / "home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XINFANG_HOME", str(home))
        fill(home)
    with dashboard_server(home) as base:
        yield base


def test_served_page_is_chinese_and_offline(served: str) -> None:
    status, html = fetch(served + PAGE_PATH)
    assert status == 200
    assert '<html lang="zh-CN">' in html and "信访数据仓库" in html

    parser = _Refs()
    parser.feed(html)
    assert parser.refs, "no <link>/<script> found"
    for tag, ref in parser.refs:
        url = urlparse(urljoin(served + "/", ref))
        assert url.scheme in ("http", ""), (tag, ref)
        assert url.hostname == "127.0.0.1", (tag, ref)
        if tag in ("link", "script"):
            assert fetch(urljoin(served + "/", ref))[0] == 200, ref
    assert "/vendor/bootstrap/css/bootstrap.min.css" in [ref for _, ref in parser.refs]
    assert fetch(served + "/vendor/bootstrap/css/bootstrap.min.css")[0] == 200


def test_served_page_renders_the_ledger(served: str) -> None:
    """The page content as the browser gets it: Dash's router callback for the URL."""
    _, deps = fetch(served + "/_dash-dependencies")
    router = next(d for d in json.loads(deps) if "_pages_content.children" in d["output"])
    payload = {
        "output": router["output"],
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": PAGE_PATH},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    status, body = fetch(served + "/_dash-update-component", json.dumps(payload).encode())
    assert status == 200
    content = json.dumps(json.loads(body), ensure_ascii=False)
    assert "载入记录" in content and "cases_2011.csv" in content and "日期无法识别" in content
