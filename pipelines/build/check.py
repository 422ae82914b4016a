"""`xinfang check`: the dbt data tests and every gate again, on a copy of the published build;
and the dbt unit tests of `make test`."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import duckdb

from pipelines import paths
from pipelines.build.console import Step, console, print_checks, print_failures, seconds_of, step
from pipelines.build.dbt_runner import (
    dbt_failures,
    run_dbt,
    test_records,
    unit_test_failures,
    with_examples,
)
from pipelines.build.gates import gate_failures, gate_outcome, write_check_report
from pipelines.build.junit import Suite, check_writable, write_junit
from pipelines.build.publish import DB_FILE, META_SCHEMA, build_db_path, published_build_id
from pipelines.errors import NothingPublished


def check_published(junit: Path | None = None) -> int:
    """Re-run the dbt data tests and the gates on a copy of the published build (dbt cannot
    test a read-only file). Prints the results (and writes them as JUnit XML to `junit` when
    given); returns 0 when all pass, else 1."""
    build_id = published_build_id()
    if build_id is None:
        raise NothingPublished()
    if junit is not None:
        junit = check_writable(junit)
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
        steps: list[Step] = []
        with step("运行 dbt 数据测试", steps):
            result = run_dbt(
                ["test", "--exclude", "test_type:unit"],
                copy,
                work / "dbt",
                {"as_of": as_of.isoformat(), "build_id": build_id},
            )
        records = test_records(build_id, result, copy)
        failures = with_examples(dbt_failures(result), copy)
        tested = {r["check_name"] for r in records}
        suites = [Suite("dbt data tests", list(records), steps[-1].seconds,
                        [f for f in failures if f.check not in tested])]
        con = duckdb.connect(str(copy), read_only=True)
        try:
            with step("运行质量检查", steps, kind="gate"):
                outcomes = [gate_outcome(con, build_id, phase) for phase in ("delivery", "build")]
        finally:
            con.close()
        for outcome, name in zip(outcomes, ("delivery gates", "expectations"), strict=True):
            records += outcome.records(build_id)
            failures += gate_failures(outcome)
            suites.append(Suite(name, outcome.records(build_id), outcome.seconds))
        print_checks(records)
        write_check_report(build_id, records, seconds_of(steps, "gate"))
        if junit is not None:
            console.print(f"JUnit: {write_junit(junit, build_id, suites)}", soft_wrap=True)
        if failures:
            print_failures(failures)
            return 1
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_dbt_unit_tests() -> bool:
    """Run the project's dbt unit tests against a throwaway database with empty raw tables.
    Prints failures; returns True when all pass."""
    problems = unit_test_failures()
    print_failures(problems)
    return not problems
