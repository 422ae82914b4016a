"""Shared pytest fixtures. Keep additions additive and named for what they do.

- `xinfang_home`: a fresh $XINFANG_HOME for one test.
- `make_lake`: writes raw-lake batches and their load-ledger records directly (bypassing
  ingest), for tests of what reads the lake (build, dbt models).

The demo warehouse, built once per session (demo county + THIN_VILLAGES_CSV):
- `demo_build` (session): a DemoWarehouse — home, inbox, thin-villages folder, build id.
- `demo_warehouse` (session): its $XINFANG_HOME, read-only.
- `ranked_demo` (function): $XINFANG_HOME pointed at it for one test, read-only.
- `demo_home_copy` (function): a private copy of its $XINFANG_HOME, $XINFANG_HOME set to it.
- `ranked_demo_home` (session): the same path as `demo_warehouse` (an older name).
- `demo_server` (session): `xinfang serve` over it on a free port; the base URL.

Every test that uses the demo warehouse (any of the above) is marked `slow` at collection:
`make test-fast` (-m "not slow and not browser") then never builds it.
"""

from __future__ import annotations

import hashlib
import itertools
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from pipelines import audit, seeds
from tests.support import THIN_VILLAGES_CSV, THIN_VILLAGES_FILE, dashboard_server

LAKE_TYPES: dict[str, pl.DataType] = {
    "text": pl.String(),
    "identity": pl.String(),
    "vocabulary": pl.String(),
    "datetime": pl.Datetime("us"),
    "positive_integer": pl.Int64(),
    "count": pl.Int64(),
    "year": pl.Int64(),
}

# Values a valid `cases` row needs besides case_id, received_at and channel.
CASE_DEFAULTS = {
    "source": "direct",
    "petition_level": "county",
    "jurisdiction_level": "county",
    "headcount": 1,
    "category": "accusation",
    "subject_code": "corruption",
    "real_name": "yes",
}


def lake_schema(entity: str) -> dict[str, pl.DataType]:
    """The lake layout of an entity: contract columns (identities as `_key`), then lineage."""
    schema = {c.lake_name: LAKE_TYPES[c.value_type] for c in seeds.kept_columns(entity)}
    schema["_batch_id"] = pl.String()
    schema["_line_number"] = pl.Int64()
    return schema


class LakeMaker:
    """Call as `make_lake(entity, rows)`: writes one batch (a later call is a later delivery)
    and its `loaded` ledger record; returns the batch id. Rows are dicts of lake columns;
    missing columns are null, `cases` rows get CASE_DEFAULTS, and `_line_number` defaults to
    the row's position after a header line (2, 3, ...)."""

    def __init__(self) -> None:
        self._seq = itertools.count(1)

    def __call__(self, entity: str, rows: Iterable[dict], batch_id: str | None = None) -> str:
        seq = next(self._seq)
        schema = lake_schema(entity)
        sha = hashlib.sha256(f"{entity}/{seq}/{batch_id}".encode()).hexdigest()
        batch_id = batch_id or f"20200101T000000{seq:06d}-{sha[:12]}"
        records = []
        for position, row in enumerate(rows):
            full = {**CASE_DEFAULTS, **row} if entity == "cases" else dict(row)
            full.setdefault("_batch_id", batch_id)
            full.setdefault("_line_number", position + 2)
            records.append({name: full.get(name) for name in schema})
        frame = pl.DataFrame(records, schema=schema, orient="row")
        path: Path = audit.lake_file(entity, sha)
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(path)
        audit.write_records("load_ledger", batch_id, [{
            "batch_id": batch_id,
            "file_name": f"{entity}_{seq}.csv",
            "file_sha256": sha,
            "entity": entity,
            "rows_read": frame.height,
            "rows_loaded": frame.height,
            "rows_quarantined": 0,
            "status": "loaded",
            "loaded_at": datetime(2020, 1, 1),
            "key_fingerprint": "test",
            "message": None,
        }])
        return batch_id


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark `slow` every test that needs the session's demo warehouse (a full dbt build)."""
    for item in items:
        if "demo_build" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture()
def xinfang_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xinfang-home"
    monkeypatch.setenv("XINFANG_HOME", str(home))
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    return home


@pytest.fixture()
def make_lake(xinfang_home: Path) -> LakeMaker:
    return LakeMaker()


# ---------------------------------------------------------------------------------------------
# The demo warehouse: built once per test session, shared read-only
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoWarehouse:
    """The session's demo warehouse and what was delivered to it."""

    home: Path  # $XINFANG_HOME with the published build
    inbox: Path  # the default demo drop, exactly as `write_demo` wrote it (9 files)
    thin: Path  # a folder holding THIN_VILLAGES_FILE only
    build_id: str  # the published build


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> DemoWarehouse:
    """The default demo county plus THIN_VILLAGES_CSV, delivered (demo-data → ingest of the
    inbox and the thin-villages folder → build) and published once for the whole session.
    Read-only for every test: use `demo_home_copy` to change it. The environment is restored
    as soon as the build is done; pass the paths on explicitly (or use `ranked_demo`)."""
    from pipelines.build import build_warehouse
    from pipelines.demo_data import write_demo
    from pipelines.ingest import ingest_paths

    root = tmp_path_factory.mktemp("demo-warehouse")
    home, inbox, thin = root / "home", root / "inbox", root / "thin"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XINFANG_HOME", str(home))
        mp.setenv("DO_NOT_TRACK", "1")
        write_demo(out=inbox, quiet=True)
        thin.mkdir()
        (thin / THIN_VILLAGES_FILE).write_text(THIN_VILLAGES_CSV, encoding="utf-8")
        assert ingest_paths([inbox, thin], quiet=True).exit_code == 0
        build_id = build_warehouse()
    return DemoWarehouse(home=home, inbox=inbox, thin=thin, build_id=build_id)


@pytest.fixture(scope="session")
def demo_warehouse(demo_build: DemoWarehouse) -> Path:
    """$XINFANG_HOME of the session's demo warehouse (`demo_build`), read-only. It holds the
    thin villages too: a test of the plain demo's figures leaves out THIN_TOWN."""
    return demo_build.home


@pytest.fixture(scope="session")
def ranked_demo_home(demo_warehouse: Path) -> Path:
    """The same as `demo_warehouse` (the name the ranking and export tests started with)."""
    return demo_warehouse


@pytest.fixture()
def ranked_demo(demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$XINFANG_HOME → the session's demo warehouse for one test (read it, don't change it)."""
    monkeypatch.setenv("XINFANG_HOME", str(demo_warehouse))
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    return demo_warehouse


@pytest.fixture()
def demo_home_copy(demo_build: DemoWarehouse, tmp_path: Path,
                   monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy (`shutil.copytree`) of the session's demo $XINFANG_HOME, published build
    included, with $XINFANG_HOME pointing at it for one test: change it freely."""
    copy = tmp_path / "demo-home"
    shutil.copytree(demo_build.home, copy, symlinks=True)
    monkeypatch.setenv("XINFANG_HOME", str(copy))
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    return copy


@pytest.fixture(scope="session")
def demo_server(demo_warehouse: Path) -> Iterator[str]:
    """`xinfang serve` over the session's demo warehouse, started once for the session on a
    free loopback port; gives its base URL (`http://127.0.0.1:PORT`)."""
    with dashboard_server(demo_warehouse) as base:
        yield base
