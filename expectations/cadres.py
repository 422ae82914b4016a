"""raw.cadres — each delivered cadres file, and the cadres from raw to staging."""

from __future__ import annotations

from collections.abc import Iterator

from pipelines.gates.context import GateContext
from pipelines.gates.spec import Check, Frame, Suite

from . import _raw

ENTITY = "cadres"
TABLE = _raw.raw_table(ENTITY)


def delivery_checks(ctx: GateContext) -> list[Check]:
    return _raw.delivery_checks(ENTITY)


def delivery_frames(ctx: GateContext) -> Iterator[Frame]:
    yield from _raw.delivery_frames(ctx, ENTITY)


def batch_checks(ctx: GateContext) -> list[Check]:
    return [
        *_raw.batch_checks(ctx, ENTITY),
        _raw.unique_check(ENTITY, "cadre_id", "warn"),
        _raw.reconcile_check(ENTITY, "stg_lake__cadres"),
    ]


def batch_frames(ctx: GateContext) -> Iterator[Frame]:
    yield from _raw.batch_frames(ctx, ENTITY)
    yield _raw.unique_frame(ctx, ENTITY, "cadre_id")
    yield _raw.reconcile_frame(ctx, ENTITY, "stg_lake__cadres", "cadre_id")


SUITES = [
    Suite("cadres.delivery", "delivery", delivery_checks, delivery_frames),
    Suite("cadres.batches", "build", batch_checks, batch_frames),
]
