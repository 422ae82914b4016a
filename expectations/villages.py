"""raw.villages — each delivered villages file, and the village-years from raw to staging."""

from __future__ import annotations

from collections.abc import Iterator

import great_expectations.expectations as gxe
import pandas as pd

from pipelines.gates.context import GateContext
from pipelines.gates.spec import Check, Expect, Frame, Suite

from . import _raw

ENTITY = "villages"
TABLE = _raw.raw_table(ENTITY)


def delivery_checks(ctx: GateContext) -> list[Check]:
    return _raw.delivery_checks(ENTITY)


def delivery_frames(ctx: GateContext) -> Iterator[Frame]:
    yield from _raw.delivery_frames(ctx, ENTITY)


def batch_checks(ctx: GateContext) -> list[Check]:
    return [
        *_raw.batch_checks(ctx, ENTITY),
        _raw.unique_check(ENTITY, "village_code, year", "warn"),
        Check("villages.population_positive", TABLE, "error", "户籍人口 population ≥ 1"),
        Check("villages.population_plausible", TABLE, "warn", "户籍人口不超过 [ranges] max_population"),
        Check("villages.year_plausible", TABLE, "warn", "年度在 [ranges] min_year 与载入次年之间"),
        _raw.reconcile_check(ENTITY, "stg_lake__villages"),
    ]


def _extra(ctx: GateContext, rows: pd.DataFrame) -> list[Expect]:
    rows["_latest_year"] = rows["_loaded_at"].dt.year + 1
    return [
        Expect("villages.population_positive",
               gxe.ExpectColumnValuesToBeBetween(column="population", min_value=1),
               _raw.explain_values("population", "小于 1 (below 1)")),
        Expect("villages.population_plausible",
               gxe.ExpectColumnValuesToBeBetween(column="population",
                                                 max_value=ctx.params("ranges", "max_population")),
               _raw.explain_values("population", "过大 (implausibly large)")),
        Expect("villages.year_plausible",
               gxe.ExpectColumnValuesToBeBetween(column="year", min_value=ctx.params("ranges", "min_year")),
               _raw.explain_values("year", "过早 (implausibly early)")),
        Expect("villages.year_plausible",
               gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="_latest_year", column_B="year", or_equal=True,
                                                           ignore_row_if="either_value_is_missing"),
               _raw.explain_values("year", "晚于载入的次年 (after next year)")),
    ]


def batch_frames(ctx: GateContext) -> Iterator[Frame]:
    yield from _raw.batch_frames(ctx, ENTITY, _extra)
    yield _raw.unique_frame(ctx, ENTITY, "village_code, year")
    yield _raw.reconcile_frame(ctx, ENTITY, "stg_lake__villages", "village_code, year")


SUITES = [
    Suite("villages.delivery", "delivery", delivery_checks, delivery_frames),
    Suite("villages.batches", "build", batch_checks, batch_frames),
]
