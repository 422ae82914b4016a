"""marts.fct_scope_month — county, each town and the no-town scopes × month: the county's
counts are the sum of its scopes' in every month (CONTRACT §4 "Scopes add up")."""

from __future__ import annotations

from collections.abc import Iterator

from pipelines.gates.context import GateContext
from pipelines.gates.spec import Check, Frame, Suite

from . import _scopes

MART = "fct_scope_month"


def checks(ctx: GateContext) -> list[Check]:
    return [_scopes.adds_up_check(MART)]


def frames(ctx: GateContext) -> Iterator[Frame]:
    yield _scopes.adds_up_frame(ctx, MART, period="month_start")


SUITES = [Suite(MART, "build", checks, frames)]
