"""What went wrong in a build: one failed dbt node or gate, and how it is said in one line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Failure:
    """One failed dbt node or gate: what failed, on which table, and why."""

    check: str
    table: str | None
    reason: str
    sql: str | None = None  # a failed test's compiled query, to show an example row

    def describe(self) -> str:
        return f"check {self.check} failed on table {self.table or '-'}: {self.reason}"


class BuildFailed(Exception):
    """A model, test or gate failed: the build is recorded as failed and nothing is published."""

    def __init__(self, failures: list[Failure]) -> None:
        super().__init__(failures[0].describe())
        self.failures = failures


def failure_message(failures: list[Failure]) -> str:
    more = f" (+{len(failures) - 1} more)" if len(failures) > 1 else ""
    return (
        "构建未通过质量检查，已保留上一次发布的数据仓库"
        f" ({failures[0].describe()}{more})"
    )


def first_line(text: Any) -> str:
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return lines[0][:300] if lines else ""


def one_line(text: Any) -> str:
    """A multi-line error (dbt's "Runtime Error in model X" plus the database's message) as
    one line."""
    return " ".join(line.strip() for line in str(text or "").splitlines() if line.strip())[:400]
