"""Shared building blocks of the mart suites: chunked reads, rate columns, and the monthly
series behind the distribution checks (missing months, vanishing channels or towns)."""

from __future__ import annotations

from collections.abc import Iterator

import great_expectations.expectations as gxe
import pandas as pd

from pipelines.gates.context import GateContext
from pipelines.gates.spec import Check, Expect, Frame


def chunks(ctx: GateContext, mart: str, select: str = "*", where: str = "") -> Iterator[pd.DataFrame]:
    """A mart in pandas frames of bounded size (never pulled whole)."""
    sql = f"select {select} from marts.{mart}" + (f" where {where}" if where else "")
    yield from ctx.chunks(sql)


def rate_columns(ctx: GateContext, mart: str) -> list[str]:
    """Rates and shares (CONTRACT §4: doubles in [0, 1]): `*_rate` and `*_share` columns."""
    return [
        name for name, kind in ctx.columns("marts", mart).items()
        if name.endswith(("_rate", "_share")) and kind in ("DOUBLE", "FLOAT", "DECIMAL")
    ]


def rates_check(mart: str) -> Check:
    return Check(f"{mart}.rates_in_unit_interval", mart, "error", "比率 (*_rate, *_share) 都在 [0, 1] 之间")


def rates_frames(ctx: GateContext, mart: str, key: str) -> Iterator[Frame]:
    columns = rate_columns(ctx, mart)
    for chunk in chunks(ctx, mart, ", ".join([key, *columns]) if columns else key):
        yield Frame(chunk, [
            Expect(f"{mart}.rates_in_unit_interval",
                   gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1),
                   explain_rows(c, key, "不在 [0, 1] 之间 (outside [0, 1])"))
            for c in columns
        ])


def not_above(mart: str, pairs: list[tuple[str, str]], key: str) -> list[Expect]:
    """Each (part, whole): part ≤ whole, row by row."""
    return [
        Expect(f"{mart}.counts_consistent",
               gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A=whole, column_B=part, or_equal=True,
                                                           ignore_row_if="either_value_is_missing"),
               lambda rows, part=part, whole=whole: f"{part} 大于 {whole} (exceeds)：" + ", ".join(
                   f"{getattr(r, key)}: {getattr(r, part)} > {getattr(r, whole)}" for r in rows.head(3).itertuples()
               ))
        for part, whole in pairs
    ]


def explain_rows(column: str, key: str, what: str):
    def explain(rows: pd.DataFrame) -> str:
        shown = ", ".join(f"{getattr(r, key)}: {getattr(r, column)!r}" for r in rows.head(3).itertuples())
        return f"{column} {what}，例如 {shown}"

    return explain


# ---------------------------------------------------------------- monthly series
def complete_months(ctx: GateContext) -> list[pd.Timestamp]:
    """Months from the first month of data to the last month complete at as_of."""
    first = ctx.scalar("select min(received_month) from marts.fct_cases")
    as_of = ctx.as_of
    if first is None or as_of is None:
        return []
    last = pd.Timestamp(as_of).to_period("M")
    if pd.Timestamp(as_of) < last.to_timestamp(how="end").normalize():
        last -= 1
    start = pd.Timestamp(first).to_period("M")
    if last < start:
        return []
    return [p.to_timestamp() for p in pd.period_range(start, last, freq="M")]


def hole_frame(ctx: GateContext, months: pd.DataFrame) -> pd.DataFrame:
    """months: (month, items) in order, consecutive. Adds `in_hole` and `reference` (see
    _months): the months judged are the interior ones."""
    from ._months import holes

    months = months.reset_index(drop=True).copy()
    months["in_hole"] = False
    months["reference"] = float("nan")
    found = holes(
        months["items"].tolist(),
        ctx.params("months", "min_ratio"),
        ctx.params("months", "min_reference"),
        int(ctx.params("months", "max_months")),
    )
    for hole in found:
        months.loc[hole.start:hole.end, "in_hole"] = True
        months.loc[hole.start:hole.end, "reference"] = hole.reference
    return months.iloc[1:-1].reset_index(drop=True) if len(months) > 2 else months.iloc[0:0]


def vanished(ctx: GateContext, counts: pd.DataFrame, keys: list[str] | None = None) -> pd.DataFrame:
    """counts: (key, month, items). Per key: items in the last `window_months` complete months,
    and the number expected there from the `baseline_months` before; keys whose expectation
    reaches `min_expected`."""
    columns = ["key", "window_items", "baseline_items", "baseline_months", "expected"]
    months = complete_months(ctx)
    w = int(ctx.params("vanishing", "window_months"))
    b = int(ctx.params("vanishing", "baseline_months"))
    history = int(ctx.params("vanishing", "min_history_months"))
    if len(months) < w + history:
        return pd.DataFrame(columns=columns)
    window = set(months[-w:])
    baseline = set(months[max(0, len(months) - w - b):len(months) - w])
    counts = counts.assign(month=pd.to_datetime(counts["month"]))
    in_window = counts[counts["month"].isin(window)].groupby("key")["items"].sum()
    in_baseline = counts[counts["month"].isin(baseline)].groupby("key")["items"].sum()
    frame = pd.DataFrame({"key": sorted(set(keys) if keys is not None else set(in_baseline.index))})
    frame["window_items"] = frame["key"].map(in_window).fillna(0).astype("int64")
    frame["baseline_items"] = frame["key"].map(in_baseline).fillna(0).astype("int64")
    frame["baseline_months"] = len(baseline)
    frame["expected"] = frame["baseline_items"] * w / len(baseline)
    frame = frame[frame["expected"] >= ctx.params("vanishing", "min_expected")]
    return frame.reset_index(drop=True)[columns]
