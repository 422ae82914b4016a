"""Source mappings (`xinfang ingest --mapping`): schema checks with one-line errors, several
outputs from one source row with a ledger record each, explicit date formats, cross-column
checks, free text never stored, crash safety. Synthetic exports; the real ones are in
tests/test_realdata.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from pipelines import audit, paths
from pipelines.ingest import ingest_paths
from pipelines.ingest.mapping import MAPPINGS_DIR, MappingError, load_mapping

XINFANG = [sys.executable, "-m", "pipelines.cli"]
PHONE = "13912345678"
SECRET_TITLE = "张三家门口的垃圾站"

MAPPING = """\
mapping: board
version: 1
files:
  - {match: "export_*", tag: ex}
source:
  columns: [编号, 用户, 标题, 来信日期, 方式]
  optional: [回复日期, 回复]
  free_text: [标题, 回复]
  dates:
    来信日期: ["%m/%d/%y %H:%M"]
    回复日期: ["%m/%d/%y %H:%M", "%Y-%m-%d"]
outputs:
  - name: cases
    entity: cases
    columns:
      case_id: {template: "B-{$tag}-{编号}"}
      received_at: {column: 来信日期}
      channel: {column: 方式, values: {App: online, Call: phone}}
      petitioner_id: {template: "board:{用户}"}
      category:
        rules:
          - when: {column: 回复, contains: [不属于]}
            value: out_of_scope
        otherwise: suggestion
      subject_code:
        rules:
          - when: {column: 标题, contains: [垃圾, 污染]}
            value: environment
        otherwise: other
      real_name: {constant: "no"}
  - name: concluded
    entity: case_events
    when: {column: 回复日期, present: true}
    columns:
      case_id: {template: "B-{$tag}-{编号}"}
      event_type: {constant: concluded}
      event_at: {column: 回复日期}
    checks:
      - {column: event_at, not_before: 来信日期}
"""
HEADER = ["编号", "用户", "标题", "来信日期", "方式", "回复日期", "回复"]
ROWS = [
    ["1", "U1", SECRET_TITLE, "1/1/20 0:05", "App", "1/3/20 9:00", "已办理"],          # 2 ok + event
    ["2", "U1", "又是垃圾", "2/1/20 10:00", "Call", "", ""],                           # 3 ok, no event
    ["3", "U2", "路灯", "1/5/20 8:00", "Pigeon", "2020-01-02", "已办理"],              # 4 bad channel; reply before letter
    ["4", "U3", "噪音", "2020-01-05 08:00", "App", "1/9/20 8:00", "不属于本单位"],     # 5 undeclared date form
    ["5", "U4", f"电话{PHONE}", "1/6/20 8:00", "App", "", ""],                         # 6 ok: title is free text
    ["1", "U1", SECRET_TITLE, "1/2/20 0:05", "App", "", ""],                           # 7 supersedes line 2 (case)
    ["6", "U5", "短行", "1/7/20 8:00"],                                                 # 8 ragged
]


@pytest.fixture()
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("XINFANG_HOME", str(h))
    return h


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    return write(path, "\n".join(",".join(r) for r in [header, *rows]) + "\n")


def lake(entity: str) -> pl.DataFrame:
    files = sorted(paths.lake_dir(entity).glob("*.parquet"))
    return pl.concat([pl.read_parquet(f) for f in files]) if files else pl.DataFrame()


def run_cli(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([*XINFANG, *args], capture_output=True, text=True, check=False,
                          env=env or os.environ.copy())


def ledger_by_output() -> dict[str, dict]:
    ledger = audit.read("load_ledger").filter(pl.col("status") == "loaded")
    return {r["mapping_output"]: r for r in ledger.iter_rows(named=True)}


# ---------------------------------------------------------------- the shipped mappings
@pytest.mark.parametrize("name", ["message_board", "mayor_mailbox", "city_311"])
def test_shipped_mappings_are_valid(name):
    m = load_mapping(MAPPINGS_DIR / f"{name}.yaml")
    assert m.name == name and m.outputs[0].entity == "cases"
    assert load_mapping(Path(name)).path == MAPPINGS_DIR / f"{name}.yaml"  # a bare name works too


# ---------------------------------------------------------------- one export, two outputs
def test_one_row_gives_a_case_and_an_event_and_every_record_adds_up(home, tmp_path):
    m = write(tmp_path / "board.yaml", MAPPING)
    f = write_csv(tmp_path / "export_2020.csv", ROWS)
    result = ingest_paths([f], mapping=m, quiet=True)
    assert result.exit_code == 0
    ledger = audit.read("load_ledger")
    assert (ledger["rows_read"] == ledger["rows_loaded"] + ledger["rows_quarantined"]).all()
    assert ledger["file_sha256"].n_unique() == 1 and ledger["batch_id"].n_unique() == 2
    records = ledger_by_output()
    assert set(records) == {"board/cases", "board/concluded"}
    cases, events = records["board/cases"], records["board/concluded"]
    assert cases["rows_read"] == len(ROWS)  # the primary output reads every record, ragged too
    assert (cases["rows_loaded"], cases["rows_quarantined"]) == (3, 4)
    assert events["rows_read"] == 3  # the rows with a reply date
    assert (events["rows_loaded"], events["rows_quarantined"]) == (2, 1)
    assert events["batch_id"].startswith(cases["batch_id"].removesuffix("-cases"))

    q = audit.read("quarantine")
    got = {(b.rsplit("-", 1)[-1], n, r, d) for b, n, r, d in q.select("batch_id", "line_number", "reason", "detail").iter_rows()}
    assert got == {
        ("cases", 2, "superseded_in_file", "kept line 7"),
        ("cases", 4, "bad_vocabulary", "channel"),
        ("cases", 5, "bad_date", "received_at"),  # a contract form, but not the declared one
        ("cases", 8, "ragged_row", "4 fields, header has 7"),
        ("concluded", 4, "bad_date", "event_at before 来信日期"),
    }
    ragged = json.loads(q.filter(pl.col("reason") == "ragged_row")["original_values"][0])
    assert ragged == {"_withheld": "mapped source"}
    reply_first = json.loads(q.filter(pl.col("detail") == "event_at before 来信日期")["original_values"][0])
    assert reply_first["event_at"] == "2020-01-02" and reply_first["_source:来信日期"] == "1/5/20 8:00"

    c = lake("cases").sort("case_id")
    assert c["case_id"].to_list() == ["B-ex-1", "B-ex-2", "B-ex-5"]
    assert c["received_at"].to_list() == [datetime(2020, 1, 2, 0, 5), datetime(2020, 2, 1, 10), datetime(2020, 1, 6, 8)]
    assert c["channel"].to_list() == ["online", "phone", "online"]
    assert c["subject_code"].to_list() == ["environment", "environment", "other"]
    assert c["category"].to_list() == ["suggestion"] * 3
    keys = c["petitioner_key"].to_list()
    assert keys[0] == keys[1] != keys[2] and len(keys[0]) == 64
    e = lake("case_events").sort("_line_number")
    assert e["case_id"].to_list() == ["B-ex-1", "B-ex-4"]  # an event of a quarantined case stays
    assert e["event_at"].to_list() == [datetime(2020, 1, 3, 9), datetime(2020, 1, 9, 8)]
    assert set(e["_batch_id"]) == {events["batch_id"]}

    # free text is read by the rules only: no title, reply or phone number under home
    for p in home.rglob("*"):
        if p.is_file():
            text = pl.read_parquet(p).write_csv() if p.suffix == ".parquet" else p.read_bytes().decode("latin-1")
            for needle in (SECRET_TITLE, "不属于本单位", PHONE, "U1"):
                assert needle not in text, (p, needle)

    again = ingest_paths([f], mapping=m, quiet=True)
    assert [r.status for r in again.files] == ["duplicate"]


def test_a_later_delivery_is_a_later_batch_with_the_new_derived_values(home, tmp_path):
    m = write(tmp_path / "board.yaml", MAPPING)
    ingest_paths([write_csv(tmp_path / "export_1.csv", ROWS[:1])], mapping=m, quiet=True)
    edited = [ROWS[0][:6] + ["经查，不属于本单位受理范围"]]
    ingest_paths([write_csv(tmp_path / "export_2.csv", edited)], mapping=m, quiet=True)
    c = lake("cases").sort("_batch_id")
    assert c["case_id"].to_list() == ["B-ex-1", "B-ex-1"]
    assert c["category"].to_list() == ["suggestion", "out_of_scope"]  # the later batch wins in staging
    assert len(set(lake("case_events")["_batch_id"])) == 2


def test_declared_formats_are_never_a_guess(home, tmp_path):
    text = MAPPING.replace('来信日期: ["%m/%d/%y %H:%M"]', '来信日期: ["%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M"]')
    m = write(tmp_path / "board.yaml", text)
    rows = [
        ["1", "U1", "x", "3/5/2011 9:00", "App", "", ""],   # 2 both formats read it, differently
        ["2", "U1", "x", "13/5/2011 9:00", "App", "", ""],  # 3 only day-first reads it
        ["3", "U1", "x", "5/5/2011 9:00", "App", "", ""],   # 4 both agree
        ["4", "U1", "x", "1/1/20 0:05", "App", "", ""],     # 5 %Y would read year 20
    ]
    ingest_paths([write_csv(tmp_path / "export_1.csv", rows)], mapping=m, quiet=True)
    q = audit.read("quarantine")
    assert dict(zip(q["line_number"], q["reason"])) == {2: "bad_date", 5: "bad_date"}
    assert lake("cases").sort("case_id")["received_at"].to_list() == [datetime(2011, 5, 13, 9), datetime(2011, 5, 5, 9)]


# ---------------------------------------------------------------- refusals and usage
def test_a_file_the_mapping_does_not_fit_is_refused_whole(home, tmp_path):
    m = write(tmp_path / "board.yaml", MAPPING)
    other = write_csv(tmp_path / "taxonomy.csv", ROWS[:1])
    lacking = write_csv(tmp_path / "export_x.csv", [r[:4] for r in ROWS[:1]], HEADER[:4])
    result = ingest_paths([other, lacking], mapping=m, quiet=True)
    assert result.exit_code == 2
    ledger = audit.read("load_ledger")
    assert ledger["status"].to_list() == ["refused", "refused"]
    assert ledger["mapping_output"].to_list() == ["board", "board"]
    messages = dict(zip(ledger["file_name"], ledger["message"]))
    assert "export_*" in messages[str(other)] and "方式" in messages[str(lacking)]
    assert not list(home.glob("lake/*/*.parquet"))


def test_renamed_column_and_optional_columns(home, tmp_path):
    text = MAPPING.replace("  columns: [编号,", "  rename: {旧编号: 编号}\n  columns: [编号,")
    m = write(tmp_path / "board.yaml", text)
    header = ["旧编号", *HEADER[1:5]]  # an older layout: renamed id, no reply columns at all
    f = write_csv(tmp_path / "export_old.csv", [r[:5] for r in ROWS[:2]], header)
    result = ingest_paths([f], mapping=m, quiet=True)
    assert [(r.output, r.rows_read, r.rows_loaded) for r in result.files] == [("board/cases", 2, 2)]
    assert not paths.lake_dir("case_events").exists() or not list(paths.lake_dir("case_events").glob("*"))


@pytest.mark.parametrize(
    "change,message",
    [
        (("version: 1", "version: 2"), "version"),
        (("  - name: cases\n", "  - name: cases\n    colour: red\n"), "unknown key 'colour'"),
        (("      real_name: {constant: \"no\"}\n", ""), "required column 'real_name'"),
        (("{column: 方式, values: {App: online", "{column: 方式, values: {App: web"), "'web' is not in vocabulary channel"),
        (("case_id: {template: \"B-{$tag}-{编号}\"}\n      received_at", "case_id: {column: 标题}\n      received_at"), "free text"),
        (('["%m/%d/%y %H:%M"]', '["%H:%M"]'), "needs a year"),
        (("petitioner_id: {template: \"board:{用户}\"}", "petitioner_id: {constant: x}"), "make everyone one person"),
        (("    when: {column: 回复日期, present: true}\n", ""), None),  # fine: no when on a later output
        (("  - name: cases\n    entity: cases\n", "  - name: cases\n    entity: cases\n    when: {column: 用户, present: true}\n"), "first output"),
        (("entity: case_events", "entity: petitions"), "not one of"),
        (("not_before: 来信日期", "not_before: 编号"), "declare the formats"),
        (("{column: 回复, contains: [不属于]}", "{column: 回复, resembles: [不属于]}"), "unknown key 'resembles'"),
        (("mapping: board\n", "mapping: board\nmapping: again\n"), "duplicate key"),
        (("outputs:\n", "outputs: [\n"), "YAML"),
    ],
)
def test_bad_mapping_says_where_in_one_line(tmp_path, change, message):
    old, new = change
    assert old in MAPPING
    path = write(tmp_path / "board.yaml", MAPPING.replace(old, new, 1))
    if message is None:
        load_mapping(path)
        return
    with pytest.raises(MappingError) as exc:
        load_mapping(path)
    text = str(exc.value)
    assert message in text and "\n" not in text and "board.yaml" in text


def test_cli_mapping_errors_are_usage_errors(home, tmp_path):
    f = write_csv(tmp_path / "export_1.csv", ROWS[:1])
    bad = write(tmp_path / "bad.yaml", MAPPING.replace("version: 1", "version: 9"))
    for args in (["--mapping", str(bad)], ["--mapping", str(tmp_path / "none.yaml")],
                 ["--mapping", "city_311", "--entity", "cases"]):
        proc = run_cli("ingest", str(f), *args)
        assert proc.returncode == 2, proc
        assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    good = write(tmp_path / "board.yaml", MAPPING)
    proc = run_cli("ingest", "--mapping", str(good), str(f))
    assert proc.returncode == 0, proc.stderr
    assert "concluded" in proc.stdout


@pytest.mark.parametrize("point", ["before_batch_rename", "after_batch_rename", "before_ledger"])
def test_sigkill_mid_file_leaves_no_output_half_loaded(home, tmp_path, point):
    m = write(tmp_path / "board.yaml", MAPPING)
    f = write_csv(tmp_path / "export_1.csv", ROWS)
    proc = run_cli("ingest", "--mapping", str(m), str(f), env={**os.environ, "XINFANG_CRASH_AT": point})
    assert proc.returncode == -signal.SIGKILL
    assert audit.read("load_ledger").height == 0
    proc = run_cli("ingest", "--mapping", str(m), str(f))
    assert proc.returncode == 0, proc.stderr
    records = ledger_by_output()
    assert set(records) == {"board/cases", "board/concluded"}
    assert [p.name for p in home.rglob(".tmp-*")] == []
    for entity, output in (("cases", "board/cases"), ("case_events", "board/concluded")):
        files = list(paths.lake_dir(entity).glob("*.parquet"))
        assert [p.stem for p in files] == [records[output]["file_sha256"]]
        assert pl.read_parquet(files[0]).height == records[output]["rows_loaded"]
    q = audit.read("quarantine")
    assert q.height == sum(r["rows_quarantined"] for r in records.values())
