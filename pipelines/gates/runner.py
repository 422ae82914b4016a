"""Run the suites of one phase with Great Expectations and turn the results into
audit.quality_results rows and gate failures.

GX 1.x validates pandas frames here, in an ephemeral context (nothing written to disk), with
analytics off and no progress bars. Each expectation is validated on its own: a GX suite
silently merges expectations with the same configuration, and two checks may need the same
one. A suite that cannot run (an error in its query, a missing column) fails all of its
checks that had not failed yet: what cannot be verified is not published.
"""

from __future__ import annotations

import os
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

os.environ["GX_ANALYTICS_ENABLED"] = "False"  # before great_expectations is imported

import duckdb
import pandas as pd

from pipelines.gates.config import Params, load_params
from pipelines.gates.context import GateContext, judged_window, load_ledger
from pipelines.gates.spec import Check, Expect, Frame, Suite
from pipelines.gates.suites import load_suites

RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 20}
SHOWN_REASONS = 3  # failure reasons (frames, expectations) per check in its detail
SHOWN_ROWS = 3  # failing rows an explanation describes


@dataclass
class CheckResult:
    check: Check
    status: str = "pass"
    unexpected: int = 0
    elements: int = 0
    frames: int = 0
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def observed(self) -> str | None:
        if self.error is not None:
            return None
        return str(self.unexpected)

    @property
    def detail(self) -> str:
        return " ".join(self._detail().split())

    def _detail(self) -> str:
        if self.error is not None:
            return f"检查无法运行 (the check could not run): {self.error}"
        if self.status == "fail":
            shown = "；".join(self.reasons[:SHOWN_REASONS])
            more = len(self.reasons) - SHOWN_REASONS
            return shown + (f"；另有 {more} 处 (+{more} more)" if more > 0 else "")
        if self.notes:
            return "；".join(self.notes[:SHOWN_REASONS])
        if self.frames == 0:
            return "没有需要检查的数据 (nothing to check)"
        return f"已检查 {self.elements:,} 行 (rows checked)"

    def record(self, build_id: str) -> dict[str, Any]:
        return {
            "build_id": build_id,
            "check_name": self.check.name,
            "table_name": self.check.table,
            "severity": self.check.severity,
            "status": self.status,
            "observed": self.observed,
            "detail": self.detail[:1000],
        }


@dataclass
class GateOutcome:
    phase: str
    results: list[CheckResult]
    seconds: float
    params: Params

    def records(self, build_id: str) -> list[dict[str, Any]]:
        return [r.record(build_id) for r in self.results]

    @property
    def errors(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == "fail" and r.check.severity == "error"]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == "fail" and r.check.severity == "warn"]


class _Validator:
    """One ephemeral GX context with a pandas data source; validates one expectation on one
    frame at a time."""

    def __init__(self) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
        asset = self.context.data_sources.add_pandas("xinfang").add_dataframe_asset("frame")
        self.definition = asset.add_batch_definition_whole_dataframe("whole")

    def batch(self, frame: pd.DataFrame) -> Any:
        return self.definition.get_batch(batch_parameters={"dataframe": frame})


_VALIDATOR: _Validator | None = None


def _validator() -> _Validator:
    global _VALIDATOR
    if _VALIDATOR is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _VALIDATOR = _Validator()
    return _VALIDATOR


def _exception_message(info: Any) -> str | None:
    """GX reports an expectation that raised either flat or keyed by metric id."""
    if not info:
        return None
    if isinstance(info, dict) and "raised_exception" in info:
        return info.get("exception_message") if info.get("raised_exception") else None
    if isinstance(info, dict):
        for value in info.values():
            message = _exception_message(value)
            if message:
                return message
    return None


def default_explain(rows: pd.DataFrame, values: list[Any], count: int) -> str:
    shown = ", ".join(repr(_plain(v)) for v in values[:5])
    return f"{count:,} 个值不符合 (values failing), 例如 e.g. {shown}"


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ")
    if hasattr(value, "item"):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return value
    return value


def _validate(frame: Frame, results: dict[str, CheckResult]) -> None:
    undeclared = {e.check for e in frame.expects} - set(results)
    if undeclared:
        raise KeyError(f"expectation for undeclared check {min(undeclared)!r}")
    validator = _validator()
    batches: dict[tuple[str, ...] | None, Any] = {}
    for name in dict.fromkeys(e.check for e in frame.expects):
        results[name].elements += len(frame.data)
    for expect in frame.expects:
        result = results[expect.check]
        if result.error is not None:
            continue
        # GX hashes every column of a pandas batch on each validation: hand it only the
        # columns the expectation reads (the index stays, so failing rows are found in the
        # whole frame for the explanation)
        columns = _columns_of(expect.expectation, frame.data)
        if columns not in batches:
            data = frame.data if columns is None else frame.data[list(columns)]
            batches[columns] = validator.batch(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outcome = batches[columns].validate(expect.expectation, result_format=RESULT_FORMAT)
        _absorb(result, expect, frame, outcome)


def _columns_of(expectation: Any, data: pd.DataFrame) -> tuple[str, ...] | None:
    """The columns an expectation reads, or None (use the whole frame) when unsure."""
    names: list[str] = []
    for attribute in ("column", "column_A", "column_B"):
        value = getattr(expectation, attribute, None)
        if isinstance(value, str):
            names.append(value)
    names += list(getattr(expectation, "column_list", None) or [])
    condition = getattr(expectation, "row_condition", None)
    if condition is not None:
        column = getattr(getattr(condition, "column", None), "name", None)
        if not isinstance(column, str):
            return None
        names.append(column)
    if not names or any(n not in data.columns for n in names):
        return None
    return tuple(dict.fromkeys(names))


def _absorb(result: CheckResult, expect: Expect, frame: Frame, outcome: Any) -> None:
    details = outcome.result or {}
    message = _exception_message(outcome.exception_info)
    if message:
        result.status = "fail"
        result.error = f"{type(expect.expectation).__name__}: {message}"[:300]
        return
    if outcome.success:
        return
    result.status = "fail"
    count = int(details.get("unexpected_count") or 0)
    result.unexpected += count if count else 1
    index = details.get("partial_unexpected_index_list") or []
    rows = frame.data.loc[[i for i in index if i in frame.data.index]] if index else frame.data.iloc[0:0]
    rows = rows.head(SHOWN_ROWS)
    if expect.explain is not None:
        reason = expect.explain(rows)
        if count > len(rows) > 0:
            reason += f"（共 {count:,} 处 (in all)）"
        if "observed_value" in details:
            reason += f"，观测值 (observed) {_plain(details['observed_value'])}"
    elif "observed_value" in details:
        reason = f"观测值 (observed) {_plain(details['observed_value'])!r}"
    else:
        reason = default_explain(rows, list(details.get("partial_unexpected_list") or []), count)
    result.reasons.append(f"{frame.label}：{reason}" if frame.label else reason)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:300]


def run_suite(suite: Suite, ctx: GateContext, results: dict[str, CheckResult]) -> list[CheckResult]:
    try:
        declared = suite.checks(ctx)
    except Exception as exc:  # noqa: BLE001 — a suite that cannot even list its checks fails
        declared = [Check(f"{suite.name}.suite", suite.name, "error", "检查集本身能否运行")]
        out = [CheckResult(c, status="fail", error=_one_line(exc)) for c in declared]
        results.update({r.check.name: r for r in out})
        return out
    own = []
    for check in declared:
        if check.name in results:
            raise ValueError(f"check {check.name!r} is declared twice")
        severity = ctx.params.severity(check.name, check.severity)
        check = Check(check.name, check.table, severity, check.what)
        result = CheckResult(check)
        results[check.name] = result
        own.append(result)
    try:
        for frame in suite.frames(ctx):
            for name in dict.fromkeys(e.check for e in frame.expects):
                if name in results:
                    results[name].frames += 1
                    if frame.note and frame.note not in results[name].notes:
                        results[name].notes.append(frame.note)
            _validate(frame, results)
    except Exception as exc:  # noqa: BLE001 — any failure to run is a failed check
        for result in own:
            if result.status == "pass":
                result.status = "fail"
                result.error = _one_line(exc)
    return own


def run_phase(
    con: duckdb.DuckDBPyConnection,
    build_id: str,
    phase: str,
    params: Params | None = None,
) -> GateOutcome:
    """Run every suite of `phase` on the build database behind `con` (read-only)."""
    clock = time.monotonic()
    params = params or load_params()
    ctx = GateContext(
        con=con,
        build_id=build_id,
        phase=phase,
        params=params,
        ledger=load_ledger(),
        window=judged_window(build_id),
    )
    results: dict[str, CheckResult] = {}
    ordered: list[CheckResult] = []
    for suite in load_suites(phase):
        ordered += run_suite(suite, ctx, results)
    return GateOutcome(phase, ordered, time.monotonic() - clock, params)
