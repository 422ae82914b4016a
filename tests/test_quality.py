"""Quality gates without a demo build: the suite catalogue, thresholds, the offline report, and
the delivery gates on small hand-made lakes (ledger, quarantine and raw rows written directly).
The gates on the demo build and the broken deliveries are in test_broken_deliveries.py."""

from __future__ import annotations

import json
from datetime import datetime

import duckdb
import pytest

from pipelines import audit, build, paths
from pipelines.errors import UsageError
from pipelines.gates import run_phase
from pipelines.gates.config import load_params
from pipelines.gates.report import render
from pipelines.gates.suites import all_suites, module, module_names

PUBLIC_MARTS = (
    "fct_cases",
    "fct_village_month",
    "fct_village_year",
    "fct_one_low_four_controls",
    "fct_handling_performance",
    "fct_cadre_year",
)


# ---------------------------------------------------------------- the catalogue
def test_suites_have_unique_names_and_valid_phases():
    suites = all_suites()
    assert len({s.name for s in suites}) == len(suites)
    assert {s.phase for s in suites} == {"delivery", "build"}


def test_one_module_per_raw_entity_and_public_mart():
    names = module_names()
    for name in (*paths.ENTITIES, *PUBLIC_MARTS):
        assert name in names
        phases = {s.phase for s in module(name).SUITES}
        assert phases == ({"delivery", "build"} if name in paths.ENTITIES else {"build"}), name


def test_thresholds_live_in_the_toml_and_a_site_may_override_them(xinfang_home):
    params = load_params()
    assert params("deliveries", "max_quarantine_share") == 0.10
    assert params.severity("deliveries.refused_files", "error") == "error"

    xinfang_home.mkdir(parents=True)
    (xinfang_home / "quality.toml").write_text(
        '[deliveries]\nmax_quarantine_share = 0.5\n[severity]\n"deliveries.refused_files" = "warn"\n',
        encoding="utf-8",
    )
    params = load_params()
    assert params("deliveries", "max_quarantine_share") == 0.5
    assert params("deliveries", "quarantine_jump") == 0.02  # untouched defaults stay
    assert params.severity("deliveries.refused_files", "error") == "warn"
    assert str(xinfang_home / "quality.toml") in params.sources

    (xinfang_home / "quality.toml").write_text("[deliveries]\nmax_quarantine_shar = 0.5\n")
    with pytest.raises(UsageError, match="max_quarantine_shar"):
        load_params()


def test_report_is_self_contained_and_chinese():
    records = [
        {"build_id": "b", "check_name": "cases.truncated_file", "table_name": "raw.cases",
         "severity": "error", "status": "fail", "observed": "1", "detail": "a.csv <cut> & more"},
        {"build_id": "b", "check_name": "not_null_x", "table_name": "fct_cases",
         "severity": "error", "status": "pass", "observed": "0", "detail": None},
    ]
    page = render("b", records, build={"status": "failed", "failed_check": "cases.truncated_file"},
                  params=load_params())
    assert page.startswith("<!DOCTYPE html>") and 'lang="zh-CN"' in page
    assert "数据质量报告" in page and "未发布" in page and "<style>" in page
    for remote in ("http://", "https://", "<script", "<link", "@import", "url("):
        assert remote not in page
    assert "a.csv &lt;cut&gt; &amp; more" in page  # values are escaped
    assert "max_quarantine_share" in page


# ---------------------------------------------------------------- delivery gates, small lakes
def _lake(make_lake, quarantined: list[dict] | None = None, read_extra: int = 0) -> str:
    make_lake("villages", [{"village_code": "V1", "village_name": "一村", "town_code": "T1",
                            "town_name": "一镇", "kind": "village", "population": 100}])
    rows = [{"case_id": f"C{i}", "received_at": datetime(2010, 1 + i % 12, 5), "channel": "letter",
             "village_code": "V1"} for i in range(40)]
    batch = make_lake("cases", rows)
    if quarantined:
        ledger = audit.read("load_ledger").to_dicts()
        record = next(r for r in ledger if r["batch_id"] == batch)
        record["rows_read"] += len(quarantined) + read_extra
        record["rows_quarantined"] += len(quarantined)
        audit.write_records("load_ledger", batch, [record])
        audit.write_records("quarantine", batch, [
            {"batch_id": batch, "file_name": record["file_name"], "detail": None, **q} for q in quarantined
        ])
    return batch


def _delivery_gates() -> dict[str, object]:
    db = paths.home() / "gate-test.duckdb"
    build.load_raw(db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        outcome = run_phase(con, "test-build", "delivery")
    finally:
        con.close()
    return {r.check.name: r for r in outcome.results}


def test_delivery_gates_pass_on_a_clean_lake(make_lake):
    _lake(make_lake)
    results = _delivery_gates()
    assert {"deliveries.refused_files", "cases.truncated_file", "cases.shifted_columns",
            "cases.quarantine_share", "cases.ledger_reconciles", "cases.month_gap_in_batch",
            "villages.truncated_file"} <= set(results)
    assert [n for n, r in results.items() if r.status != "pass"] == []


def test_a_file_ending_in_a_ragged_row_is_truncated(make_lake):
    _lake(make_lake, [{"line_number": 42, "reason": "ragged_row",
                       "original_values": json.dumps({"case_id": "C40"})}])
    results = _delivery_gates()
    truncated = results["cases.truncated_file"]
    assert truncated.status == "fail" and truncated.check.severity == "error"
    assert "第 42 行" in truncated.detail and "截断" in truncated.detail
    assert results["cases.quarantine_share"].status == "pass"  # 1 of 41 rows


def test_a_ragged_row_in_the_middle_is_not_truncation(make_lake):
    _lake(make_lake, [{"line_number": 10, "reason": "ragged_row", "original_values": "{}"}])
    assert _delivery_gates()["cases.truncated_file"].status == "pass"


def test_shifted_values_in_quarantine_are_recognised(make_lake):
    shifted = [{"line_number": 50 + i, "reason": "missing_required",
                "original_values": json.dumps({"case_id": f"S{i}", "received_at": "2010-03-01",
                                               "channel": "", "source": "来信", "petition_level": "direct"},
                                              ensure_ascii=False)}
               for i in range(12)]
    results = _delivery_gates_after(make_lake, shifted)
    assert results["cases.shifted_columns"].status == "fail"
    assert "「信访方式」(channel)" in results["cases.shifted_columns"].detail
    assert "右侧" in results["cases.shifted_columns"].detail
    share = results["cases.quarantine_share"]
    assert share.status == "fail" and "12/52" in share.detail and "missing_required" in share.detail


def _delivery_gates_after(make_lake, quarantined):
    _lake(make_lake, quarantined)
    return _delivery_gates()


def test_a_ledger_that_does_not_add_up_fails(make_lake):
    batch = _lake(make_lake)
    record = next(r for r in audit.read("load_ledger").to_dicts() if r["batch_id"] == batch)
    record["rows_loaded"] += 1
    record["rows_read"] += 1
    audit.write_records("load_ledger", batch, [record])
    result = _delivery_gates()["cases.ledger_reconciles"]
    assert result.status == "fail" and "原始数据 40 行" in result.detail


def test_a_refused_file_is_reported_until_it_is_delivered_again(make_lake):
    _lake(make_lake)
    refused = {
        "batch_id": "20300101T000000-refused", "file_name": "/in/cases_2009.csv", "file_sha256": None,
        "entity": "cases", "rows_read": 0, "rows_loaded": 0, "rows_quarantined": 0, "status": "refused",
        "loaded_at": datetime(2030, 1, 1), "key_fingerprint": None,
        "message": "文件含有空字节，无法识别编码 (NUL bytes: not a text file)",
    }
    audit.write_records("load_ledger", refused["batch_id"], [refused])
    result = _delivery_gates()["deliveries.refused_files"]
    assert (result.status, result.check.severity) == ("fail", "warn")
    assert result.detail.startswith("cases_2009.csv 在导入时被拒收（文件含有空字节，无法识别编码）")

    again = {**refused, "batch_id": "20300102T000000-again", "file_name": "/elsewhere/cases_2009.csv",
             "status": "duplicate", "loaded_at": datetime(2030, 1, 2), "message": None}
    audit.write_records("load_ledger", again["batch_id"], [again])
    assert _delivery_gates()["deliveries.refused_files"].status == "pass"


def test_a_month_missing_inside_a_file(make_lake):
    rows = [{"case_id": f"C{m}-{i}", "received_at": datetime(2010, m, 1 + i % 28), "channel": "letter"}
            for m in range(1, 13) if m != 6 for i in range(30)]
    make_lake("cases", rows)
    result = _delivery_gates()["cases.month_gap_in_batch"]
    assert result.status == "fail" and "2010-06 只有 0 件，前后月份至少 30 件" in result.detail


@pytest.mark.parametrize(("counts", "expected"), [
    ([88, 0, 100], [(1, 1, 88)]),  # one month missing
    ([88, 0, 0, 100, 90], [(1, 2, 88)]),  # two
    ([100, 0, 0, 0, 0, 100], []),  # longer than max_months: not a missing delivery's hole
    ([1, 0, 0, 3, 12, 15], []),  # a slow start is low beside low
    ([16, 1, 15], []),  # neighbours below min_reference
    ([10175, 10154, 138, 232], []),  # after a spike: judged against the smaller side
    ([20220, 6, 18, 21, 69], []),
    ([100, 0, 100, 0, 100], [(1, 1, 100), (3, 3, 100)]),
    ([100, 30, 0, 100], [(2, 2, 30)]),
    ([0, 100, 100], []),  # the first and last months are never judged
])
def test_holes_in_a_monthly_series(counts, expected):
    holes = module("_months").holes
    found = [(h.start, h.end, h.reference) for h in holes(counts, 0.2, 20, 3)]
    assert found == expected
