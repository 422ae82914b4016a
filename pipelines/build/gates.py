"""The build's side of the quality gates (pipelines.gates): run a phase on a build database,
record and print its outcome, and write the offline HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from pipelines import audit
from pipelines.build.console import console, print_gate_outcome
from pipelines.build.failures import Failure, first_line


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
    print_gate_outcome(outcome)
    return gate_failures(outcome)


def gate_outcome(con: duckdb.DuckDBPyConnection, build_id: str, phase: str) -> Any:
    from pipelines.gates import run_phase

    return run_phase(con, build_id, phase)


def gate_failures(outcome: Any) -> list[Failure]:
    return [Failure(r.check.name, r.check.table, r.detail) for r in outcome.errors]


def check_gates(db_path: Path, build_id: str, phase: str = "build") -> list[Failure]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return run_gates(con, build_id, phase)
    finally:
        con.close()


def write_build_report(build_id: str, gate_seconds: float | None) -> None:
    """The offline HTML report of the build (never fails the build itself)."""
    try:
        from pipelines.gates.report import write_build_report as write

        path = write(build_id, gate_seconds)
    except Exception as exc:  # noqa: BLE001 — a report problem must not hide the build's outcome
        console.print(f"[yellow]质量报告未能写出 (quality report not written): {first_line(exc)}[/]")
        return
    console.print(f"质量报告 (quality report): {path}", soft_wrap=True)


def write_check_report(build_id: str, records: list[dict], gate_seconds: float) -> None:
    try:
        from pipelines.gates.report import write_check_report as write

        path = write(build_id, records, gate_seconds)
    except Exception as exc:  # noqa: BLE001 — the printed results stand without the page
        console.print(f"[yellow]质量报告未能写出 (quality report not written): {first_line(exc)}[/]")
        return
    console.print(f"质量报告 (quality report): {path}", soft_wrap=True)
