"""raw.cases — each delivered cases file (load batch), and the items from raw to staging.

Delivery (before dbt): the shared file checks (_raw) and a month missing inside a file: a
yearly export whose June is empty is a broken delivery even when earlier deliveries still
hold June's items. After dbt: required values, vocabularies, ranges and a unique case_id in
every file; raw → staging reconciles (the latest delivery of each case_id wins).
"""

from __future__ import annotations

from collections.abc import Iterator

import great_expectations.expectations as gxe
import pandas as pd

from pipelines.gates.context import GateContext, file_label
from pipelines.gates.spec import Check, Expect, Frame, Suite

from . import _marts, _raw

ENTITY = "cases"
TABLE = _raw.raw_table(ENTITY)


# ---------------------------------------------------------------- delivery
def month_gap_frame(ctx: GateContext) -> Frame:
    """Each judged file's months, from its first to its last, judged for holes."""
    judged = ctx.judged_batches(ENTITY)
    expect = Expect(
        "cases.month_gap_in_batch",
        gxe.ExpectColumnValuesToBeInSet(column="in_hole", value_set=[False]),
        lambda rows: "；".join(
            f"{r.file} 中 {pd.Timestamp(r.month):%Y-%m} 只有 {int(r.items)} 件，前后月份至少 "
            f"{r.reference:.0f} 件，疑似缺月 (a month missing inside the delivery)"
            for r in rows.itertuples()
        ),
    )
    columns = ["batch_id", "file", "month", "items", "in_hole", "reference"]
    if judged.empty:
        return Frame(pd.DataFrame(columns=columns), [expect])
    months = ctx.df(
        f"""
        with batch_rows as (
            select _batch_id as batch_id, cast(date_trunc('month', received_at) as date) as month
            from {TABLE}
            where _batch_id in (select unnest(?::varchar[])) and received_at is not null
        ),
        spans as (
            select batch_id, min(month) as first_month, max(month) as last_month
            from batch_rows group by batch_id
        ),
        all_months as (
            select batch_id,
                cast(unnest(generate_series(first_month, last_month, interval 1 month)) as date) as month
            from spans
        ),
        counts as (select batch_id, month, count(*) as items from batch_rows group by all)
        select all_months.batch_id, all_months.month, coalesce(counts.items, 0) as items
        from all_months
        left join counts on all_months.batch_id = counts.batch_id and all_months.month = counts.month
        order by all_months.batch_id, all_months.month
        """,
        [judged["batch_id"].tolist()],
    )
    files = dict(zip(judged["batch_id"], judged["file_name"].map(file_label)))
    parts = [_marts.hole_frame(ctx, group) for _, group in months.groupby("batch_id", sort=False)]
    frame = pd.concat(parts, ignore_index=True) if parts else months.assign(in_hole=False, reference=0.0)
    frame["file"] = frame["batch_id"].map(files)
    return Frame(frame[columns], [expect])


def delivery_checks(ctx: GateContext) -> list[Check]:
    return [
        *_raw.delivery_checks(ENTITY),
        Check("cases.month_gap_in_batch", TABLE, "error",
              "交付文件覆盖的月份中间没有缺月（几乎没有信访件而前后月份都很多，[months]）"),
    ]


def delivery_frames(ctx: GateContext) -> Iterator[Frame]:
    yield from _raw.delivery_frames(ctx, ENTITY)
    yield month_gap_frame(ctx)


# ---------------------------------------------------------------- after dbt
def batch_checks(ctx: GateContext) -> list[Check]:
    return [
        *_raw.batch_checks(ctx, ENTITY),
        _raw.unique_check(ENTITY, "case_id", "error"),
        Check("cases.headcount_positive", TABLE, "error", "人数 headcount ≥ 1"),
        Check("cases.headcount_plausible", TABLE, "warn", "人数不超过 [ranges] max_headcount"),
        *_raw.date_checks(ENTITY, "received_at"),
        _raw.reconcile_check(ENTITY, "stg_lake__cases"),
    ]


def _extra(ctx: GateContext, rows: pd.DataFrame) -> list[Expect]:
    return [
        Expect("cases.headcount_positive", gxe.ExpectColumnValuesToBeBetween(column="headcount", min_value=1),
               _raw.explain_values("headcount", "小于 1 (below 1)")),
        Expect("cases.headcount_plausible",
               gxe.ExpectColumnValuesToBeBetween(column="headcount", max_value=ctx.params("ranges", "max_headcount")),
               _raw.explain_values("headcount", "过大 (implausibly large)")),
        *_raw.date_expects(ctx, ENTITY, "received_at"),
    ]


def batch_frames(ctx: GateContext) -> Iterator[Frame]:
    yield from _raw.batch_frames(ctx, ENTITY, _extra)
    yield _raw.unique_frame(ctx, ENTITY, "case_id")
    yield _raw.reconcile_frame(ctx, ENTITY, "stg_lake__cases", "case_id")


SUITES = [
    Suite("cases.delivery", "delivery", delivery_checks, delivery_frames),
    Suite("cases.batches", "build", batch_checks, batch_frames),
]
