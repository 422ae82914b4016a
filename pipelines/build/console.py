"""What a build and a check say on the console, and `step()`: each stage timed, shown while it
runs, printed when it ends and recorded in the run's list of steps."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table

from pipelines.build.failures import Failure
from pipelines.labels import from_files

console = Console(highlight=False)


@dataclass
class Step:
    """One stage of a run. `note` is printed after the timing when the stage ends well (None:
    the stage prints its own outcome); `kind` groups stages, e.g. "gate" for the quality gates,
    whose summed time the quality report shows."""

    name: str
    kind: str = ""
    seconds: float = 0.0
    status: str = "running"  # running | done | failed
    note: str | None = None
    _spinner: Any = None

    def show(self, text: str) -> None:
        """Replace the spinner's text while the stage runs (e.g. a progress count)."""
        if self._spinner is not None:
            self._spinner.update(text)


@contextmanager
def step(name: str, steps: list[Step], *, kind: str = "") -> Iterator[Step]:
    """Run one stage: a spinner `name…` while it runs, then `✓ name (1.2 秒): note` when it ends
    well. The Step (name, seconds, status) is appended to `steps` as it starts, so a failure
    names the stage it happened in."""
    current = Step(name, kind)
    steps.append(current)
    started = time.monotonic()
    try:
        with console.status(f"{name}…") as spinner:
            current._spinner = spinner
            yield current
    except BaseException:
        current.status = "failed"
        raise
    finally:
        current.seconds = time.monotonic() - started
        current._spinner = None
    current.status = "done"
    if current.note is not None:
        console.print(f"✓ {name} ({current.seconds:.1f} 秒): {current.note}", soft_wrap=True)


def seconds_of(steps: list[Step], kind: str) -> float:
    return sum(s.seconds for s in steps if s.kind == kind)


def print_failures(failures: list[Failure]) -> None:
    for failure in failures:
        console.print(f"[red]✗[/] {failure.describe()}", soft_wrap=True)


def print_warned_tests(records: list[dict]) -> None:
    for r in records:
        if r["status"] == "fail":
            console.print(
                f"  [yellow]警告[/] {r['check_name']} ({r['table_name']}): {r['observed']} 行 rows",
                soft_wrap=True,
            )


def dbt_note(records: list[dict]) -> str:
    """The dbt step's outcome: tests passed, warnings."""
    warned = sum(1 for r in records if r["status"] == "fail")
    passed = len(records) - warned
    return f"{passed} 项检查通过" + (f"，{warned} 项警告 (warnings)" if warned else "")


def print_gate_outcome(outcome: Any) -> None:
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


def print_summary(
    build_id: str, as_of: date, counts: dict[str, int], removed: list[str], seconds: float
) -> None:
    labels = from_files()
    table = Table(title=f"staging {labels.both('column.rows')}", show_header=True,
                  header_style="bold")
    table.add_column(labels.both("column.model"))
    table.add_column(labels.both("column.rows"), justify="right")
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    console.print(f"✓ 发布: {build_id} (as_of {as_of.isoformat()})")
    if removed:
        console.print(f"  清理旧构建 (removed old builds): {', '.join(removed)}")
    console.print(f"用时 {seconds:.1f} 秒 (elapsed)")


def print_checks(records: list[dict]) -> None:
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
    labels = from_files()
    table = Table(show_header=True, header_style="bold")
    table.add_column(labels.both("column.table_name"))
    for title in (labels.both("report.card_checks"), labels.vocab_both("check_status", "pass"),
                  labels.vocab_both("check_severity", "warn"),
                  labels.vocab_both("check_status", "fail")):
        table.add_column(title, justify="right")
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
