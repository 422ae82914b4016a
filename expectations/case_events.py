"""raw.case_events — each delivered events file, and the events from raw to staging.

After dbt: required values, event types and each type's `detail` in its vocabulary
(seeds.event_details), extensions as positive day counts, dates in range; raw → staging
reconciles (identical events are one event); and completeness: events whose item never
arrived stay few (a refused or missing cases file shows here), events dated before their
item are counted.
"""

from __future__ import annotations

from collections.abc import Iterator

import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from pipelines.gates.context import GateContext, file_label
from pipelines.gates.spec import Check, Expect, Frame, Suite

from . import _raw

ENTITY = "case_events"
TABLE = _raw.raw_table(ENTITY)
EVENT_KEY = "case_id, event_type, event_at, cadre_id, unit_name, detail"


def delivery_checks(ctx: GateContext) -> list[Check]:
    return _raw.delivery_checks(ENTITY)


def delivery_frames(ctx: GateContext) -> Iterator[Frame]:
    yield from _raw.delivery_frames(ctx, ENTITY)


def batch_checks(ctx: GateContext) -> list[Check]:
    return [
        *_raw.batch_checks(ctx, ENTITY),
        Check("case_events.detail_in_vocabulary", TABLE, "error",
              "各环节的说明 detail 在其词表中（seeds.event_details）"),
        Check("case_events.extension_days_positive", TABLE, "error", "延期 extended 的天数为正整数"),
        *_raw.date_checks(ENTITY, "event_at"),
        _raw.reconcile_check(ENTITY, "stg_lake__case_events"),
        Check("case_events.orphan_share", "staging.stg_lake__case_events", "error",
              "找不到对应信访件的办理事件不超过 [completeness] 的占比与件数"),
        Check("case_events.before_received", "staging.stg_lake__case_events", "warn",
              "办理事件不早于其信访件的收件日期"),
    ]


def _extra(ctx: GateContext, rows: pd.DataFrame) -> list[Expect]:
    expects = []
    for event_type, vocabulary in ctx.event_detail_vocabularies().items():
        expects.append(Expect(
            "case_events.detail_in_vocabulary",
            gxe.ExpectColumnValuesToBeInSet(
                column="detail", value_set=ctx.codes(vocabulary),
                row_condition=Column("event_type") == event_type,
            ),
            _raw.explain_values("detail", f"不在 {event_type} 的词表 {vocabulary} 中 (not in the vocabulary)"),
        ))
    # an extension's detail is its number of days
    rows["extension_days"] = pd.to_numeric(rows["detail"].where(rows["event_type"] == "extended"),
                                           errors="coerce")
    extended = {"row_condition": Column("event_type") == "extended"}
    expects += [
        Expect("case_events.extension_days_positive",
               gxe.ExpectColumnValuesToNotBeNull(column="extension_days", **extended),
               _raw.explain_values("detail", "不是天数 (not a number of days)")),
        Expect("case_events.extension_days_positive",
               gxe.ExpectColumnValuesToBeBetween(column="extension_days", min_value=1, **extended),
               _raw.explain_values("detail", "小于 1 天 (below 1 day)")),
    ]
    return [*expects, *_raw.date_expects(ctx, ENTITY, "event_at")]


def completeness_frames(ctx: GateContext) -> Iterator[Frame]:
    counts = ctx.df(
        """
        select count(*) as events,
            count(*) filter (where cases.case_id is null) as orphans,
            count(*) filter (where cases.case_id is not null
                             and events.event_date < cases.received_date) as before_received
        from staging.stg_lake__case_events as events
        left join staging.stg_lake__cases as cases on events.case_id = cases.case_id
        """
    )
    counts["orphan_share"] = (counts["orphans"] / counts["events"]).fillna(0.0)
    r = counts.iloc[0]
    cap = ctx.params("completeness", "max_orphan_event_share")
    # below the minimum count the share is not judged: a few early events are normal
    counts["judged_share"] = counts["orphan_share"].where(counts["orphans"] >= ctx.params(
        "completeness", "min_orphan_events"), 0.0)
    refused = ctx.judged[ctx.judged["status"] == "refused"]["file_name"].map(file_label).tolist()
    hint = f"；本次拒收的文件 (refused): {', '.join(refused)}" if refused else ""
    yield Frame(counts, [Expect(
        "case_events.orphan_share",
        gxe.ExpectColumnValuesToBeBetween(column="judged_share", max_value=cap),
        lambda rows: (
            f"{int(r.orphans):,}/{int(r.events):,} 个办理事件 ({r.orphan_share:.1%}) 找不到对应的信访件，"
            f"超过上限 {cap:.0%}，信访件数据不完整 (events without their items){hint}"
        ),
    )], note=f"{int(r.orphans):,}/{int(r.events):,} 个办理事件找不到对应的信访件")
    yield Frame(counts, [Expect(
        "case_events.before_received",
        gxe.ExpectColumnValuesToBeBetween(column="before_received", max_value=0),
        lambda rows: f"{int(r.before_received):,} 个办理事件早于其信访件的收件日期 (events dated before their item)",
    )])


def batch_frames(ctx: GateContext) -> Iterator[Frame]:
    yield from _raw.batch_frames(ctx, ENTITY, _extra)
    yield _raw.reconcile_frame(ctx, ENTITY, "stg_lake__case_events", EVENT_KEY)
    yield from completeness_frames(ctx)


SUITES = [
    Suite("case_events.delivery", "delivery", delivery_checks, delivery_frames),
    Suite("case_events.batches", "build", batch_checks, batch_frames),
]
