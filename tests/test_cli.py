"""One voice on the command line (CONTRACT §1): one message and exit 2 when nothing is published,
one statement per query, a port in use refused before anything is announced, plain `--help`,
no build id for an empty build, no library log lines, and `xinfang check --junit FILE`."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pipelines.build.console import Step, step
from pipelines.build.failures import Failure
from pipelines.build.junit import Suite, check_writable, to_xml, write_junit
from pipelines.errors import NothingPublished, UsageError

NOTHING = str(NothingPublished())


def cli(home: Path, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "XINFANG_HOME": str(home), "DO_NOT_TRACK": "1"}
    return subprocess.run([sys.executable, "-c", "from pipelines.cli import main; main()", *args],
                          env=env, check=False, capture_output=True, text=True, timeout=timeout)


def one_line(proc: subprocess.CompletedProcess) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


@pytest.mark.parametrize("args", [("check",), ("query", "select * from marts.fct_cases"),
                                  ("export", "--year", "2011")])
def test_nothing_published_is_one_message_and_exit_2(tmp_path, args):
    proc = cli(tmp_path / "home", *args)
    assert proc.returncode == 2
    assert NOTHING in one_line(proc)


def test_several_statements_are_refused_in_one_line(tmp_path):
    proc = cli(tmp_path / "home", "query", "select 1; select 2")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "one statement per query" in one_line(proc)


def test_serve_refuses_a_port_in_use_before_announcing(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        for command in ("serve", "run"):
            proc = cli(tmp_path / "home", command, "--port", port)
            assert proc.returncode == 2, proc
            assert proc.stdout == ""  # nothing announced, no demo data written, nothing built
            assert f"port {port} is in use" in one_line(proc)


def test_help_shows_plain_values():
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "--help"], capture_output=True,
                          text=True, check=False)
    commands = re.findall(r"^  ([a-z-]+)  ", proc.stdout, re.MULTILINE)
    assert "ingest" in commands and "serve" in commands
    for command in commands:
        text = subprocess.run([sys.executable, "-m", "pipelines.cli", command, "--help"],
                              capture_output=True, text=True, check=False).stdout
        for typed in ("<int>", "<str>", "<path>", "<bool>", "list[", "INTEGER", "TEXT"):
            assert typed not in text, (command, typed, text)
    demo = subprocess.run([sys.executable, "-m", "pipelines.cli", "demo-data", "--help"],
                          capture_output=True, text=True, check=False).stdout
    assert "--cases N" in demo and "--out DIR" in demo


def test_an_empty_build_announces_no_build_id(tmp_path):
    home = tmp_path / "home"
    proc = cli(home, "build")
    assert proc.returncode == 2
    assert "no loaded items" in one_line(proc)
    assert not re.search(r"\d{8}T\d{6}Z-\d\d", proc.stdout + proc.stderr)
    assert not any((home / "builds").glob("*"))


def test_step_times_prints_and_records(capsys):
    steps: list[Step] = []
    with step("one", steps) as s:
        s.note = "3 rows"
    with pytest.raises(RuntimeError), step("two", steps, kind="gate"):
        raise RuntimeError("boom")
    assert [(s.name, s.kind, s.status) for s in steps] == [("one", "", "done"), ("two", "gate", "failed")]
    assert all(s.seconds >= 0 for s in steps)
    out = capsys.readouterr().out
    assert "✓ one (" in out and "3 rows" in out and "two" not in out


# ---------------------------------------------------------------- JUnit
RECORDS = [
    {"check_name": "not_null_x", "table_name": "fct_cases", "severity": "error", "status": "pass",
     "observed": "0", "detail": None},
    {"check_name": "rel_y", "table_name": "stg_lake__cases", "severity": "warn", "status": "fail",
     "observed": "7", "detail": "Got 7 results"},
    {"check_name": "cases.truncated_file", "table_name": "raw.cases", "severity": "error",
     "status": "fail", "observed": "1", "detail": "a.csv <cut> & more"},
]


def test_junit_cases_failures_and_properties(tmp_path):
    suites = [Suite("dbt data tests", RECORDS[:2], 1.5, [Failure("fct_x", "fct_x", "did not build")]),
              Suite("delivery gates", RECORDS[2:], 0.25)]
    path = write_junit(tmp_path / "junit.xml", "b1", suites)
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites" and (root.get("tests"), root.get("failures")) == ("4", "2")
    dbt, delivery = root.findall("testsuite")
    assert (dbt.get("name"), dbt.get("tests"), dbt.get("failures")) == ("dbt data tests", "3", "1")
    assert (delivery.get("tests"), delivery.get("failures"), delivery.get("time")) == ("1", "1", "0.250")
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert cases["not_null_x"].get("classname") == "fct_cases"
    assert cases["not_null_x"].find("failure") is None
    warned = cases["rel_y"]
    assert warned.find("failure") is None and "Got 7 results" in warned.find("system-out").text
    props = {p.get("name"): p.get("value") for p in warned.iter("property")}
    assert props == {"severity": "warn", "status": "fail", "observed": "7"}
    failure = cases["cases.truncated_file"].find("failure")
    assert failure.get("message") == "a.csv <cut> & more" and failure.get("type") == "error"
    assert cases["fct_x"].find("failure").get("message") == "did not build"
    assert "&lt;cut&gt; &amp; more" in path.read_text(encoding="utf-8")
    assert to_xml("b1", []).startswith("<?xml")


def test_junit_path_must_be_writable(tmp_path):
    with pytest.raises(UsageError):
        check_writable(tmp_path / "missing" / "junit.xml")
    with pytest.raises(UsageError):
        check_writable(tmp_path)
    assert check_writable(tmp_path / "junit.xml") == tmp_path / "junit.xml"


@pytest.mark.slow
def test_check_writes_junit_and_no_library_log_lines(demo_warehouse, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(demo_warehouse, home)
    proc = cli(home, "check", "--junit", str(tmp_path / "junit.xml"), timeout=900)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no INFO lines from Great Expectations or dbt
    root = ET.parse(tmp_path / "junit.xml").getroot()
    names = [s.get("name") for s in root.findall("testsuite")]
    assert names == ["dbt data tests", "delivery gates", "expectations"]
    assert all(int(s.get("tests")) > 0 for s in root.findall("testsuite"))
    assert root.get("failures") == "0"
