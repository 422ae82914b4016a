"""The read side: `xinfang query` and `pipelines.warehouse.connect` over a fake published build."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pipelines import audit, warehouse
from pipelines.errors import UsageError, XinfangError

NO_BUILD = "尚无已发布的构建"  # the label text.no_build, shared by check, query and export


def make_build(home: Path, build_id: str, cases: list[tuple[str, str]]) -> Path:
    """A tiny build database shaped like the real one (raw → staging views → marts, meta)."""
    db = home / "builds" / build_id / "xinfang.duckdb"
    db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db))
    try:
        for schema in ("raw", "seeds", "staging", "marts", "meta"):
            con.execute(f"create schema {schema}")
        con.execute("create table raw.cases (case_id varchar, received_at timestamp)")
        con.executemany("insert into raw.cases values (?, ?)", cases)
        con.execute("create table raw.villages (village_code varchar)")
        con.execute("insert into raw.villages values ('V1'), ('V2'), ('V3')")
        con.execute(
            "create view staging.stg_lake__cases as "
            "select case_id, cast(received_at as date) as received_date from raw.cases"
        )
        con.execute("create view staging.stg_lake__villages as select * from raw.villages")
        con.execute(
            "create table marts.fct_cases as select case_id, received_date, "
            "true as is_visit from staging.stg_lake__cases"
        )
        con.execute(
            "create table meta.build_info as select ? as build_id, date '2011-12-31' as as_of, "
            "timestamp '2012-01-02 03:04:05' as built_at, '1.11.0' as dbt_version",
            [build_id],
        )
    finally:
        con.close()
    return db


def publish(home: Path, build_id: str) -> None:
    tmp = home / ".published.tmp"
    tmp.write_text(build_id + "\n", encoding="utf-8")
    os.replace(tmp, home / "published")


def ledger_row(name: str, status: str = "loaded") -> dict:
    return {
        "batch_id": f"batch-{name}",
        "file_name": name,
        "file_sha256": "0" * 64,
        "entity": "cases",
        "rows_read": 10,
        "rows_loaded": 9,
        "rows_quarantined": 1,
        "status": status,
        "loaded_at": datetime(2012, 1, 1, 8, 0),
        "key_fingerprint": "fp",
        "message": None,
    }


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("XINFANG_HOME", str(folder))
    return folder


@pytest.fixture
def published(home: Path) -> Path:
    make_build(home, "b1", [("C1", "2011-01-02 09:00:00"), ("C2", "2011-02-03 10:30:00")])
    publish(home, "b1")
    return home


def cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "XINFANG_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-c", "from pipelines.cli import main; main()", *args],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_query_csv_through_the_command(published: Path) -> None:
    proc = cli(
        published,
        "query",
        "select case_id, received_date from marts.fct_cases order by case_id",
        "--format",
        "csv",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "case_id,received_date",
        "C1,2011-01-02",
        "C2,2011-02-03",
    ]


def test_run_query_formats(published: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warehouse.run_query("select count(*) as n from staging.stg_lake__cases", "json")
    assert json.loads(capsys.readouterr().out) == [{"n": 2}]

    warehouse.run_query("select case_id, is_visit from marts.fct_cases order by 1", "csv")
    assert capsys.readouterr().out == "case_id,is_visit\nC1,true\nC2,true\n"

    warehouse.run_query("select case_id from marts.fct_cases order by 1", "table")
    out = capsys.readouterr().out
    assert "C1" in out and "C2" in out and "（2 行）" in out

    with pytest.raises(UsageError):
        warehouse.run_query("select 1", "xml")


def test_query_csv_escapes_formula_like_text(home: Path) -> None:
    """A name a spreadsheet would run (=, +, -, @, tab, CR first) gets a leading apostrophe;
    numbers, dates and the header stay as they are, and a pipe gets no byte-order mark."""
    names = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-1", "@SUM(A1)", "\tx"]
    make_build(home, "b1", [(n, f"2011-01-0{i + 1} 09:00:00") for i, n in enumerate(names)])
    publish(home, "b1")
    proc = cli(home, "query", "select case_id, received_date, -1 as n from marts.fct_cases "
               "order by received_date", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows[0] == ["case_id", "received_date", "n"]
    assert [r[0] for r in rows[1:]] == ["'" + n for n in names]
    assert rows[1][1:] == ["2011-01-01", "-1"]


def test_every_schema_is_mirrored(published: Path) -> None:
    with warehouse.connect() as con:
        assert warehouse.attached_build_id(con) == "b1"
        assert con.sql("select count(*) from raw.villages").fetchall() == [(3,)]
        assert con.sql("select count(*) from staging.stg_lake__villages").fetchall() == [(3,)]
        assert con.sql("select as_of from meta.build_info").fetchall()[0][0].isoformat() == (
            "2011-12-31"
        )
        # the build's catalog keeps its own name, so its views resolve
        assert con.sql("select count(*) from xinfang.marts.fct_cases").fetchall() == [(2,)]


def test_audit_tables_without_a_published_build(home: Path) -> None:
    with warehouse.connect() as con:
        assert warehouse.attached_build_id(con) is None
        for table, schema in audit.SCHEMAS.items():
            cols = [r[0] for r in con.sql(f"describe audit.{table}").fetchall()]
            assert cols == list(schema)
            assert con.sql(f"select count(*) from audit.{table}").fetchall() == [(0,)]

    audit.write_records("load_ledger", "one", [ledger_row("cases_a.csv")])
    # a half-written temporary file beside it is not a record
    (home / "audit" / "load_ledger" / ".tmp-1-two.parquet").write_bytes(b"partial")
    with warehouse.connect() as con:
        rows = con.sql("select file_name, rows_read, loaded_at from audit.load_ledger").fetchall()
    assert rows == [("cases_a.csv", 10, datetime(2012, 1, 1, 8, 0))]


def test_audit_is_read_as_it_is_now(published: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warehouse.run_query("select count(*) as n from audit.load_ledger", "csv")
    assert capsys.readouterr().out == "n\n0\n"
    audit.write_records("load_ledger", "later", [ledger_row("cases_b.csv", "refused")])
    warehouse.run_query("select file_name, status from audit.load_ledger", "csv")
    assert capsys.readouterr().out == "file_name,status\ncases_b.csv,refused\n"


@pytest.mark.parametrize(
    "sql",
    [
        "insert into marts.fct_cases values ('C9', date '2011-05-05', false)",
        "create table marts.x as select 1 as a",
        "delete from audit.load_ledger",
        "copy (select 1) to '{out}'",
        "attach '{other}' as other",
        "set enable_external_access = true",
        "install httpfs",
        "select * from read_csv('{other}')",
    ],
)
def test_writes_and_file_access_are_refused(published: Path, tmp_path: Path, sql: str) -> None:
    out = tmp_path / "leak.csv"
    other = tmp_path / "other.duckdb"
    with pytest.raises(UsageError):
        warehouse.run_query(sql.format(out=out, other=other), "csv")
    assert not out.exists() and not other.exists()


def test_connection_itself_is_locked(published: Path, tmp_path: Path) -> None:
    out = tmp_path / "leak.csv"
    with warehouse.connect() as con:
        for sql in (
            f"copy (select 1) to '{out}'",
            f"attach '{tmp_path / 'other.duckdb'}' as other",
            "insert into xinfang.marts.fct_cases values ('C9', date '2011-05-05', false)",
            "create table xinfang.marts.y (a int)",
            "set enable_external_access = true",
            "set lock_configuration = false",
        ):
            with pytest.raises(duckdb.Error):
                con.execute(sql)
        assert con.sql("select count(*) from marts.fct_cases").fetchall() == [(2,)]
    assert not out.exists()


def test_no_published_build_is_one_clear_line(home: Path) -> None:
    proc = cli(home, "query", "select * from marts.fct_cases")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and NO_BUILD in lines[0]
    assert "Traceback" not in proc.stderr

    with pytest.raises(XinfangError, match=NO_BUILD), warehouse.connect(require_build=True):
        pass


def test_bad_query_is_one_line(published: Path) -> None:
    for sql in ("selec 1", "select * from marts.no_such_table", "select 1/'x'"):
        proc = cli(published, "query", sql)
        assert proc.returncode == 2, sql
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert "Traceback" not in proc.stderr


def test_pointer_switch_is_seen_by_the_next_connection(published: Path) -> None:
    make_build(published, "b2", [("C7", "2011-07-07 07:07:07")])
    with warehouse.connect() as old:
        publish(published, "b2")
        # the open connection keeps reading the build it attached
        assert old.sql("select count(*) from marts.fct_cases").fetchall() == [(2,)]
        with warehouse.connect() as new:
            assert warehouse.attached_build_id(new) == "b2"
            assert new.sql("select case_id from marts.fct_cases").fetchall() == [("C7",)]
    assert warehouse.published_build_id() == "b2"


def test_retention_race_rereads_the_pointer(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_build(published, "b2", [("C7", "2011-07-07 07:07:07")])
    answers = iter(["b0-removed", "b2", "b2", "b2"])
    monkeypatch.setattr(warehouse, "published_build_id", lambda: next(answers))
    with warehouse.connect() as con:
        assert warehouse.attached_build_id(con) == "b2"
        assert con.sql("select count(*) from marts.fct_cases").fetchall() == [(1,)]


def test_missing_build_file_is_a_clear_error(home: Path) -> None:
    publish(home, "b-missing")
    with pytest.raises(XinfangError, match="b-missing"), warehouse.connect():
        pass


def test_run_all_order_and_demo_only_when_inbox_is_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import types

    from pipelines import runall

    inbox = tmp_path / "inbox"
    monkeypatch.setenv("XINFANG_INBOX", str(inbox))
    monkeypatch.setenv("XINFANG_HOME", str(tmp_path / "home"))
    calls: list[str] = []

    def write_demo(out=None, **_: object) -> None:
        calls.append("demo")
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / "cases.csv").write_text("case_id\n", encoding="utf-8")

    def ingest_paths(targets: list[Path], **_: object) -> types.SimpleNamespace:
        calls.append(f"ingest {[Path(t).name for t in targets]}")
        return types.SimpleNamespace(exit_code=0)

    def build_warehouse(as_of: str | None = None) -> str:
        calls.append("build")
        raise XinfangError("gate failed")  # a failed build still serves the last good one

    fakes = {
        "pipelines.demo_data": types.SimpleNamespace(write_demo=write_demo),
        "pipelines.ingest": types.SimpleNamespace(ingest_paths=ingest_paths),
        "pipelines.build": types.SimpleNamespace(build_warehouse=build_warehouse),
        "dashboards.app": types.SimpleNamespace(
            serve=lambda host, port: calls.append(f"serve {host}:{port}")
        ),
    }
    for name, module in fakes.items():
        monkeypatch.setitem(sys.modules, name, module)

    runall.run_all("127.0.0.1", 8999)
    assert calls == ["demo", "ingest ['inbox']", "build", "serve 127.0.0.1:8999"]

    calls.clear()
    runall.run_all("127.0.0.1", 8999)
    assert calls == ["ingest ['inbox']", "build", "serve 127.0.0.1:8999"]
