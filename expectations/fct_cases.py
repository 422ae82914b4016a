"""marts.fct_cases — one row per item.

Vocabularies (from seeds), date ranges (no item after as_of), flags that must agree, the
reconciliation raw → staging → fct_cases (items received after as_of are excluded explicitly),
and the distribution of volume over time: a month with (almost) no items where the months
before had many, a channel that vanished.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import great_expectations.expectations as gxe
import pandas as pd

from pipelines.gates.context import GateContext
from pipelines.gates.spec import Check, Expect, Frame, Suite

from . import _marts

MART = "fct_cases"
# fct_cases columns that hold an event's detail, and the event type whose vocabulary it uses
DETAIL_COLUMNS = {"satisfaction": "rated", "disposition": "disposed"}


def vocabulary_columns(ctx: GateContext) -> dict[str, str]:
    """fct_cases column -> vocabulary: the input columns it keeps, and the event details."""
    present = ctx.columns("marts", MART)
    out = {c: v for c, v in ctx.vocabulary_columns("cases").items() if c in present}
    details = ctx.event_detail_vocabularies()
    for column, event_type in DETAIL_COLUMNS.items():
        if column in present and event_type in details:
            out[column] = details[event_type]
    return out


def checks(ctx: GateContext) -> list[Check]:
    vocab = [
        Check(f"{MART}.{column}_in_vocabulary", MART, "error", f"{column} 的代码都在词表 {vocabulary} 中")
        for column, vocabulary in vocabulary_columns(ctx).items()
    ]
    return [
        *vocab,
        Check(f"{MART}.received_not_after_as_of", MART, "error", "没有收件日期晚于 as_of 的信访件"),
        Check(f"{MART}.received_date_plausible", MART, "warn", "收件日期不早于 [ranges] min_year 年"),
        Check(f"{MART}.headcount_positive", MART, "error", "人数 headcount ≥ 1"),
        Check(f"{MART}.first_time_is_not_repeat", MART, "error", "初信初访 = 非重复信访"),
        Check(f"{MART}.days_to_close_consistent", MART, "error", "办结天数 = 办结日期 − 收件日期"),
        Check(f"{MART}.closed_not_before_received", MART, "warn", "办结日期不早于收件日期"),
        Check(f"{MART}.reconciles_with_staging", MART, "error",
              "行数核对：原始数据 → staging → fct_cases（晚于 as_of 的信访件明确排除）"),
        Check(f"{MART}.monthly_volume_gap", MART, "error",
              "没有缺月：某月（或连续几个月）几乎没有信访件而前后月份都很多（[months]）"),
        Check(f"{MART}.channel_vanished", MART, "warn",
              "没有信访方式在最近几个月突然消失（[vanishing]）"),
    ]


def row_frames(ctx: GateContext) -> Iterator[Frame]:
    vocab = vocabulary_columns(ctx)
    as_of = pd.Timestamp(ctx.as_of)
    earliest = pd.Timestamp(datetime(int(ctx.params("ranges", "min_year")), 1, 1))
    select = ", ".join([
        "case_id", "received_date", "headcount", "is_first_time", "not is_repeat as is_not_repeat",
        "closed_date", "days_to_close", "date_diff('day', received_date, closed_date) as days_between",
        *vocab,
    ])
    key = "case_id"
    for chunk in _marts.chunks(ctx, MART, select):
        expects = [
            Expect(f"{MART}.{column}_in_vocabulary",
                   gxe.ExpectColumnValuesToBeInSet(column=column, value_set=ctx.codes(vocabulary)),
                   _marts.explain_rows(column, key, f"不在词表 {vocabulary} 中 (not in the vocabulary)"))
            for column, vocabulary in vocab.items()
        ]
        expects += [
            Expect(f"{MART}.received_not_after_as_of",
                   gxe.ExpectColumnMaxToBeBetween(column="received_date", max_value=as_of),
                   lambda rows: f"有收件日期晚于 as_of {as_of:%Y-%m-%d} 的信访件 (items after as_of)"),
            Expect(f"{MART}.received_date_plausible",
                   gxe.ExpectColumnMinToBeBetween(column="received_date", min_value=earliest),
                   lambda rows: f"有早于 {earliest:%Y} 年的收件日期 (implausibly old)"),
            Expect(f"{MART}.headcount_positive",
                   gxe.ExpectColumnValuesToBeBetween(column="headcount", min_value=1),
                   _marts.explain_rows("headcount", key, "小于 1 (below 1)")),
            Expect(f"{MART}.first_time_is_not_repeat",
                   gxe.ExpectColumnPairValuesToBeEqual(column_A="is_first_time", column_B="is_not_repeat"),
                   _marts.explain_rows("is_first_time", key, "与 is_repeat 不一致 (disagrees with is_repeat)")),
            Expect(f"{MART}.days_to_close_consistent",
                   gxe.ExpectColumnPairValuesToBeEqual(column_A="days_to_close", column_B="days_between",
                                                       ignore_row_if="both_values_are_missing"),
                   _marts.explain_rows("days_to_close", key, "与日期之差不符 (disagrees with the dates)")),
            Expect(f"{MART}.closed_not_before_received",
                   gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="closed_date", column_B="received_date",
                                                               or_equal=True, ignore_row_if="either_value_is_missing"),
                   _marts.explain_rows("closed_date", key, "早于收件日期 (before receipt)")),
        ]
        yield Frame(chunk, expects)


def reconcile_frame(ctx: GateContext) -> Frame:
    counts = ctx.df(
        f"""
        select
            (select count(distinct case_id) from raw.cases) as raw_items,
            (select count(*) from staging.stg_lake__cases) as staging_items,
            (select count(*) from staging.stg_lake__cases where received_date > ?) as after_as_of,
            (select count(*) from marts.{MART}) as mart_items
        """,
        [ctx.as_of],
    )
    counts["expected_mart_items"] = counts["staging_items"] - counts["after_as_of"]
    r = counts.iloc[0]
    note = (f"原始 {int(r.raw_items):,} 个编号 → staging {int(r.staging_items):,} 件 → fct_cases "
            f"{int(r.mart_items):,} 件（晚于 as_of 排除 {int(r.after_as_of):,} 件）")
    explain = lambda rows: note + " (row counts do not reconcile)"
    return Frame(counts, [
        Expect(f"{MART}.reconciles_with_staging",
               gxe.ExpectColumnPairValuesToBeEqual(column_A="raw_items", column_B="staging_items"), explain),
        Expect(f"{MART}.reconciles_with_staging",
               gxe.ExpectColumnPairValuesToBeEqual(column_A="expected_mart_items", column_B="mart_items"), explain),
    ], note=note)


def gap_frame(ctx: GateContext) -> Frame:
    counts = ctx.df(f"select received_month as month, count(*) as items from marts.{MART} group by 1")
    months = pd.DataFrame({"month": _marts.complete_months(ctx)})
    if len(counts):
        counts["month"] = pd.to_datetime(counts["month"])
        months = months.merge(counts, on="month", how="left")
    months["items"] = months.get("items", pd.Series(dtype="float64")).fillna(0).astype("int64")
    judged = _marts.hole_frame(ctx, months)
    return Frame(judged, [Expect(
        f"{MART}.monthly_volume_gap",
        gxe.ExpectColumnValuesToBeInSet(column="in_hole", value_set=[False]),
        lambda rows: "；".join(
            f"{r.month:%Y-%m} 只有 {int(r.items)} 件，前后月份至少 {r.reference:.0f} 件，疑似缺月"
            " (a month missing from the warehouse)"
            for r in rows.itertuples()
        ),
    )], note=f"检查了 {len(judged)} 个月，没有缺月")


def channel_frame(ctx: GateContext) -> Frame:
    counts = ctx.df(f"select channel as key, received_month as month, count(*) as items from marts.{MART} group by all")
    frame = _marts.vanished(ctx, counts)
    vocabulary = ctx.vocabulary_columns("cases").get("channel", "channel")
    labels = dict(ctx.con.sql("select code, label_zh from seeds.vocabularies where vocabulary = ?",
                              params=[vocabulary]).fetchall())
    w = ctx.params("vanishing", "window_months")
    return Frame(frame, [Expect(
        f"{MART}.channel_vanished",
        gxe.ExpectColumnValuesToBeBetween(column="window_items", min_value=1),
        lambda rows: "；".join(
            f"信访方式 {labels.get(r.key, r.key)} ({r.key}) 最近 {w} 个月没有信访件，此前 "
            f"{int(r.baseline_months)} 个月 {int(r.baseline_items)} 件，预计约 {r.expected:.0f} 件 (a channel vanished)"
            for r in rows.itertuples()
        ),
    )], note=f"检查了 {len(frame)} 种信访方式")


def frames(ctx: GateContext) -> Iterator[Frame]:
    yield from row_frames(ctx)
    yield reconcile_frame(ctx)
    yield gap_frame(ctx)
    yield channel_frame(ctx)


SUITES = [Suite(MART, "build", checks, frames)]
