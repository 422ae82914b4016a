"""`xinfang check --junit FILE`: every check as a JUnit XML test case, for the office's CI.

One <testsuite> per kind of check (dbt data tests, delivery gates, Great Expectations
expectations), one <testcase> per check: name = the check, classname = its table. A failed
error-severity check has a <failure> with the check's one-line detail as its message; a failed
warn-severity check does not fail the run (warnings publish), so it is a passing test case whose
<system-out> carries the warning. Every test case has properties severity, status and, when
known, observed (rows or values that broke the check). Written with the standard library.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pipelines import fsutil
from pipelines.build.failures import Failure
from pipelines.errors import UsageError


@dataclass
class Suite:
    name: str
    records: list[dict]  # audit.quality_results rows
    seconds: float = 0.0
    # failures without a record of their own (a model that did not build, dbt not finishing)
    unrecorded: list[Failure] = field(default_factory=list)


def check_writable(path: Path) -> Path:
    """Refuse a JUnit path whose folder does not exist before any check runs."""
    path = Path(path)
    if path.is_dir() or not path.parent.is_dir():
        raise UsageError(f"无法写入 JUnit 文件 {path}：目录不存在或是一个目录 (cannot write the JUnit file)")
    return path


def _testcase(parent: ET.Element, record: dict) -> tuple[bool, bool]:
    """Append one test case; returns (failed, warned)."""
    case = ET.SubElement(parent, "testcase", name=str(record["check_name"]),
                         classname=str(record["table_name"] or "-"))
    props = ET.SubElement(case, "properties")
    for key in ("severity", "status", "observed"):
        if record.get(key) is not None:
            ET.SubElement(props, "property", name=key, value=str(record[key]))
    detail = str(record.get("detail") or "")
    if record["status"] != "fail":
        return False, False
    if record["severity"] == "warn":
        ET.SubElement(case, "system-out").text = f"警告 (warning): {detail}"
        return False, True
    failure = ET.SubElement(case, "failure", message=detail or "failed", type=str(record["severity"]))
    failure.text = detail
    return True, False


def to_xml(build_id: str, suites: list[Suite], when: datetime | None = None) -> str:
    stamp = (when or datetime.now()).isoformat(timespec="seconds")
    root = ET.Element("testsuites", name=f"xinfang check {build_id}")
    totals = [0, 0]
    for suite in suites:
        element = ET.SubElement(root, "testsuite", name=suite.name, timestamp=stamp,
                                time=f"{suite.seconds:.3f}")
        tests = failures = 0
        for record in suite.records:
            failed, _ = _testcase(element, record)
            tests += 1
            failures += failed
        for failure in suite.unrecorded:
            _testcase(element, {"check_name": failure.check, "table_name": failure.table,
                                "severity": "error", "status": "fail", "detail": failure.reason})
            tests += 1
            failures += 1
        element.set("tests", str(tests))
        element.set("failures", str(failures))
        element.set("errors", "0")
        element.set("skipped", "0")
        totals[0] += tests
        totals[1] += failures
    root.set("tests", str(totals[0]))
    root.set("failures", str(totals[1]))
    root.set("errors", "0")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True).decode("utf-8") + "\n"


def write_junit(path: Path, build_id: str, suites: list[Suite]) -> Path:
    """Write the report atomically, after checking that it parses back."""
    text = to_xml(build_id, suites)
    ET.fromstring(text.encode("utf-8"))
    try:
        fsutil.write_text_atomic(text, Path(path))
    except OSError as exc:
        raise UsageError(f"无法写入 JUnit 文件 {path}：{exc.strerror} (cannot write the JUnit file)") from None
    return Path(path)
