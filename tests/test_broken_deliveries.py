"""The quality gates on the demo county: they pass on a clean build (results in
audit.quality_results, an offline report), `xinfang check` re-runs them, tampered marts are
caught, and every broken delivery (`xinfang demo-data --broken KIND`) is stopped by the right
gate with its own one-line message while the previous build stays published — except the
duplicate, which the ledger catches and which publishes.

The session's demo warehouse (conftest `demo_build`) is the good build; each test that
changes it works on a copy of its $XINFANG_HOME (`demo_home_copy`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines import audit, build, paths
from pipelines.build import build_warehouse
from pipelines.demo_data import write_demo
from pipelines.errors import CheckFailed
from pipelines.gates import run_phase
from pipelines.ingest import ingest_paths


@pytest.fixture()
def home(demo_home_copy: Path) -> Path:
    """A private copy of the demo's $XINFANG_HOME, published build included."""
    return demo_home_copy


@pytest.fixture()
def good_build(demo_build) -> str:
    """The build id of the good demo build (published in `home` too)."""
    return demo_build.build_id


def gx_results(build_id: str) -> pl.DataFrame:
    results = audit.read("quality_results").filter(pl.col("build_id") == build_id)
    return results.filter(pl.col("check_name").str.contains(".", literal=True))


# ---------------------------------------------------------------- the clean demo build
def test_gates_pass_on_the_demo_build(good_build, home):
    build_id = good_build
    assert build.published_build_id() == build_id
    results = audit.read("quality_results").filter(pl.col("build_id") == build_id)
    gx = gx_results(build_id)
    # one row per check per build, dbt tests and GX checks together
    assert results.get_column("check_name").n_unique() == results.height
    assert gx.height > 80 and results.height > gx.height
    assert set(gx.get_column("severity")) == {"error", "warn"}
    assert gx.filter(pl.col("status") != "pass").height == 0, gx.filter(pl.col("status") != "pass")
    tables = set(gx.get_column("table_name"))
    assert {"raw.cases", "raw.case_events", "raw.villages", "raw.cadres", "audit.load_ledger",
            "fct_cases", "fct_village_month", "fct_village_year", "fct_one_low_four_controls",
            "fct_handling_performance", "fct_cadre_year"} <= tables
    details = dict(gx.select("check_name", "detail").iter_rows())
    assert details["fct_cases.reconciles_with_staging"] == (
        "原始 3,600 个编号 → staging 3,600 件 → fct_cases 3,600 件（晚于 as_of 排除 0 件）"
    )
    assert audit.read("builds").filter(pl.col("build_id") == build_id).get_column("status").to_list() == [
        "published"
    ]
    report = paths.reports_dir() / f"quality-{build_id}.html"
    page = report.read_text(encoding="utf-8")
    assert "已发布" in page and "fct_cases.monthly_volume_gap" in page
    assert "http://" not in page and "https://" not in page and "<script" not in page


@pytest.mark.characterisation
def test_items_after_as_of_are_excluded_explicitly(home, good_build):
    """Characterisation: "85 件" (the demo's items after 2011-11-30) was copied from the
    gate's output on a demo build."""
    db = build.build_db_path(good_build)
    con = duckdb.connect(str(db), read_only=True)
    try:
        outcome = run_phase(con, good_build, "build")
    finally:
        con.close()
    assert outcome.errors == [] and outcome.seconds < 30
    # the same build at an earlier as_of: rebuilt marts would exclude later items; here the
    # staging count stays, so the reconciliation must name them
    tampered = home / "asof.duckdb"
    shutil.copyfile(db, tampered)
    tampered.chmod(0o644)
    con = duckdb.connect(str(tampered))
    con.execute("update meta.build_info set as_of = date '2011-11-30'")
    con.execute("delete from marts.fct_cases where received_date > date '2011-11-30'")
    con.close()
    con = duckdb.connect(str(tampered), read_only=True)
    try:
        results = {r.check.name: r for r in run_phase(con, good_build, "build").results}
    finally:
        con.close()
    reconciled = results["fct_cases.reconciles_with_staging"]
    assert reconciled.status == "pass", reconciled.detail
    assert "晚于 as_of 排除 85 件" in reconciled.detail


def test_check_reruns_the_gates_on_the_published_copy(home, good_build, capsys):
    rows_before = audit.read("quality_results").height
    assert build.check_published() == 0
    out = capsys.readouterr().out
    assert "fct_cases" in out and "raw.cases" in out
    reports = list(paths.reports_dir().glob(f"check-{good_build}-*.html"))
    assert len(reports) == 1 and "数据质量检查" in reports[0].read_text(encoding="utf-8")
    assert audit.read("quality_results").height == rows_before  # check records nothing
    assert [p.name for p in paths.tmp_dir().iterdir()] == []


@pytest.mark.characterisation
def test_tampered_marts_are_caught(home, good_build):
    """Break the published marts in a copy and run the build gates on it directly.
    Characterisation: "9,133/23,655" (the demo's 2009 events of all events) was copied from
    the gate's output on a demo build."""
    copy = home / "tampered.duckdb"
    shutil.copyfile(build.build_db_path(good_build), copy)
    copy.chmod(0o644)
    con = duckdb.connect(str(copy))
    town = con.sql(
        "select town_code from marts.fct_village_year where year = 2011 and town_code is not null "
        "group by 1 order by sum(petitions) desc limit 1"
    ).fetchall()[0][0]
    con.execute("delete from marts.fct_cases where received_month = date '2010-06-01'")
    con.execute(
        "update marts.fct_village_month set petitions = 0, repeat_petitions = 0, skip_level_petitions = 0, "
        "collective_petitions = 0, abnormal_petitions = 0, visits = 0, visit_person_times = 0 "
        "where month_start >= date '2011-10-01' and village_code in "
        f"(select village_code from marts.fct_village_year where year = 2011 and town_code = '{town}')"
    )
    con.execute("update marts.fct_cases set channel = 'letter' where channel = 'phone' "
                "and received_date >= date '2011-10-01'")
    con.execute("update marts.fct_cases set subject_code = 'weather' where case_id = "
                "(select min(case_id) from marts.fct_cases)")
    con.execute("update marts.fct_handling_performance set on_time_rate = 1.5 where scope_type = 'county'")
    con.execute("delete from raw.cases where year(received_at) = 2009")  # staging is a view over raw
    con.close()

    con = duckdb.connect(str(copy), read_only=True)
    try:
        results = {r.check.name: r for r in run_phase(con, good_build, "build").results}
    finally:
        con.close()
    failed = {name for name, r in results.items() if r.status == "fail"}
    expected = {
        "fct_cases.monthly_volume_gap", "fct_village_month.town_vanished", "fct_cases.channel_vanished",
        "fct_cases.subject_code_in_vocabulary", "fct_handling_performance.rates_in_unit_interval",
        "case_events.orphan_share", "fct_cases.reconciles_with_staging",
        "fct_village_month.reconciles_with_fct_cases",
    }
    assert expected <= failed, {n: results[n].detail for n in expected - failed}
    assert "2010-06 只有 0 件，前后月份至少" in results["fct_cases.monthly_volume_gap"].detail
    assert town in results["fct_village_month.town_vanished"].detail
    assert results["fct_cases.channel_vanished"].check.severity == "warn"
    assert "phone" in results["fct_cases.channel_vanished"].detail
    assert "'weather'" in results["fct_cases.subject_code_in_vocabulary"].detail
    assert "9,133/23,655 个办理事件" in results["case_events.orphan_share"].detail


# ---------------------------------------------------------------- broken deliveries
BROKEN = {
    # kind: (ingest exit code, failing check, table, words of the reason)
    "truncated": (0, "cases.truncated_file", "raw.cases",
                  "cases_2011.csv 的最后一条记录（第 613 行）字段不全，文件在一行中间被截断"),
    "shifted": (0, "cases.shifted_columns", "raw.cases",
                "cases_2011.csv：「信访方式」(channel) 的值出现在右侧一列「来源」(source) 中"),
    "missing-month": (0, "cases.month_gap_in_batch", "raw.cases",
                      "cases_2010.xlsx 中 2010-06 只有 0 件，前后月份至少 88 件，疑似缺月"),
}


def deliver(kind: str, root: Path) -> int:
    inbox = root / f"inbox-{kind}"
    write_demo(out=inbox, broken=kind, quiet=True)
    return ingest_paths([inbox], quiet=True).exit_code


@pytest.mark.characterisation
@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_broken_delivery_after_a_good_one_is_stopped(kind, home, good_build, tmp_path):
    """Characterisation: the line and counts in BROKEN's reasons ("第 613 行", "至少 88 件")
    were copied from the gates' messages on the broken demo drops."""
    exit_code, check, table, words = BROKEN[kind]
    assert deliver(kind, tmp_path) == exit_code
    with pytest.raises(CheckFailed) as caught:
        build_warehouse()
    message = str(caught.value)
    assert "\n" not in message
    assert f"check {check} failed on table {table}: " in message and words in message
    assert message.startswith("构建未通过质量检查，已保留上一次发布的数据仓库")

    assert build.published_build_id() == good_build
    last = audit.read("builds").sort("started_at").row(-1, named=True)
    assert last["status"] == "failed" and last["failed_check"] == check
    row = audit.read("quality_results").filter(
        (pl.col("build_id") == last["build_id"]) & (pl.col("check_name") == check)
    ).row(0, named=True)
    assert (row["severity"], row["status"], row["table_name"]) == ("error", "fail", table)
    assert words in row["detail"]
    page = (paths.reports_dir() / f"quality-{last['build_id']}.html").read_text(encoding="utf-8")
    assert "未发布" in page and check in page


def test_the_command_line_says_it_in_one_line(home, tmp_path):
    assert deliver("truncated", tmp_path) == 0
    env = {**os.environ, "XINFANG_HOME": str(home), "DO_NOT_TRACK": "1"}
    done = subprocess.run(
        [sys.executable, "-c", "from pipelines.cli import main; main()", "build"],
        check=False, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "cases.truncated_file" in lines[0] and "raw.cases" in lines[0] and "截断" in lines[0]


def test_a_broken_delivery_instead_of_a_good_one_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setenv("XINFANG_HOME", str(tmp_path / "fresh"))
    assert deliver("missing-month", tmp_path) == 0
    with pytest.raises(CheckFailed, match="cases.month_gap_in_batch"):
        build_warehouse()
    assert build.published_build_id() is None


def test_a_refused_file_after_a_good_delivery_publishes_with_a_warning(home, good_build, tmp_path):
    """The encoding drop's cases_2009.csv is refused (ingest exits 2); the earlier delivery
    still holds its items, so the build publishes and the refusal shows as a warning."""
    assert deliver("encoding", tmp_path) == 2
    second = build_warehouse()
    assert build.published_build_id() == second != good_build
    refused = gx_results(second).filter(pl.col("check_name") == "deliveries.refused_files").row(0, named=True)
    assert (refused["severity"], refused["status"]) == ("warn", "fail")
    assert refused["detail"].startswith("cases_2009.csv 在导入时被拒收")


def test_a_refused_file_instead_of_a_good_one_leaves_events_without_items(tmp_path, monkeypatch):
    """Delivered to an empty warehouse, the same drop lacks the 2009 items while their events
    arrived: the completeness gate stops it, naming the refused file."""
    monkeypatch.setenv("XINFANG_HOME", str(tmp_path / "fresh"))
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    assert deliver("encoding", tmp_path) == 2
    with pytest.raises(CheckFailed) as caught:
        build_warehouse()
    message = str(caught.value)
    assert "\n" not in message
    assert "check case_events.orphan_share failed on table staging.stg_lake__case_events: " in message
    assert "个办理事件" in message and "找不到对应的信访件" in message
    assert "本次拒收的文件 (refused): cases_2009.csv" in message
    assert build.published_build_id() is None
    assert audit.read("builds").get_column("failed_check").to_list() == ["case_events.orphan_share"]


def test_a_duplicate_delivery_is_the_ledgers_business(home, good_build, tmp_path):
    inbox = tmp_path / "inbox-duplicate"
    write_demo(out=inbox, broken="duplicate", quiet=True)
    result = ingest_paths([inbox], quiet=True)
    assert result.exit_code == 0
    copies = [f for f in result.files if "副本" in f.path.name]
    assert len(copies) == 2 and {f.status for f in result.files} == {"duplicate"}

    second = build_warehouse()
    assert second != good_build and build.published_build_id() == second
    gx = gx_results(second)
    assert gx.filter((pl.col("severity") == "error") & (pl.col("status") == "fail")).height == 0
    refused = gx.filter(pl.col("check_name") == "deliveries.refused_files").row(0, named=True)
    assert refused["status"] == "pass" and "13 个文件" in refused["detail"]  # the 11 demo files and the 2 copies
    assert gx.filter(pl.col("status") == "fail").height == 0
