"""dbt invocations: `dbtRunner().invoke` against one build database, one at a time, and what
their results mean (failed nodes, audit.quality_results rows, the dbt unit tests)."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from pipelines import paths
from pipelines.build.failures import Failure, first_line, one_line
from pipelines.build.publish import DB_FILE
from pipelines.build.raw import create_empty_raw
from pipelines.labels import from_files


@contextmanager
def build_db_env(db_path: Path) -> Iterator[None]:
    """profiles.yml reads the database path from XINFANG_BUILD_DB; set it for one invocation."""
    saved = {k: os.environ.get(k) for k in ("XINFANG_BUILD_DB", "DO_NOT_TRACK")}
    os.environ["XINFANG_BUILD_DB"] = str(db_path.resolve())
    os.environ["DO_NOT_TRACK"] = "1"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def release_dbt_connections() -> None:
    """dbt-duckdb keeps one process-wide DuckDB instance open after `invoke` (profiles.yml sets
    keep_open: true, which is faster); close it so the file is free for the next step."""
    if importlib.util.find_spec("dbt.adapters.duckdb") is None:
        return
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager as manager

    lock = getattr(manager, "_LOCK", None)
    if lock is None:  # a dbt-duckdb without the process-wide environment: nothing to release
        return
    with lock:
        env = getattr(manager, "_ENV", None)
        if env is not None:
            env.close()
            manager._ENV = None


def run_dbt(
    args: list[str],
    db_path: Path,
    work_dir: Path,
    dbt_vars: dict[str, str] | None = None,
    on_node: Callable[[str, str], None] | None = None,
) -> Any:
    """One dbt invocation against `db_path`, with dbt's target and logs under `work_dir` (never
    in the repository). Returns the dbtRunnerResult."""
    root = logging.getLogger()
    handlers = list(root.handlers)  # before dbt is imported: importing it adds one
    from dbt.cli.main import dbtRunner

    def callback(event: Any) -> None:
        if on_node is not None and event.info.name == "NodeFinished":
            node_info = event.data.node_info
            on_node(node_info.node_name, node_info.node_status)

    full_args = [
        *args,
        "--project-dir", str(paths.REPO_ROOT),
        "--profiles-dir", str(paths.REPO_ROOT),
        "--target-path", str(work_dir / "target"),
        "--log-path", str(work_dir / "logs"),
        "--log-level", "none",
        "--log-level-file", "info",
        "--no-use-colors",
    ]
    if dbt_vars is not None:
        full_args += ["--vars", json.dumps(dbt_vars)]
    with build_db_env(db_path):
        try:
            return dbtRunner(callbacks=[callback]).invoke(full_args)
        finally:
            release_dbt_connections()
            # dbt leaves a stderr handler on the root logger, which would print other libraries'
            # INFO lines (Great Expectations') for the rest of the run: take it away again
            root.handlers[:] = handlers


def node_results(result: Any) -> list[Any]:
    run = getattr(result, "result", None)
    return list(getattr(run, "results", None) or [])


def _attached_table(node: Any) -> str | None:
    attached = getattr(node, "attached_node", None)
    if attached:
        return attached.split(".")[-1]
    depends = getattr(getattr(node, "depends_on", None), "nodes", None) or []
    return depends[0].split(".")[-1] if depends else getattr(node, "name", None)


def dbt_failures(result: Any) -> list[Failure]:
    """The nodes that failed an invocation (errors and failed error-severity tests)."""
    if getattr(result, "exception", None) is not None:
        return [Failure("dbt", None, one_line(result.exception))]
    failures: list[Failure] = []
    for node_result in node_results(result):
        status = str(node_result.status)
        if status not in ("error", "fail", "runtime error"):
            continue
        node = node_result.node
        if node.resource_type == "test":
            count = node_result.failures
            reason = f"{count} failing rows" if count else first_line(node_result.message)
            sql = getattr(node, "compiled_code", None)
            failures.append(Failure(node.name, _attached_table(node), reason, sql))
        else:
            failures.append(Failure(node.name, node.name, one_line(node_result.message)))
    if not failures and not result.success:
        failures.append(Failure("dbt", None, "dbt 未成功结束 (dbt did not succeed)"))
    return failures


def example_row(con: duckdb.DuckDBPyConnection, sql: str | None) -> str:
    """The first row a failed test's query returns, as `column=value, ...` (empty when the
    query cannot be run again)."""
    if not sql:
        return ""
    try:
        rel = con.sql(f"select * from ({sql}) as failing_rows limit 1")
        rows = rel.fetchall()
    except duckdb.Error:
        return ""
    if not rows:
        return ""
    return ", ".join(f"{c}={v!r}" for c, v in zip(rel.columns, rows[0], strict=True))[:160]


def with_examples(failures: list[Failure], db_path: Path) -> list[Failure]:
    """Add one example row to each failed test's reason (its query run on the build file)."""
    out = []
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        for failure in failures:
            example = example_row(con, failure.sql)
            out.append(Failure(failure.check, failure.table,
                               failure.reason + (f", e.g. {example}" if example else "")))
    finally:
        con.close()
    return out


def test_records(build_id: str, result: Any, db_path: Path | None = None) -> list[dict]:
    """One audit.quality_results row per dbt data test that ran. A failed test's detail says
    in Chinese how many rows fail, with an example row from the build file (`db_path`)."""
    labels = from_files()
    con = duckdb.connect(str(db_path), read_only=True) if db_path is not None else None
    rows = []
    try:
        for node_result in node_results(result):
            node = node_result.node
            status = str(node_result.status)
            if node.resource_type != "test" or status == "skipped":
                continue
            count = node_result.failures
            detail = None
            if status != "pass":
                example = example_row(con, getattr(node, "compiled_code", None)) if con else ""
                detail = (labels.text("report.failing_rows_example", count=count,
                                      example=example) if count and example
                          else labels.text("report.failing_rows", count=count) if count
                          else first_line(node_result.message) or None)
            rows.append({
                "build_id": build_id,
                "check_name": node.name,
                "table_name": _attached_table(node),
                "severity": str(node.config.severity).lower(),
                "status": "pass" if status == "pass" else "fail",
                "observed": None if count is None else str(count),
                "detail": detail,
            })
    finally:
        if con is not None:
            con.close()
    return rows


def unit_test_failures() -> list[Failure]:
    """The project's dbt unit tests against a throwaway database with empty raw tables: seeds
    and models first (unit tests need their parents to exist), then
    `dbt test --select test_type:unit`. Returns the failures (none when all pass)."""
    with tempfile.TemporaryDirectory(prefix="xinfang-dbt-unit-") as tmp:
        work = Path(tmp)
        db_path = work / DB_FILE
        create_empty_raw(db_path)
        dbt_vars = {"as_of": "2011-12-31", "build_id": "unit-tests"}
        prepared = run_dbt(
            ["build", "--exclude", "test_type:unit", "test_type:data"], db_path, work / "dbt", dbt_vars
        )
        problems = dbt_failures(prepared)
        if not problems:
            tested = run_dbt(["test", "--select", "test_type:unit"], db_path, work / "dbt", dbt_vars)
            problems = dbt_failures(tested)
            ran = sum(1 for r in node_results(tested) if r.node.resource_type == "unit_test")
            if not problems and ran == 0:
                problems = [Failure("dbt", None, "没有找到 dbt 单元测试 (no unit tests ran)")]
        return problems
