"""`xinfang build` and `xinfang check`: raw lake → build database (dbt) → gates → publish.

A build never touches the published warehouse. Under the warehouse lock it

1. copies the lake batches that the load ledger lists as loaded into schema `raw` of a new
   database `builds/<build_id>/xinfang.duckdb` (so each build file is self-contained);
2. runs the delivery gates (`run_gates(..., "delivery")`: the new deliveries are whole, not
   truncated, shifted or mostly quarantined), so a broken delivery stops before dbt;
3. runs `dbt build` (seeds, models, data tests; unit tests run in `make test`);
4. writes `meta.build_info` and checkpoints the file;
5. runs the quality gates (`run_gates`: the Great Expectations suites of `expectations/`);
6. publishes by an atomic switch of the pointer file `$XINFANG_HOME/published`.

Every check's result goes to audit.quality_results and an offline HTML report under
`$XINFANG_HOME/reports/`, published or not.

Any failure leaves the previously published build in place, records the build as failed in
`audit.builds` and raises `CheckFailed` (exit 1). Every build file has the same name in its own
folder, because dbt-duckdb names the database after the file's stem and views refer to it.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from rich.console import Console
from rich.table import Table

from pipelines import audit, fsutil, paths, seeds
from pipelines.errors import CheckFailed, UsageError, XinfangError

DB_FILE = "xinfang.duckdb"
KEEP_PUBLISHED = 3
RAW_SCHEMA = "raw"
META_SCHEMA = "meta"
AS_OF_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
STAGING_MODELS = (
    "stg_lake__villages",
    "stg_lake__cadres",
    "stg_lake__cases",
    "stg_lake__case_events",
)

# Lake column types (seeds/input_columns.csv value_type) as DuckDB types.
SQL_TYPES = {
    "text": "varchar",
    "identity": "varchar",
    "vocabulary": "varchar",
    "datetime": "timestamp",
    "positive_integer": "bigint",
    "year": "bigint",
}
LINEAGE_COLUMNS = {"_batch_id": "varchar", "_line_number": "bigint"}

console = Console(highlight=False)


# ---------------------------------------------------------------- small pure helpers
@dataclass(frozen=True)
class Failure:
    """One failed dbt node or gate: what failed, on which table, and why."""

    check: str
    table: str | None
    reason: str
    sql: str | None = None  # a failed test's compiled query, to show an example row

    def describe(self) -> str:
        return f"check {self.check} failed on table {self.table or '-'}: {self.reason}"


def parse_as_of(value: str | None) -> date | None:
    """`--as-of` as a date; None when not given. Anything but YYYY-MM-DD is a usage error."""
    if value is None:
        return None
    text = value.strip()
    try:
        if not AS_OF_PATTERN.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--as-of 应为 YYYY-MM-DD 格式的日期 (--as-of must be a date YYYY-MM-DD, got {value!r})"
        ) from None


def new_build_id(now: datetime | None = None, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A sortable id: UTC time to the second plus a two-digit sequence within that second."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    seq = 1
    while f"{stamp}-{seq:02d}" in taken:
        seq += 1
    return f"{stamp}-{seq:02d}"


def lake_columns(entity: str) -> dict[str, str]:
    """The lake schema of an entity as DuckDB types: contract columns (identities under their
    `_key` names), then the lineage columns."""
    columns = {c.lake_name: SQL_TYPES[c.value_type] for c in seeds.input_columns(entity)}
    columns.update(LINEAGE_COLUMNS)
    return columns


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def build_db_path(build_id: str) -> Path:
    return paths.builds_dir() / build_id / DB_FILE


def published_build_id() -> str | None:
    """The build the pointer names, or None before the first publish."""
    pointer = paths.pointer_file()
    try:
        text = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return text or None


# ---------------------------------------------------------------- raw tables
def lake_files(entity: str) -> list[Path]:
    """Lake files of the batches the ledger lists as loaded, in delivery order."""
    batches = audit.loaded_batches(entity)
    files: list[Path] = []
    seen: set[str] = set()
    for sha in batches.get_column("file_sha256").to_list():
        if sha in seen:
            continue
        seen.add(sha)
        path = audit.lake_file(entity, sha)
        if not path.exists():
            raise XinfangError(
                f"原始数据湖缺少已登记的批次文件 (the ledger lists a batch the lake lacks: {path})"
            )
        files.append(path)
    return files


def create_raw_table(con: duckdb.DuckDBPyConnection, entity: str, files: list[Path]) -> int:
    """raw.<entity> from the given lake files, cast to the lake schema. A column no file has is
    added as typed nulls; with no files the table is empty with the lake schema."""
    columns = lake_columns(entity)
    table = f"{RAW_SCHEMA}.{entity}"
    if not files:
        column_defs = ", ".join(f"{name} {sql_type}" for name, sql_type in columns.items())
        con.execute(f"create or replace table {table} ({column_defs})")
        return 0
    scan = "read_parquet([{}], union_by_name = true)".format(
        ", ".join(sql_literal(str(f)) for f in files)
    )
    present = {row[0] for row in con.sql(f"describe select * from {scan}").fetchall()}
    selects = [
        f"cast({name} as {sql_type}) as {name}"
        if name in present
        else f"cast(null as {sql_type}) as {name}"
        for name, sql_type in columns.items()
    ]
    extras = sorted(present - set(columns))
    selects += extras
    con.execute(f"create or replace table {table} as select {', '.join(selects)} from {scan}")
    return con.sql(f"select count(*) from {table}").fetchall()[0][0]


def load_raw(db_path: Path) -> dict[str, int]:
    """Create schema raw in the build database from the ledger-listed lake batches."""
    counts: dict[str, int] = {}
    con = duckdb.connect(str(db_path))
    try:
        con.execute(f"create schema if not exists {RAW_SCHEMA}")
        for entity in paths.ENTITIES:
            counts[entity] = create_raw_table(con, entity, lake_files(entity))
    finally:
        con.close()
    return counts


def default_as_of(db_path: Path) -> date | None:
    """The latest received_at of the loaded items (each at its latest delivery) or event_at of
    their events (CONTRACT §3): never the wall clock. None when no item is loaded."""
    query = f"""
        with latest_cases as (
            select case_id, received_at
            from {RAW_SCHEMA}.cases
            qualify row_number() over (
                partition by case_id order by _batch_id desc, _line_number desc
            ) = 1
        ),
        events_of_loaded_cases as (
            select case_events.event_at
            from {RAW_SCHEMA}.case_events as case_events
            inner join latest_cases on case_events.case_id = latest_cases.case_id
        ),
        moments as (
            select received_at as moment from latest_cases
            union all
            select event_at from events_of_loaded_cases
        )
        select cast(max(moment) as date) from moments
    """
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.sql(query).fetchall()[0][0]
    finally:
        con.close()


# ---------------------------------------------------------------- dbt
@contextmanager
def _build_db_env(db_path: Path) -> Iterator[None]:
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
    """dbt-duckdb keeps a process-wide DuckDB environment; close it so the file is free for the
    next step (profiles.yml also sets keep_open: false)."""
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
    with _build_db_env(db_path):
        try:
            return dbtRunner(callbacks=[callback]).invoke(full_args)
        finally:
            release_dbt_connections()


def _attached_table(node: Any) -> str | None:
    attached = getattr(node, "attached_node", None)
    if attached:
        return attached.split(".")[-1]
    depends = getattr(getattr(node, "depends_on", None), "nodes", None) or []
    return depends[0].split(".")[-1] if depends else getattr(node, "name", None)


def _first_line(text: Any) -> str:
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return lines[0][:300] if lines else ""


def _one_line(text: Any) -> str:
    """A multi-line error (dbt's "Runtime Error in model X" plus the database's message) as
    one line."""
    return " ".join(line.strip() for line in str(text or "").splitlines() if line.strip())[:400]


def dbt_failures(result: Any) -> list[Failure]:
    """The nodes that failed an invocation (errors and failed error-severity tests)."""
    if getattr(result, "exception", None) is not None:
        return [Failure("dbt", None, _one_line(result.exception))]
    failures: list[Failure] = []
    for node_result in _node_results(result):
        status = str(node_result.status)
        if status not in ("error", "fail", "runtime error"):
            continue
        node = node_result.node
        if node.resource_type == "test":
            count = node_result.failures
            reason = f"{count} failing rows" if count else _first_line(node_result.message)
            sql = getattr(node, "compiled_code", None)
            failures.append(Failure(node.name, _attached_table(node), reason, sql))
        else:
            failures.append(Failure(node.name, node.name, _one_line(node_result.message)))
    if not failures and not result.success:
        failures.append(Failure("dbt", None, "dbt 未成功结束 (dbt did not succeed)"))
    return failures


def with_examples(failures: list[Failure], db_path: Path) -> list[Failure]:
    """Add one example row to each failed test's reason (its query run on the build file)."""
    out = []
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        for failure in failures:
            example = ""
            if failure.sql:
                try:
                    rel = con.sql(f"select * from ({failure.sql}) as failing_rows limit 1")
                    rows = rel.fetchall()
                    if rows:
                        pairs = ", ".join(f"{c}={v!r}" for c, v in zip(rel.columns, rows[0]))
                        example = f", e.g. {pairs[:160]}"
                except duckdb.Error:
                    example = ""
            out.append(Failure(failure.check, failure.table, failure.reason + example))
    finally:
        con.close()
    return out


def _node_results(result: Any) -> list[Any]:
    run = getattr(result, "result", None)
    return list(getattr(run, "results", None) or [])


def test_records(build_id: str, result: Any) -> list[dict]:
    """One audit.quality_results row per dbt data test that ran."""
    rows = []
    for node_result in _node_results(result):
        node = node_result.node
        status = str(node_result.status)
        if node.resource_type != "test" or status == "skipped":
            continue
        rows.append({
            "build_id": build_id,
            "check_name": node.name,
            "table_name": _attached_table(node),
            "severity": str(node.config.severity).lower(),
            "status": "pass" if status == "pass" else "fail",
            "observed": None if node_result.failures is None else str(node_result.failures),
            "detail": _first_line(node_result.message) or None,
        })
    return rows


# ---------------------------------------------------------------- gates and finishing
def run_gates(con: duckdb.DuckDBPyConnection, build_id: str, phase: str = "build") -> list[Failure]:
    """The quality gates beyond dbt's own data tests: the Great Expectations suites of
    `expectations/` (pipelines.gates), run on the build database (`con` is read-only).

    Phase `delivery` runs before dbt on the raw tables and the audit records (a broken delivery
    stops the build early), phase `build` after dbt on the models. Records one
    audit.quality_results row per check, prints the outcome, and returns a Failure for each
    failed error-severity check (warnings publish and are recorded).
    """
    outcome = gate_outcome(con, build_id, phase)
    audit.write_records("quality_results", f"{build_id}-gx-{phase}", outcome.records(build_id))
    _print_gate_outcome(outcome)
    return gate_failures(outcome)


def gate_outcome(con: duckdb.DuckDBPyConnection, build_id: str, phase: str) -> Any:
    from pipelines.gates import run_phase

    return run_phase(con, build_id, phase)


def gate_failures(outcome: Any) -> list[Failure]:
    return [Failure(r.check.name, r.check.table, r.detail) for r in outcome.errors]


def _print_gate_outcome(outcome: Any) -> None:
    title = {"delivery": "交付检查 (delivery gates)", "build": "质量检查 (quality gates)"}[outcome.phase]
    passed = sum(1 for r in outcome.results if r.status == "pass")
    warned = outcome.warnings
    mark = "[red]✗[/]" if outcome.errors else "✓"
    console.print(
        f"{mark} {title} ({outcome.seconds:.1f} 秒): {passed}/{len(outcome.results)} 项通过"
        + (f"，{len(warned)} 项警告 (warnings)" if warned else "")
    )
    for r in warned:
        console.print(f"  [yellow]警告[/] {r.check.name} ({r.check.table}): {r.detail}", soft_wrap=True)


def finalize_database(db_path: Path, build_id: str, as_of: date, as_of_source: str) -> dict[str, int]:
    """Write meta.build_info, count the staging rows, CHECKPOINT and close."""
    from dbt.version import __version__ as dbt_version

    con = duckdb.connect(str(db_path))
    try:
        con.execute(f"create schema if not exists {META_SCHEMA}")
        con.execute(
            f"""create or replace table {META_SCHEMA}.build_info (
                build_id varchar not null,
                as_of date not null,
                as_of_source varchar not null,
                built_at timestamp not null,
                dbt_version varchar not null
            )"""
        )
        con.execute(
            f"insert into {META_SCHEMA}.build_info values (?, ?, ?, ?, ?)",
            [build_id, as_of, as_of_source, audit.now(), dbt_version],
        )
        counts = {
            name: con.sql(f"select count(*) from staging.{name}").fetchall()[0][0]
            for name in STAGING_MODELS
        }
        con.execute("checkpoint")
    finally:
        con.close()
    return counts


def check_gates(db_path: Path, build_id: str, phase: str = "build") -> list[Failure]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return run_gates(con, build_id, phase)
    finally:
        con.close()


def _write_report(build_id: str, gate_seconds: float | None) -> None:
    """The offline HTML report of the build (never fails the build itself)."""
    try:
        from pipelines.gates.report import write_build_report

        path = write_build_report(build_id, gate_seconds)
    except Exception as exc:  # noqa: BLE001 — a report problem must not hide the build's outcome
        console.print(f"[yellow]质量报告未能写出 (quality report not written): {_first_line(exc)}[/]")
        return
    console.print(f"质量报告 (quality report): {path}", soft_wrap=True)


def publish(build_id: str) -> None:
    """Make the build file read-only, then switch the pointer to it atomically."""
    db_path = build_db_path(build_id)
    db_path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    fsutil.write_text_atomic(build_id, paths.pointer_file())


def apply_retention(keep: int = KEEP_PUBLISHED) -> list[str]:
    """Keep the last `keep` published builds, the one the pointer names and the most recent
    failed build; remove every other build folder. Returns the removed ids."""
    root = paths.builds_dir()
    if not root.exists():
        return []
    records = audit.read("builds").sort(["finished_at", "build_id"])
    published = records.filter(pl.col("status") == "published").get_column("build_id").to_list()
    failed = records.filter(pl.col("status") == "failed").get_column("build_id").to_list()
    kept = set(published[-keep:]) | set(failed[-1:])
    current = published_build_id()
    if current:
        kept.add(current)
    removed = []
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and folder.name not in kept:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed


def _record_build(build_id: str, as_of: date | None, started: datetime, failure: Failure | None) -> None:
    audit.write_records("builds", build_id, [{
        "build_id": build_id,
        "as_of": as_of,
        "started_at": started,
        "finished_at": audit.now(),
        "status": "failed" if failure else "published",
        "failed_check": failure.check if failure else None,
    }])


def _sweep_lake() -> None:
    """Remove orphan lake batches left by an interrupted ingest (ingest owns the rule)."""
    if importlib.util.find_spec("pipelines.ingest") is None:
        return
    if importlib.util.find_spec("pipelines.ingest.lake") is None:
        return
    importlib.import_module("pipelines.ingest.lake").sweep()


class _BuildFailed(Exception):
    def __init__(self, failures: list[Failure]) -> None:
        super().__init__(failures[0].describe())
        self.failures = failures


def _failure_message(failures: list[Failure]) -> str:
    more = f" (+{len(failures) - 1} more)" if len(failures) > 1 else ""
    return (
        "构建未通过质量检查，已保留上一次发布的数据仓库"
        f" ({failures[0].describe()}{more})"
    )


# ---------------------------------------------------------------- xinfang build
def build_warehouse(as_of: str | None = None) -> str:
    """Build, test and publish a new warehouse; returns the build id. Raises UsageError for a
    bad --as-of and CheckFailed when a model, test or gate fails (nothing is published)."""
    given_as_of = parse_as_of(as_of)
    clock = time.monotonic()
    with fsutil.warehouse_lock(paths.lock_file(), "构建"):
        _sweep_lake()
        fsutil.remove_temporaries(paths.home())
        root = paths.builds_dir()
        root.mkdir(parents=True, exist_ok=True)
        build_id = new_build_id(taken={p.name for p in root.iterdir()})
        folder = root / build_id
        folder.mkdir()
        started = audit.now()
        console.print(f"[bold]构建[/] {build_id}")
        effective_as_of = given_as_of
        gate_seconds = 0.0
        step = "载入原始数据"
        step_clock = time.monotonic()
        try:
            with console.status(f"{step}…"):
                raw_counts = load_raw(folder / DB_FILE)
                if effective_as_of is None:
                    effective_as_of = default_as_of(folder / DB_FILE)
            if effective_as_of is None:
                shutil.rmtree(folder, ignore_errors=True)
                raise UsageError(
                    "没有已导入的信访件，无法确定 as_of；请先导入数据或用 --as-of 指定"
                    " (no loaded items to take as_of from)"
                )
            raw_line = ", ".join(f"{k} {v}" for k, v in raw_counts.items())
            console.print(f"✓ {step} ({time.monotonic() - step_clock:.1f} 秒): {raw_line}")
            console.print(
                f"  as_of = {effective_as_of.isoformat()}"
                + (" (--as-of)" if given_as_of else " (数据中最晚日期 latest date in the data)")
            )

            step = "交付检查"
            step_clock = time.monotonic()
            with console.status(f"{step}…"):
                delivery_failures = check_gates(folder / DB_FILE, build_id, "delivery")
            gate_seconds += time.monotonic() - step_clock
            if delivery_failures:
                raise _BuildFailed(delivery_failures)

            step = "运行 dbt"
            step_clock = time.monotonic()
            dbt_vars = {"as_of": effective_as_of.isoformat(), "build_id": build_id}
            result = _dbt_build_with_progress(folder, dbt_vars)
            records = test_records(build_id, result)
            if records:
                audit.write_records("quality_results", f"{build_id}-dbt", records)
            failures = dbt_failures(result)
            if failures:
                raise _BuildFailed(with_examples(failures, folder / DB_FILE))
            warned = [r for r in records if r["status"] == "fail"]
            passed = len(records) - len(warned)
            console.print(f"✓ {step} ({time.monotonic() - step_clock:.1f} 秒): {passed} 项检查通过" + (
                f"，{len(warned)} 项警告 (warnings)" if warned else ""
            ))
            for r in warned:
                console.print(
                    f"  [yellow]警告[/] {r['check_name']} ({r['table_name']}): {r['observed']} 行 rows",
                    soft_wrap=True,
                )

            step = "发布"
            with console.status(f"{step}…"):
                source = "given" if given_as_of else "data"
                counts = finalize_database(folder / DB_FILE, build_id, effective_as_of, source)
            step = "质量检查"
            step_clock = time.monotonic()
            with console.status(f"{step}…"):
                gate_failures = check_gates(folder / DB_FILE, build_id)
            gate_seconds += time.monotonic() - step_clock
            if gate_failures:
                raise _BuildFailed(gate_failures)
            step = "发布"
            with console.status(f"{step}…"):
                publish(build_id)
                _record_build(build_id, effective_as_of, started, None)
                removed = apply_retention()
            _write_report(build_id, gate_seconds)
        except _BuildFailed as exc:
            _record_build(build_id, effective_as_of, started, exc.failures[0])
            apply_retention()
            for failure in exc.failures:
                console.print(f"[red]✗[/] {failure.describe()}", soft_wrap=True)
            _write_report(build_id, gate_seconds)
            raise CheckFailed(_failure_message(exc.failures)) from None
        except UsageError:
            raise
        except Exception as exc:
            _record_build(build_id, effective_as_of, started, Failure(step, None, str(exc)))
            apply_retention()
            _write_report(build_id, gate_seconds)
            raise CheckFailed(
                f"构建在「{step}」步骤失败，已保留上一次发布的数据仓库"
                f" (build failed at step {step!r}: {_first_line(exc)})"
            ) from exc

    _print_summary(build_id, effective_as_of, counts, removed, time.monotonic() - clock)
    return build_id


def _dbt_build_with_progress(folder: Path, dbt_vars: dict[str, str]) -> Any:
    done: list[str] = []
    with console.status("运行 dbt…") as status:

        def on_node(name: str, node_status: str) -> None:
            done.append(name)
            status.update(f"运行 dbt… {len(done)} 个节点完成 ({name}: {node_status})")

        return run_dbt(
            ["build", "--exclude", "test_type:unit"],
            folder / DB_FILE,
            folder / "dbt",
            dbt_vars,
            on_node,
        )


def _print_summary(
    build_id: str, as_of: date, counts: dict[str, int], removed: list[str], seconds: float
) -> None:
    table = Table(title="staging 行数 (rows)", show_header=True, header_style="bold")
    table.add_column("模型 model")
    table.add_column("行数 rows", justify="right")
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    console.print(f"✓ 发布: {build_id} (as_of {as_of.isoformat()})")
    if removed:
        console.print(f"  清理旧构建 (removed old builds): {', '.join(removed)}")
    console.print(f"用时 {seconds:.1f} 秒 (elapsed)")


# ---------------------------------------------------------------- xinfang check
def check_published() -> int:
    """Re-run the dbt data tests and the gates on a copy of the published build (dbt cannot
    test a read-only file). Prints the results; returns 0 when all pass, else 1."""
    build_id = published_build_id()
    if build_id is None:
        raise CheckFailed("尚未发布数据仓库，请先运行 xinfang build (nothing is published yet)")
    paths.tmp_dir().mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"check-{build_id}-", dir=paths.tmp_dir()))
    try:
        copy = work / DB_FILE
        try:
            shutil.copyfile(build_db_path(build_id), copy)
        except FileNotFoundError:  # retention removed it meanwhile: read the pointer again
            build_id = published_build_id() or build_id
            shutil.copyfile(build_db_path(build_id), copy)
        con = duckdb.connect(str(copy), read_only=True)
        try:
            as_of = con.sql(f"select as_of from {META_SCHEMA}.build_info").fetchall()[0][0]
        finally:
            con.close()
        console.print(f"[bold]检查已发布的构建[/] {build_id} (as_of {as_of.isoformat()})")
        with console.status("运行 dbt 数据测试…"):
            result = run_dbt(
                ["test", "--exclude", "test_type:unit"],
                copy,
                work / "dbt",
                {"as_of": as_of.isoformat(), "build_id": build_id},
            )
        records = test_records(build_id, result)
        failures = with_examples(dbt_failures(result), copy)
        gate_clock = time.monotonic()
        con = duckdb.connect(str(copy), read_only=True)
        try:
            with console.status("运行质量检查…"):
                outcomes = [gate_outcome(con, build_id, phase) for phase in ("delivery", "build")]
        finally:
            con.close()
        for outcome in outcomes:
            records += outcome.records(build_id)
            failures += gate_failures(outcome)
        _print_checks(records)
        _write_check_report(build_id, records, time.monotonic() - gate_clock)
        if failures:
            for failure in failures:
                console.print(f"[red]✗[/] {failure.describe()}", soft_wrap=True)
            return 1
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _write_check_report(build_id: str, records: list[dict], gate_seconds: float) -> None:
    try:
        from pipelines.gates.report import write_check_report

        path = write_check_report(build_id, records, gate_seconds)
    except Exception as exc:  # noqa: BLE001 — the printed results stand without the page
        console.print(f"[yellow]质量报告未能写出 (quality report not written): {_first_line(exc)}[/]")
        return
    console.print(f"质量报告 (quality report): {path}", soft_wrap=True)


def _print_checks(records: list[dict]) -> None:
    """Per table: checks run, passed, warnings, failures; then every check that did not pass."""
    tally: dict[str, list[int]] = {}
    for r in records:
        counts = tally.setdefault(r["table_name"] or "-", [0, 0, 0, 0])
        counts[0] += 1
        if r["status"] == "pass":
            counts[1] += 1
        elif r["severity"] == "warn":
            counts[2] += 1
        else:
            counts[3] += 1
    table = Table(show_header=True, header_style="bold")
    for title in ("表 table", "检查 checks", "通过 pass", "警告 warn", "失败 fail"):
        table.add_column(title, justify="left" if title.startswith("表") else "right")
    for name in sorted(tally):
        table.add_row(name, *(str(n) for n in tally[name]))
    console.print(table)
    for r in records:
        if r["status"] != "pass":
            colour = "yellow" if r["severity"] == "warn" else "red"
            detail = f" — {r['detail']}" if r.get("detail") else ""
            console.print(
                f"[{colour}]{r['severity']}[/] {r['check_name']} ({r['table_name']}): "
                f"{r['observed']} 行 rows{detail}", soft_wrap=True
            )
    passed = sum(1 for r in records if r["status"] == "pass")
    console.print(f"{passed}/{len(records)} 项检查通过 (checks passed)")


# ---------------------------------------------------------------- make test
def run_dbt_unit_tests() -> bool:
    """Run the project's dbt unit tests against a throwaway database with empty raw tables:
    seeds and models first (unit tests need their parents to exist), then
    `dbt test --select test_type:unit`. Prints failures; returns True when all pass."""
    with tempfile.TemporaryDirectory(prefix="xinfang-dbt-unit-") as tmp:
        work = Path(tmp)
        db_path = work / DB_FILE
        con = duckdb.connect(str(db_path))
        try:
            con.execute(f"create schema {RAW_SCHEMA}")
            for entity in paths.ENTITIES:
                create_raw_table(con, entity, [])
        finally:
            con.close()
        dbt_vars = {"as_of": "2011-12-31", "build_id": "unit-tests"}
        prepared = run_dbt(
            ["build", "--exclude", "test_type:unit", "test_type:data"], db_path, work / "dbt", dbt_vars
        )
        problems = dbt_failures(prepared)
        if not problems:
            tested = run_dbt(["test", "--select", "test_type:unit"], db_path, work / "dbt", dbt_vars)
            problems = dbt_failures(tested)
            ran = sum(1 for r in _node_results(tested) if r.node.resource_type == "unit_test")
            if not problems and ran == 0:
                problems = [Failure("dbt", None, "没有找到 dbt 单元测试 (no unit tests ran)")]
        for failure in problems:
            console.print(f"[red]✗[/] {failure.describe()}", soft_wrap=True)
        return not problems
