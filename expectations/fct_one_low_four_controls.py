"""marts.fct_one_low_four_controls — county and each town × year: the "one low, four controls".

Each `_prev_year` twin equals the scope's count the year before (null in the first year), each
flag follows from its counts, the repeat-visit share is a rate, and the county's items agree
with fct_cases year by year.
"""

from __future__ import annotations

from collections.abc import Iterator

import great_expectations.expectations as gxe

from pipelines.gates.context import GateContext
from pipelines.gates.spec import Check, Expect, Frame, Suite

from . import _marts, _scopes

MART = "fct_one_low_four_controls"
# flag -> the count it controls (CONTRACT §3 definition 18)
FLAGS = {
    "is_low_running": "petitions",
    "is_repeat_controlled": "repeat_petitions",
    "is_skip_level_controlled": "skip_level_petitions",
    "is_collective_controlled": "collective_petitions",
    "is_abnormal_controlled": "abnormal_petitions",
}


def checks(ctx: GateContext) -> list[Check]:
    return [
        *_scopes.scope_checks(MART),
        _marts.rates_check(MART),
        Check(f"{MART}.prev_year_twins", MART, "error", "每个 _prev_year 等于该范围上一年的值（首年为空）"),
        Check(f"{MART}.flags_consistent", MART, "error", "一低四控标志 = 本年 ≤ 上年（上年为空时标志为空）"),
    ]


def twin_frames(ctx: GateContext) -> Iterator[Frame]:
    lags = ", ".join(
        f"lag({count}) over scope_years as expected_{count}_prev_year, "
        f"case when {count}_prev_year is null then null else {count} <= {count}_prev_year end as expected_{flag}"
        for flag, count in FLAGS.items()
    )
    select = (
        f"select scope_type, scope_code, year, {', '.join(FLAGS.values())}, "
        f"{', '.join(c + '_prev_year' for c in FLAGS.values())}, {', '.join(FLAGS)}, {lags}, "
        "scope_type || ':' || scope_code || ':' || year as scope_year "
        f"from marts.{MART} window scope_years as (partition by scope_type, scope_code order by year)"
    )
    for chunk in ctx.chunks(select):
        expects = [_scopes.scope_type_expect(MART)]
        for flag, count in FLAGS.items():
            expects.append(Expect(
                f"{MART}.prev_year_twins",
                gxe.ExpectColumnPairValuesToBeEqual(column_A=f"{count}_prev_year", column_B=f"expected_{count}_prev_year",
                                                    ignore_row_if="both_values_are_missing"),
                _marts.explain_rows(f"{count}_prev_year", "scope_year", "不等于上一年的值 (not last year's)"),
            ))
            expects.append(Expect(
                f"{MART}.flags_consistent",
                gxe.ExpectColumnPairValuesToBeEqual(column_A=flag, column_B=f"expected_{flag}",
                                                    ignore_row_if="both_values_are_missing"),
                _marts.explain_rows(flag, "scope_year", f"与 {count} 的比较不符 (disagrees with the counts)"),
            ))
        yield Frame(chunk, expects)


def frames(ctx: GateContext) -> Iterator[Frame]:
    yield from twin_frames(ctx)
    yield from _marts.rates_frames(ctx, MART, "scope_code")
    yield _scopes.county_years_frame(ctx, MART)
    yield _scopes.adds_up_frame(ctx, MART)


SUITES = [Suite(MART, "build", checks, frames)]
