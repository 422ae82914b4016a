"""Shared pytest fixtures. Keep additions additive and named for what they do.

- `xinfang_home`: a fresh $XINFANG_HOME for one test.
- `make_lake`: writes raw-lake batches and their load-ledger records directly (bypassing
  ingest), for tests of what reads the lake (build, dbt models).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from pipelines import audit, seeds

LAKE_TYPES: dict[str, pl.DataType] = {
    "text": pl.String(),
    "identity": pl.String(),
    "vocabulary": pl.String(),
    "datetime": pl.Datetime("us"),
    "positive_integer": pl.Int64(),
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
    schema = {c.lake_name: LAKE_TYPES[c.value_type] for c in seeds.input_columns(entity)}
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
# A published demo warehouse, built once per test session (dashboards, browser tests)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """$XINFANG_HOME of the default demo county (demo-data → ingest → build), published once
    for the session. Read-only for tests: copy it (`shutil.copytree`) before changing it.
    The environment is restored afterwards; pass the path on explicitly."""
    from pipelines.build import build_warehouse
    from pipelines.demo_data import write_demo
    from pipelines.ingest import ingest_paths

    root = tmp_path_factory.mktemp("demo-warehouse")
    home = root / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XINFANG_HOME", str(home))
        mp.setenv("DO_NOT_TRACK", "1")
        inbox = root / "inbox"
        write_demo(out=inbox, quiet=True)
        assert ingest_paths([inbox], quiet=True).exit_code == 0
        build_warehouse()
    return home


# ---------------------------------------------------------------------------------------------
# Issue 4 (rankings, export): one published demo warehouse per session.
# ---------------------------------------------------------------------------------------------

# Three thin villages (a few dozen residents, no items) delivered beside the demo county, so the
# insufficient-data rule has something to label. Codes and town are outside the demo's.
THIN_VILLAGES_CSV = (
    "village_code,village_name,town_code,town_name,kind,population,year\n"
    "320982990001,试点一村,320982990,试点镇,village,40,\n"
    "320982990002,试点二村,320982990,试点镇,village,60,\n"
    "320982990003,试点社区,320982990,试点镇,community,80,\n"
)
THIN_VILLAGE_CODES = ("320982990001", "320982990002", "320982990003")


@pytest.fixture(scope="session")
def ranked_demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published build of the demo county plus THIN_VILLAGES_CSV, built once per session.
    Use it through `ranked_demo`, which points $XINFANG_HOME at it for one test; the
    environment is restored as soon as the build is done."""
    from pipelines.build import build_warehouse
    from pipelines.demo_data import write_demo
    from pipelines.ingest import ingest_paths

    root = tmp_path_factory.mktemp("ranked-demo")
    home, inbox = root / "home", root / "inbox"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XINFANG_HOME", str(home))
        mp.setenv("DO_NOT_TRACK", "1")
        write_demo(out=inbox, quiet=True)
        (inbox / "villages_thin.csv").write_text(THIN_VILLAGES_CSV, encoding="utf-8")
        assert ingest_paths([inbox], quiet=True).exit_code == 0
        build_warehouse()
    return home


@pytest.fixture()
def ranked_demo(ranked_demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$XINFANG_HOME → the session's published demo warehouse (read it, don't rebuild it)."""
    monkeypatch.setenv("XINFANG_HOME", str(ranked_demo_home))
    return ranked_demo_home
