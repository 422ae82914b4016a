"""marts.fct_cadre_year — every cadre × year with at least one assigned item (the ranking
columns are checked by dbt's own tests)."""

from __future__ import annotations

from collections.abc import Iterator

import great_expectations.expectations as gxe

from pipelines.gates.context import GateContext
from pipelines.gates.spec import Check, Expect, Frame, Suite

from . import _marts

MART = "fct_cadre_year"
KEY = "cadre_year"


def checks(ctx: GateContext) -> list[Check]:
    return [
        _marts.rates_check(MART),
        Check(f"{MART}.has_assigned_items", MART, "error", "每行干部 × 年度至少经办一件（包保领导或责任人）"),
        Check(f"{MART}.counts_consistent", MART, "error", "办结件数不超过经办件数"),
        Check(f"{MART}.year_in_range", MART, "error", "年度在数据首年与 as_of 所在年之间"),
    ]


def row_frames(ctx: GateContext) -> Iterator[Frame]:
    first_year = ctx.scalar("select min(received_year) from marts.fct_cases")
    last_year = ctx.as_of.year if ctx.as_of else None
    select = (
        "cadre_id || ':' || year as cadre_year, year, closed, "
        "cases_as_lead + cases_as_responsible as items_upper_bound, "
        "greatest(cases_as_lead, cases_as_responsible) as items_lower_bound"
    )
    for chunk in _marts.chunks(ctx, MART, select):
        yield Frame(chunk, [
            Expect(f"{MART}.has_assigned_items",
                   gxe.ExpectColumnValuesToBeBetween(column="items_lower_bound", min_value=1),
                   _marts.explain_rows("items_lower_bound", KEY, "为 0 (no assigned item)")),
            *_marts.not_above(MART, [("closed", "items_upper_bound")], KEY),
            Expect(f"{MART}.year_in_range",
                   gxe.ExpectColumnValuesToBeBetween(column="year", min_value=first_year, max_value=last_year),
                   _marts.explain_rows("year", KEY, "超出数据年份 (outside the years of data)")),
        ])


def frames(ctx: GateContext) -> Iterator[Frame]:
    yield from row_frames(ctx)
    yield from _marts.rates_frames(ctx, MART, "cadre_id")


SUITES = [Suite(MART, "build", checks, frames)]
