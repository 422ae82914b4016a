"""`xinfang build` / `xinfang check`: raw lake → dbt → publish, on a small hand-made lake."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines import audit, build, paths
from pipelines.errors import CheckFailed, NothingPublished, UsageError


# ---------------------------------------------------------------- the small lake
def plant_small_lake(make_lake) -> None:
    """Two deliveries of cases (C1 replaced), events delivered twice, one orphan event."""
    make_lake("villages", [
        {"village_code": "V1", "village_name": "一村", "town_code": "T1", "town_name": "一镇",
         "kind": "village", "population": 1000, "year": None},
        {"village_code": "V1", "village_name": "一村", "town_code": "T1", "town_name": "一镇",
         "kind": "village", "population": 1100, "year": 2010},
    ])
    make_lake("cadres", [{"cadre_id": "K1", "cadre_name": "张三", "unit_name": "一镇政府"}])
    make_lake("cases", [
        {"case_id": "C1", "received_at": datetime(2010, 3, 1, 9), "channel": "letter",
         "village_code": "V1"},
        {"case_id": "C2", "received_at": datetime(2010, 3, 2, 10), "channel": "visit",
         "headcount": 6, "village_code": "V1"},
    ])
    make_lake("cases", [
        {"case_id": "C1", "received_at": datetime(2010, 3, 1, 9), "channel": "phone",
         "village_code": "V1"},
    ])
    accepted = {"case_id": "C1", "event_type": "accepted", "event_at": datetime(2010, 3, 3, 9)}
    make_lake("case_events", [
        accepted,
        {"case_id": "C1", "event_type": "assigned", "event_at": datetime(2010, 3, 4),
         "cadre_id": "K1", "detail": "lead"},
        # an event whose item never arrived: kept in staging, ignored by the default as_of
        {"case_id": "C9", "event_type": "accepted", "event_at": datetime(2012, 1, 1)},
    ])
    make_lake("case_events", [
        accepted,
        {"case_id": "C1", "event_type": "concluded", "event_at": datetime(2010, 4, 5, 16)},
    ])


def query(build_id: str, sql: str) -> list[tuple]:
    con = duckdb.connect(str(build.build_db_path(build_id)), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


# ---------------------------------------------------------------- pure helpers
@pytest.mark.parametrize("value", ["2011-13-01", "20110101", "2011/1/5", "yesterday", "2011-1-5", ""])
def test_bad_as_of_is_a_usage_error(xinfang_home, value):
    with pytest.raises(UsageError) as caught:
        build.build_warehouse(as_of=value)
    assert caught.value.exit_code == 2
    assert "\n" not in str(caught.value)
    assert not paths.builds_dir().exists()


def test_as_of_parsing():
    assert build.parse_as_of(None) is None
    assert build.parse_as_of("2011-03-05") == date(2011, 3, 5)


def test_build_ids_sort_in_time_order():
    first = build.new_build_id(datetime(2026, 11, 26, 10, 15, 0, tzinfo=UTC))
    assert first == "20261126T101500Z-01"
    second = build.new_build_id(datetime(2026, 11, 26, 10, 15, 0, tzinfo=UTC), {first})
    third = build.new_build_id(datetime(2026, 11, 26, 10, 15, 1, tzinfo=UTC))
    assert first < second < third


def test_no_loaded_items_needs_as_of(make_lake):
    make_lake("villages", [{"village_code": "V1", "village_name": "一村", "town_code": "T1",
                            "town_name": "一镇", "kind": "village", "population": 10}])
    with pytest.raises(UsageError):
        build.build_warehouse()
    assert list(paths.builds_dir().iterdir()) == []
    assert audit.read("builds").height == 0


# ---------------------------------------------------------------- a published build
def test_build_publishes_deduplicated_staging(make_lake):
    plant_small_lake(make_lake)
    repo_before = {p for p in ("target", "logs") if (paths.REPO_ROOT / p).exists()}

    build_id = build.build_warehouse()

    assert paths.pointer_file().read_text().strip() == build_id == build.published_build_id()
    db = build.build_db_path(build_id)
    assert db.name == "xinfang.duckdb" and db.parent.name == build_id
    assert not db.with_name("xinfang.duckdb.wal").exists()
    assert not os.access(db, os.W_OK) or os.geteuid() == 0
    assert not db.stat().st_mode & 0o222

    # default as_of: the latest date of loaded items and their events, not the orphan event
    assert query(build_id, "select build_id, as_of, as_of_source from meta.build_info") == [
        (build_id, date(2010, 4, 5), "data")
    ]
    schemas = {r[0] for r in query(build_id, "select distinct table_schema from information_schema.tables")}
    assert {"raw", "seeds", "staging", "meta"} <= schemas
    views = query(build_id, "select table_name, table_type from information_schema.tables "
                            "where table_schema = 'staging' order by 1")
    assert views == [(name, "VIEW") for name in sorted(build.STAGING_MODELS)]

    # every column of every staging view is documented in _lake__models.yml
    manifest = json.loads((build.build_db_path(build_id).parent / "dbt" / "target" /
                           "manifest.json").read_text())
    for name in build.STAGING_MODELS:
        documented = list(manifest["nodes"][f"model.xinfang.{name}"]["columns"])
        actual = [r[0] for r in query(build_id, "select column_name from information_schema.columns "
                                                f"where table_name = '{name}' order by ordinal_position")]
        assert sorted(documented) == sorted(actual), name

    # a case delivered twice appears once, with the later delivery's values
    assert query(build_id, "select case_id, channel, headcount from staging.stg_lake__cases "
                           "order by case_id") == [("C1", "phone", 1), ("C2", "visit", 6)]
    # identical events collapse; the orphan event is kept
    assert query(build_id, "select count(*) from raw.case_events") == [(5,)]
    assert query(build_id, "select case_id, event_type from staging.stg_lake__case_events "
                           "order by event_at") == [
        ("C1", "accepted"), ("C1", "assigned"), ("C1", "concluded"), ("C9", "accepted")
    ]
    assert query(build_id, "select year, population from staging.stg_lake__villages "
                           "order by year nulls first") == [(None, 1000), (2010, 1100)]
    # no nominations were ever delivered: the optional entity is an empty table, not an error
    assert query(build_id, "select count(*) from raw.nominations") == [(0,)]
    assert query(build_id, "select count(*) from marts.fct_nominee_evidence") == [(0,)]
    # nor are the working registers (surveys, information adoptions): their marts are empty
    assert query(build_id, "select count(*) from raw.surveys") == [(0,)]
    assert query(build_id, "select count(*) from marts.fct_survey_year") == [(0,)]
    assert query(build_id, "select count(*) from marts.fct_information_adoption_year") == [(0,)]
    # seeds keep codes as text
    assert query(build_id, "select data_type from information_schema.columns where "
                           "table_schema = 'seeds' and table_name = 'value_aliases' "
                           "and column_name = 'alias'") == [("VARCHAR",)]

    builds = audit.read("builds")
    assert builds.select("build_id", "as_of", "status", "failed_check").rows() == [
        (build_id, date(2010, 4, 5), "published", None)
    ]
    results = audit.read("quality_results").filter(pl.col("build_id") == build_id)
    assert results.height > 20
    assert set(results.get_column("status")) <= {"pass", "fail"}
    assert results.filter(pl.col("severity") == "error").get_column("status").unique().to_list() == ["pass"]
    # the orphan event is a warning, not a failure
    warned = results.filter(pl.col("status") == "fail")
    assert warned.get_column("severity").to_list() == ["warn"]

    # nothing written into the repository
    assert {p for p in ("target", "logs") if (paths.REPO_ROOT / p).exists()} == repo_before

    # a second build with --as-of replaces the pointer; the first build is kept for rollback
    second = build.build_warehouse(as_of="2011-06-30")
    assert second > build_id
    assert build.published_build_id() == second
    assert query(second, "select as_of, as_of_source from meta.build_info") == [
        (date(2011, 6, 30), "given")
    ]
    assert build.build_db_path(build_id).exists()

    # xinfang check re-runs the data tests on a copy of the published build
    assert build.check_published() == 0
    assert [p.name for p in paths.tmp_dir().iterdir()] == []


def test_failing_data_test_keeps_the_published_build(make_lake, xinfang_home):
    plant_small_lake(make_lake)
    good = build.build_warehouse()
    make_lake("cases", [{"case_id": "C3", "received_at": datetime(2010, 3, 9), "channel": "pigeon"}])

    # through the command line: exit 1, one line on stderr
    env = {**os.environ, "XINFANG_HOME": str(xinfang_home), "DO_NOT_TRACK": "1"}
    done = subprocess.run(
        [sys.executable, "-c", "from pipelines.cli import main; main()", "build"],
        check=False, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 1, done.stderr
    stderr_lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(stderr_lines) == 1
    assert "in_vocabulary_stg_lake__cases_channel__channel" in stderr_lines[0]
    assert "stg_lake__cases" in stderr_lines[0] and "pigeon" in stderr_lines[0]

    assert build.published_build_id() == good
    records = audit.read("builds").sort("build_id")
    assert records.get_column("status").to_list() == ["published", "failed"]
    failed_id, failed_check = records.row(1)[0], records.row(1)[5]
    assert failed_check == "in_vocabulary_stg_lake__cases_channel__channel"
    # the most recent failed build stays for inspection
    assert sorted(p.name for p in paths.builds_dir().iterdir()) == sorted([good, failed_id])

    # in process the same failure is CheckFailed, whose exit code is 1
    assert CheckFailed.exit_code == 1


def test_check_without_a_published_build(xinfang_home):
    with pytest.raises(NothingPublished):  # exit 2, as for query and export
        build.check_published()


# ---------------------------------------------------------------- retention
def _fake_build(build_id: str, status: str, minute: int) -> None:
    folder = paths.builds_dir() / build_id
    folder.mkdir(parents=True)
    (folder / build.DB_FILE).write_bytes(b"")
    audit.write_records("builds", build_id, [{
        "build_id": build_id, "as_of": date(2011, 1, 1),
        "started_at": datetime(2026, 1, 1, 0, minute), "finished_at": datetime(2026, 1, 1, 0, minute, 30),
        "status": status, "failed_check": None if status == "published" else "x",
    }])


def test_retention_keeps_the_last_three_published_and_the_last_failed(xinfang_home):
    ids = [f"20260101T00{m:02d}00Z-01" for m in range(8)]
    statuses = ["published", "failed", "published", "published", "failed", "published",
                "published", "failed"]
    for minute, (build_id, status) in enumerate(zip(ids, statuses)):
        _fake_build(build_id, status, minute)
    (paths.builds_dir() / "20260101T000900Z-01").mkdir()  # a crashed build without a record
    # the pointer names an older build (e.g. after a rollback): it is never removed
    paths.pointer_file().write_text(ids[0])

    removed = build.apply_retention()

    kept = sorted(p.name for p in paths.builds_dir().iterdir())
    assert kept == sorted([ids[0], ids[3], ids[5], ids[6], ids[7]])
    assert sorted(removed) == sorted([ids[1], ids[2], ids[4], "20260101T000900Z-01"])


# ---------------------------------------------------------------- the dbt project itself
def _empty_build_db(folder: Path) -> Path:
    db = folder / build.DB_FILE
    con = duckdb.connect(str(db))
    try:
        con.execute("create schema raw")
        for entity in paths.ENTITIES:
            build.create_raw_table(con, entity, [])
    finally:
        con.close()
    return db


def test_dbt_parse(tmp_path):
    result = build.run_dbt(["parse"], tmp_path / build.DB_FILE, tmp_path / "dbt")
    assert result.success, result.exception
    assert (tmp_path / "dbt" / "target" / "manifest.json").exists()


def test_dbt_docs_generate(tmp_path):
    db = _empty_build_db(tmp_path)
    dbt_vars = {"as_of": "2011-12-31", "build_id": "docs"}
    result = build.run_dbt(["docs", "generate"], db, tmp_path / "dbt", dbt_vars)
    assert result.success, result.exception
    assert (tmp_path / "dbt" / "target" / "catalog.json").exists()
    assert (tmp_path / "dbt" / "target" / "index.html").exists()


def test_every_staging_model_and_column_is_described(tmp_path):
    result = build.run_dbt(["parse"], tmp_path / build.DB_FILE, tmp_path / "dbt")
    assert result.success
    manifest = json.loads((tmp_path / "dbt" / "target" / "manifest.json").read_text())
    models = [
        n for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["original_file_path"].startswith("models/staging/")
    ]
    assert sorted(n["name"] for n in models) == sorted(build.STAGING_MODELS)
    for model in models:
        assert model["description"].strip(), model["name"]
        sql_columns = model["columns"]
        assert sql_columns, model["name"]
        for name, column in sql_columns.items():
            assert column["description"].strip(), f"{model['name']}.{name}"


def test_dbt_unit_tests():
    assert build.run_dbt_unit_tests()


def test_raw_table_from_batches_missing_a_column(make_lake):
    """An entity whose batches lack a lake column still gets it, as typed nulls."""
    make_lake("villages", [{"village_code": "V1", "village_name": "一村", "town_code": "T1",
                            "town_name": "一镇", "kind": "village", "population": 10}])
    lake_file = build.lake_files("villages")[0]
    pl.read_parquet(lake_file).drop("year").write_parquet(lake_file)
    con = duckdb.connect(":memory:")
    try:
        con.execute("create schema raw")
        assert build.create_raw_table(con, "villages", build.lake_files("villages")) == 1
        types = dict(con.sql("select column_name, data_type from information_schema.columns "
                             "where table_name = 'villages'").fetchall())
    finally:
        con.close()
    assert types["year"] == "BIGINT" and types["population"] == "BIGINT"
    assert list(types)[-2:] == ["_batch_id", "_line_number"]


def test_missing_lake_file_fails_the_build_and_keeps_nothing_published(make_lake):
    plant_small_lake(make_lake)
    shutil.rmtree(paths.lake_dir("cadres"))
    paths.lake_dir("cadres").mkdir()
    with pytest.raises(CheckFailed):
        build.build_warehouse()
    assert build.published_build_id() is None
    assert audit.read("builds").get_column("failed_check").to_list() == ["载入原始数据"]
