"""What a suite declares: its checks, and the frames it hands to Great Expectations.

A suite (one module under `expectations/`) names every check it runs up front, so each build
records one row per check even when there was nothing to look at (e.g. no new delivery). It
then yields frames: pandas DataFrames pulled from the build database (a load batch, a chunk
of a mart, or a small derived table such as monthly counts), each with the GX expectations
to apply and, per expectation, the check it belongs to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from pipelines.gates.context import GateContext

PHASES = ("delivery", "build")
SEVERITIES = ("error", "warn")


@dataclass(frozen=True)
class Check:
    """One quality check: one audit.quality_results row per build."""

    name: str  # e.g. "cases.channel_in_vocabulary"
    table: str  # the table it judges, e.g. "raw.cases" or "fct_cases"
    severity: str  # "error" stops publication, "warn" publishes and shows
    what: str  # 中文：检查的内容 (for the report)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity of {self.name} must be error or warn, got {self.severity!r}")


@dataclass
class Expect:
    """A GX expectation applied on behalf of a check. `explain` turns the first unexpected rows
    of the frame into the failure's reason (one line); without it the values are listed."""

    check: str
    expectation: Any  # a great_expectations.expectations.Expectation
    explain: Callable[[pd.DataFrame], str] | None = None


@dataclass
class Frame:
    """A pandas frame and the expectations to validate on it. `label` says which part of the
    data it is (a delivered file's name, a chunk); it prefixes failure reasons."""

    data: pd.DataFrame
    expects: list[Expect]
    label: str | None = None
    note: str | None = None  # what the frame showed, for the detail of a check that passed


@dataclass(frozen=True)
class Suite:
    """A module's checks for one phase: `delivery` runs on the raw tables and the audit records
    before dbt (a broken delivery stops the build early), `build` after dbt on the models."""

    name: str
    phase: str
    checks: Callable[[GateContext], list[Check]]
    frames: Callable[[GateContext], Iterable[Frame]]
    def __post_init__(self) -> None:
        if self.phase not in PHASES:
            raise ValueError(f"phase of suite {self.name} must be one of {PHASES}")
