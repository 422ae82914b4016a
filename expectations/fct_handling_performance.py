"""marts.fct_handling_performance — county and each town × year: how items were handled.

Every rate and share lies in [0, 1], every numerator within its denominator, and the county's
items agree with fct_cases year by year.
"""

from __future__ import annotations

from collections.abc import Iterator

from pipelines.gates.context import GateContext
from pipelines.gates.spec import Check, Frame, Suite

from . import _marts, _scopes

MART = "fct_handling_performance"
# (part, whole): the part can never exceed the whole
PAIRS = [
    ("first_time_due", "petitions"),
    ("first_time_closed_within_30d", "first_time_due"),
    ("shelved", "petitions"),
    ("leads", "petitions"),
    ("cases_opened", "leads"),
    ("closed", "petitions"),
    ("on_time", "on_time_due"),
    ("on_time_due", "petitions"),
    ("rated", "petitions"),
    ("ceased", "closed"),
]


def checks(ctx: GateContext) -> list[Check]:
    return [
        *_scopes.scope_checks(MART),
        _marts.rates_check(MART),
        Check(f"{MART}.counts_consistent", MART, "error", "分子不超过分母（如 按期办结 ≤ 应办结、成案 ≤ 线索）"),
    ]


def row_frames(ctx: GateContext) -> Iterator[Frame]:
    columns = sorted({c for pair in PAIRS for c in pair})
    select = ", ".join(["scope_type", "scope_type || ':' || scope_code || ':' || year as scope_year", *columns])
    for chunk in _marts.chunks(ctx, MART, select):
        yield Frame(chunk, [_scopes.scope_type_expect(MART), *_marts.not_above(MART, PAIRS, "scope_year")])


def frames(ctx: GateContext) -> Iterator[Frame]:
    yield from row_frames(ctx)
    yield from _marts.rates_frames(ctx, MART, "scope_code")
    yield _scopes.county_years_frame(ctx, MART)
    yield _scopes.adds_up_frame(ctx, MART)


SUITES = [Suite(MART, "build", checks, frames)]
