"""Ingest (CONTRACT §2): formats, encodings, every quarantine reason, refusal, idempotence,
pseudonymisation and crash safety."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from pipelines import audit, paths
from pipelines.ingest import ingest_paths
from pipelines.ingest.read import Unreadable, detect_encoding

XINFANG = [sys.executable, "-m", "pipelines.cli"]
HEADER_EN = ["case_id", "received_at", "channel", "category", "subject_code", "real_name",
             "petitioner_id", "accused_id", "headcount", "village_code"]
HEADER_ZH = ["信访件编号", "收件日期", "信访方式", "问题类别", "问题领域", "是否实名",
             "信访人身份", "被反映人身份", "人数", "村居代码"]
ID_A = "320982199001011234"
ID_B = "32098219850505432X"
PHONE = "13912345678"


@pytest.fixture()
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("XINFANG_HOME", str(h))
    return h


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding="utf-8") -> Path:
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


GOOD_ROWS = [
    ["A1", "2011-03-05", "来信", "检举控告", "村务财务", "实名", ID_A, "", "1", "V1"],
    ["A2", "2011/3/5 9:20:05", "visit", "accusation", "corruption", "no", "", ID_B, "6", "V1"],
    ["A3", "2011年3月5日 14:20", "来访", "申诉", "其他", "匿名", "", "", "2", ""],
]


def lake(entity: str) -> pl.DataFrame:
    files = sorted(paths.lake_dir(entity).glob("*.parquet"))
    return pl.concat([pl.read_parquet(f) for f in files]) if files else pl.DataFrame()


def run_cli(*args, env=None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*XINFANG, *args], check=False, capture_output=True, text=True,
                          env=env or os.environ.copy(), **kw)


def test_every_reason_code_is_quarantined_with_its_line(home, tmp_path):
    rows = GOOD_ROWS + [
        ["", "2011-03-05", "来信", "申诉", "其他", "匿名", "", "", "1", ""],            # 5 missing_required
        ["B2", "2011-02-30", "来信", "申诉", "其他", "匿名", "", "", "1", ""],          # 6 bad_date
        ["B3", "3/5/11", "来信", "申诉", "其他", "匿名", "", "", "1", ""],              # 7 bad_date (ambiguous)
        ["B4", "2099-01-01", "来信", "申诉", "其他", "匿名", "", "", "1", ""],          # 8 future_date
        ["B5", "2011-03-05", "飞鸽传书", "申诉", "其他", "匿名", "", "", "1", ""],      # 9 bad_vocabulary
        ["B6", "2011-03-05", "来信", "申诉", "其他", "匿名", "", "", "0", ""],          # 10 bad_number
        ["B7", "2011-03-05", "来信", "申诉", "其他", "匿名", "", ""],                   # 11 ragged_row
        ["A1", "2011-03-06", "来信", "检举控告", "村务财务", "实名", ID_A, "", "1", "V1"],  # 12: supersedes line 2
        ["B9", "2011-03-05", "来信", "申诉", "其他", "匿名", "", "", "1", PHONE],       # 13 identity_in_field
    ]
    f = write_csv(tmp_path / "cases_2011.csv", HEADER_ZH, rows)
    result = ingest_paths([f], quiet=True)
    assert result.exit_code == 0
    ledger = audit.read("load_ledger").row(0, named=True)
    assert ledger["status"] == "loaded"
    assert ledger["rows_read"] == 12
    assert ledger["rows_loaded"] == 3
    assert ledger["rows_quarantined"] == 9
    assert ledger["rows_read"] == ledger["rows_loaded"] + ledger["rows_quarantined"]
    q = audit.read("quarantine").sort("line_number")
    assert dict(zip(q["line_number"], q["reason"])) == {
        2: "superseded_in_file", 5: "missing_required", 6: "bad_date", 7: "bad_date",
        8: "future_date", 9: "bad_vocabulary", 10: "bad_number", 11: "ragged_row",
        13: "identity_in_field",
    }
    assert set(q["file_name"]) == {str(f)}
    bad_vocab = json.loads(q.filter(pl.col("line_number") == 9)["original_values"][0])
    assert bad_vocab["信访方式"] == "飞鸽传书"  # original values kept, under the delivered header
    # raw identities never reach the quarantine, even from the wrong column
    assert ID_A not in "".join(q["original_values"]) and PHONE not in "".join(q["original_values"])
    cases = lake("cases").sort("case_id")
    assert cases["case_id"].to_list() == ["A1", "A2", "A3"]
    a1 = cases.row(0, named=True)
    assert a1["received_at"] == datetime(2011, 3, 6)  # the later row of the file won
    assert a1["channel"] == "letter" and a1["category"] == "accusation" and a1["real_name"] == "yes"
    a2 = cases.row(1, named=True)
    assert a2["received_at"] == datetime(2011, 3, 5, 9, 20, 5)
    assert a2["petitioner_key"] is None and len(a2["accused_key"]) == 64
    assert a2["source"] == "direct" and a2["petition_level"] == "county" and a2["headcount"] == 6
    assert cases.row(2, named=True)["received_at"] == datetime(2011, 3, 5, 14, 20)
    assert cases.row(2, named=True)["village_code"] is None


def test_event_rules(home, tmp_path):
    header = ["case_id", "event_type", "event_at", "cadre_id", "detail"]
    rows = [
        ["A1", "交办", "2011-03-06", "C1", "包保领导"],       # 2 ok
        ["A1", "assigned", "2011-03-06", "", "lead"],         # 3 missing cadre
        ["A1", "extended", "2011-03-07", "", "十"],           # 4 bad_number
        ["A1", "处置", "2011-03-08", "", "暂存待查"],         # 5 ok -> shelved
        ["A1", "rated", "2011-03-09", "", "很好"],            # 6 bad_vocabulary
        ["A1", "concluded", "2011-03-09", "", "张三来电"],     # 7 ok, free text dropped
        ["Z9", "accepted", "2011-03-09", "", ""],             # 8 ok: event before its case
        ["A1", "延期", "2011-03-07", "", "15"],               # 9 ok
    ]
    f = write_csv(tmp_path / "case_events_1.csv", header, rows)
    ingest_paths([f], quiet=True)
    q = audit.read("quarantine").sort("line_number")
    assert dict(zip(q["line_number"], q["reason"])) == {3: "missing_required", 4: "bad_number", 6: "bad_vocabulary"}
    ev = lake("case_events").sort("_line_number")
    assert ev["_line_number"].to_list() == [2, 5, 7, 8, 9]
    assert ev["event_type"].to_list() == ["assigned", "disposed", "concluded", "accepted", "extended"]
    assert ev["detail"].to_list() == ["lead", "shelved", None, None, "15"]


@pytest.mark.parametrize("fmt", ["utf-8", "utf-8-sig", "gb18030", "xlsx", "jsonl", "parquet"])
def test_every_format_loads_the_same_rows(home, tmp_path, fmt):
    base = tmp_path / "cases"
    if fmt in ("utf-8", "utf-8-sig", "gb18030"):
        f = write_csv(base.with_suffix(".csv"), HEADER_ZH, GOOD_ROWS, encoding=fmt)
        assert detect_encoding(f) == fmt
    elif fmt == "xlsx":
        f = base.with_suffix(".xlsx")
        wb = xlsxwriter.Workbook(f)
        ws = wb.add_worksheet()
        ws.write_row(0, 0, HEADER_ZH)
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        for i, row in enumerate(GOOD_ROWS, start=1):
            ws.write_row(i, 0, row)
        ws.write_datetime(2, 1, datetime(2011, 3, 5, 9, 20, 5), date_fmt)  # a real Excel date cell
        ws.write_number(3, 8, 2)
        wb.close()
    elif fmt == "jsonl":
        f = base.with_suffix(".jsonl")
        f.write_text("\n".join(json.dumps(dict(zip(HEADER_EN, r)), ensure_ascii=False) for r in GOOD_ROWS) + "\n")
    else:
        f = base.with_suffix(".parquet")
        pl.DataFrame([r for r in GOOD_ROWS], schema=HEADER_EN, orient="row").write_parquet(f)
    result = ingest_paths([f], quiet=True)
    assert result.exit_code == 0
    got = lake("cases").sort("case_id").drop("_batch_id", "_line_number")
    assert got["case_id"].to_list() == ["A1", "A2", "A3"]
    assert got["received_at"].to_list() == [datetime(2011, 3, 5), datetime(2011, 3, 5, 9, 20, 5), datetime(2011, 3, 5, 14, 20)]
    assert got["channel"].to_list() == ["letter", "visit", "visit"]
    assert got["headcount"].to_list() == [1, 6, 2]
    assert got["petitioner_key"].null_count() == 2 and got["accused_key"].null_count() == 2


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("cases_latin1.csv", "case_id,received_at,channel\nA1,2011-03-05,caf\xe9,x\n".encode("latin-1"), "编码"),
        ("cases_utf16.csv", "case_id,received_at\nA1,2011-03-05\n".encode("utf-16"), "UTF-16"),
        ("cases_nul.csv", "case_id,received_at\n".encode("utf-16-le"), "空字节"),
        ("cases_cut.xlsx", b"PK\x03\x04 not really a workbook", "XLSX"),
        ("cases_header.csv", "case_id,channel\nA1,来信\n".encode(), "缺少必填列"),
        ("cases_empty.csv", b"", "空"),
        ("notes.csv", b"a,b\n1,2\n", "--entity"),
    ],
)
def test_unreadable_file_is_refused_whole(home, tmp_path, name, content, message):
    f = tmp_path / name
    f.write_bytes(content)
    proc = run_cli("ingest", str(f))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert message in proc.stderr
    ledger = audit.read("load_ledger")
    assert ledger["status"].to_list() == ["refused"]
    assert ledger["rows_loaded"].to_list() == [0]
    assert not any(paths.lake_dir("cases").glob("*")) if paths.lake_dir("cases").exists() else True


def test_gb18030_plausibility_rejects_mislabelled_bytes(tmp_path):
    f = tmp_path / "x.csv"
    # Latin-1 text whose bytes happen to form valid GB18030 pairs but not common Chinese text
    f.write_bytes("Ångström,Øre,Æble\n".encode("latin-1") + bytes([0xE9, 0xE9, 0xFE, 0xFE]) + b"\n")
    with pytest.raises(Unreadable):
        detect_encoding(f)


def test_reingest_is_a_no_op_and_latest_delivery_is_a_new_batch(home, tmp_path):
    f = write_csv(tmp_path / "cases_a.csv", HEADER_ZH, GOOD_ROWS)
    ingest_paths([f], quiet=True)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in paths.lake_dir("cases").iterdir())
    copy = tmp_path / "drop2"
    copy.mkdir()
    (copy / "cases_again.csv").write_bytes(f.read_bytes())  # same bytes under another name
    result = ingest_paths([f, copy], quiet=True)
    assert [r.status for r in result.files] == ["duplicate", "duplicate"]
    after = sorted((p.name, p.stat().st_mtime_ns) for p in paths.lake_dir("cases").iterdir())
    assert before == after
    ledger = audit.read("load_ledger")
    assert ledger["status"].to_list().count("loaded") == 1
    assert (ledger["rows_read"] == ledger["rows_loaded"] + ledger["rows_quarantined"]).all()
    # an edited delivery is a new batch, later in batch order
    g = write_csv(tmp_path / "cases_b.csv", HEADER_ZH, [GOOD_ROWS[0][:2] + ["来访"] + GOOD_ROWS[0][3:]])
    ingest_paths([g], quiet=True)
    batches = audit.loaded_batches("cases")
    assert batches.height == 2 and batches["file_name"].to_list()[-1] == str(g)


def test_key_is_private_and_a_different_key_is_refused(home, tmp_path):
    f = write_csv(tmp_path / "cases_a.csv", HEADER_ZH, GOOD_ROWS)
    ingest_paths([f], quiet=True)
    key = paths.key_file()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    hashes = set(lake("cases")["petitioner_key"].drop_nulls())
    # same identity, differently written (spaces, lower-case x, full-width digits) → same key
    g = write_csv(tmp_path / "cases_b.csv", HEADER_ZH,
                  [["C1", "2011-03-05", "来信", "申诉", "其他", "实名", " ３２０９８２１９９００１０１１２３４ ", "", "1", ""]])
    ingest_paths([g], quiet=True)
    assert set(lake("cases")["petitioner_key"].drop_nulls()) == hashes
    key.write_text("0" * 64)
    h = write_csv(tmp_path / "cases_c.csv", HEADER_ZH, GOOD_ROWS[:1])
    proc = run_cli("ingest", str(h))
    assert proc.returncode == 2 and "密钥" in proc.stderr and "Traceback" not in proc.stderr


def scan_for_identities(root: Path, needles: list[str]) -> list[str]:
    """Every file's bytes, and the decoded contents of every Parquet file, under root."""
    hits = []
    raw = [n.encode() for n in needles]
    for p in root.rglob("*"):
        if not p.is_file():
            continue
        data = p.read_bytes()
        hits += [f"{p}: bytes" for n in raw if n in data]
        if p.suffix == ".parquet":
            text = pl.read_parquet(p).write_csv()
            hits += [f"{p}: parquet" for n in needles if n in text]
    return hits


def test_no_raw_identity_under_home(home, tmp_path):
    rows = GOOD_ROWS + [["X1", "2011-13-01", "来信", "申诉", "其他", "实名", f"张三 {PHONE}", ID_B, "1", ""],
                        ["X2", "2011-03-01", "来信", "申诉", "其他", "实名", ID_A, ID_B, "1"]]
    f = write_csv(tmp_path / "cases_pii.csv", HEADER_ZH, rows, encoding="gb18030")
    ingest_paths([f], quiet=True)
    assert audit.read("quarantine").height == 2
    assert scan_for_identities(home, [ID_A, ID_B, PHONE]) == []


# ---------------------------------------------------------------- crash safety
def big_cases_file(path: Path, n: int) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(",".join(HEADER_EN) + "\n")
        for i in range(n):
            bad = i % 97 == 0
            fh.write(f"K{i:07d},{'2011-02-30' if bad else '2011-03-05 10:00'},letter,appeal,other,yes,"
                     f"3209821990{i % 100000:06d}12,,1,V{i % 50}\n")
    return path


def assert_consistent(expected_rows: int) -> None:
    ledger = audit.read("load_ledger").filter(pl.col("status") == "loaded")
    assert ledger.height == 1, ledger
    row = ledger.row(0, named=True)
    assert row["rows_read"] == expected_rows == row["rows_loaded"] + row["rows_quarantined"]
    files = [p for p in paths.home().rglob("*") if p.is_file()]
    assert not [p for p in files if p.name.startswith(".tmp-")]
    batches = list(paths.lake_dir("cases").glob("*.parquet"))
    assert [b.stem for b in batches] == [row["file_sha256"]]
    data = pl.read_parquet(batches[0])
    assert data.height == row["rows_loaded"] and data["case_id"].n_unique() == data.height
    q = audit.read("quarantine")
    assert q.height == row["rows_quarantined"] and set(q["batch_id"]) <= {row["batch_id"]}


@pytest.mark.parametrize("point", ["before_batch_rename", "after_batch_rename", "before_ledger"])
def test_sigkill_at_each_commit_step_then_rerun(home, tmp_path, point):
    f = big_cases_file(tmp_path / "cases_big.csv", 5_000)
    env = {**os.environ, "XINFANG_CRASH_AT": point}
    proc = run_cli("ingest", str(f), env=env)
    assert proc.returncode == -signal.SIGKILL
    proc = run_cli("ingest", str(f))
    assert proc.returncode == 0, proc.stderr
    assert_consistent(5_000)


def test_sigkill_at_random_moments_then_rerun(home, tmp_path):
    f = big_cases_file(tmp_path / "cases_big.csv", 400_000)
    for delay in (0.4, 0.9, 1.5, 2.2, 3.0):
        p = subprocess.Popen([*XINFANG, "ingest", str(f)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
    proc = run_cli("ingest", str(f))
    assert proc.returncode == 0, proc.stderr
    assert_consistent(400_000)
    again = run_cli("ingest", str(f))
    assert again.returncode == 0
    assert_consistent(400_000)
