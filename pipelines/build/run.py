"""`xinfang build`: raw lake → build database → delivery gates → dbt → quality gates → publish.
The order and the guarantees are described in the package docstring (pipelines.build)."""

from __future__ import annotations

import importlib
import importlib.util
import re
import shutil
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pipelines import audit, fsutil, paths
from pipelines.build.console import (
    Step,
    console,
    dbt_note,
    print_failures,
    print_summary,
    print_warned_tests,
    seconds_of,
    step,
)
from pipelines.build.dbt_runner import dbt_failures, run_dbt, test_records, with_examples
from pipelines.build.failures import BuildFailed, Failure, failure_message, first_line
from pipelines.build.gates import check_gates, write_build_report
from pipelines.build.publish import (
    DB_FILE,
    apply_retention,
    finalize_database,
    new_build_id,
    publish,
)
from pipelines.build.raw import default_as_of, load_raw
from pipelines.errors import CheckFailed, UsageError

AS_OF_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
NO_ITEMS_MESSAGE = (
    "没有已导入的信访件，无法确定 as_of；请先导入数据或用 --as-of 指定"
    " (no loaded items to take as_of from)"
)


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


def _sweep_lake() -> None:
    """Remove orphan lake batches left by an interrupted ingest (ingest owns the rule)."""
    if importlib.util.find_spec("pipelines.ingest") is None:
        return
    if importlib.util.find_spec("pipelines.ingest.lake") is None:
        return
    importlib.import_module("pipelines.ingest.lake").sweep()


def _record_build(build_id: str, as_of: date | None, started: datetime, failure: Failure | None) -> None:
    audit.write_records("builds", build_id, [{
        "build_id": build_id,
        "as_of": as_of,
        "started_at": started,
        "finished_at": audit.now(),
        "status": "failed" if failure else "published",
        "failed_check": failure.check if failure else None,
    }])


def build_warehouse(as_of: str | None = None) -> str:
    """Build, test and publish a new warehouse; returns the build id. Raises UsageError for a
    bad --as-of or when there is nothing to build, and CheckFailed when a model, test or gate
    fails (nothing is published)."""
    given_as_of = parse_as_of(as_of)
    clock = time.monotonic()
    steps: list[Step] = []
    with fsutil.warehouse_lock(paths.lock_file(), "构建"):
        _sweep_lake()
        fsutil.remove_temporaries(paths.home())
        root = paths.builds_dir()
        root.mkdir(parents=True, exist_ok=True)
        build_id = new_build_id(taken={p.name for p in root.iterdir()})
        folder = root / build_id
        folder.mkdir()
        db_path = folder / DB_FILE
        started = audit.now()
        effective_as_of = given_as_of
        try:
            with step("载入原始数据", steps) as s:
                raw_counts = load_raw(db_path)
                if effective_as_of is None:
                    effective_as_of = default_as_of(db_path)
                if effective_as_of is None:  # nothing to build: no build id is announced or kept
                    shutil.rmtree(folder, ignore_errors=True)
                    raise UsageError(NO_ITEMS_MESSAGE)
                console.print(f"[bold]构建[/] {build_id}")
                s.note = ", ".join(f"{k} {v}" for k, v in raw_counts.items())
            console.print(
                f"  as_of = {effective_as_of.isoformat()}"
                + (" (--as-of)" if given_as_of else " (数据中最晚日期 latest date in the data)")
            )
            with step("交付检查", steps, kind="gate"):
                delivery_failures = check_gates(db_path, build_id, "delivery")
            if delivery_failures:
                raise BuildFailed(delivery_failures)

            with step("运行 dbt", steps) as s:
                dbt_vars = {"as_of": effective_as_of.isoformat(), "build_id": build_id}
                result = _dbt_build(folder, dbt_vars, s)
                records = test_records(build_id, result, db_path)
                if records:
                    audit.write_records("quality_results", f"{build_id}-dbt", records)
                failures = dbt_failures(result)
                if failures:
                    raise BuildFailed(with_examples(failures, db_path))
                s.note = dbt_note(records)
            print_warned_tests(records)

            with step("写入构建信息", steps):
                source = "given" if given_as_of else "data"
                counts = finalize_database(db_path, build_id, effective_as_of, source)
            with step("质量检查", steps, kind="gate"):
                gate_failures = check_gates(db_path, build_id)
            if gate_failures:
                raise BuildFailed(gate_failures)
            with step("发布", steps):
                publish(build_id)
                _record_build(build_id, effective_as_of, started, None)
                removed = apply_retention()
            write_build_report(build_id, seconds_of(steps, "gate"))
        except BuildFailed as exc:
            _record_build(build_id, effective_as_of, started, exc.failures[0])
            apply_retention()
            print_failures(exc.failures)
            write_build_report(build_id, seconds_of(steps, "gate"))
            raise CheckFailed(failure_message(exc.failures)) from None
        except UsageError:
            raise
        except Exception as exc:
            failed_step = steps[-1].name if steps else "准备"
            _record_build(build_id, effective_as_of, started, Failure(failed_step, None, str(exc)))
            apply_retention()
            write_build_report(build_id, seconds_of(steps, "gate"))
            raise CheckFailed(
                f"构建在「{failed_step}」步骤失败，已保留上一次发布的数据仓库"
                f" (build failed at step {failed_step!r}: {first_line(exc)})"
            ) from exc

    print_summary(build_id, effective_as_of, counts, removed, time.monotonic() - clock)
    return build_id


def _dbt_build(folder: Path, dbt_vars: dict[str, str], current: Step) -> Any:
    """`dbt build` (models, seeds, data tests; unit tests run in `make test`), counting nodes on
    the step's spinner."""
    done: list[str] = []

    def on_node(name: str, node_status: str) -> None:
        done.append(name)
        current.show(f"运行 dbt… {len(done)} 个节点完成 ({name}: {node_status})")

    return run_dbt(
        ["build", "--exclude", "test_type:unit"],
        folder / DB_FILE,
        folder / "dbt",
        dbt_vars,
        on_node,
    )
