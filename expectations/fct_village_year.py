"""marts.fct_village_year — every known village × year: the five indicators and petitions per
1,000 residents (the ranking columns are checked by dbt's own tests)."""

from __future__ import annotations

from collections.abc import Iterator

import great_expectations.expectations as gxe

from pipelines.gates.context import GateContext
from pipelines.gates.spec import Check, Expect, Frame, Suite

from . import _marts

MART = "fct_village_year"
KEY = "village_code"


def checks(ctx: GateContext) -> list[Check]:
    return [
        Check(f"{MART}.population_positive", MART, "error", "户籍人口 ≥ 1"),
        Check(f"{MART}.population_plausible", MART, "warn", "户籍人口不超过 [ranges] max_population"),
        Check(f"{MART}.per_1k_consistent", MART, "error", "每千人信访量 = 1000 × 信访量 / 户籍人口"),
        Check(f"{MART}.counts_consistent", MART, "error", "分项（重复、越级、集体、异常）不超过信访量"),
        Check(f"{MART}.reconciles_with_village_month", MART, "error", "每年信访量之和 = 村居月表该年之和"),
    ]


def row_frames(ctx: GateContext) -> Iterator[Frame]:
    tolerance = ctx.params("ranges", "tolerance")
    pairs = [(c, "petitions") for c in
             ("repeat_petitions", "skip_level_petitions", "collective_petitions", "abnormal_petitions")]
    select = ", ".join([
        KEY, "year", "population", "petitions", *(p for p, _ in pairs),
        "abs(petitions_per_1k - 1000.0 * petitions / population) as per_1k_error",
    ])
    for chunk in _marts.chunks(ctx, MART, select):
        yield Frame(chunk, [
            Expect(f"{MART}.population_positive",
                   gxe.ExpectColumnValuesToBeBetween(column="population", min_value=1),
                   _marts.explain_rows("population", KEY, "小于 1 (below 1)")),
            Expect(f"{MART}.population_plausible",
                   gxe.ExpectColumnValuesToBeBetween(column="population",
                                                     max_value=ctx.params("ranges", "max_population")),
                   _marts.explain_rows("population", KEY, "过大 (implausibly large)")),
            Expect(f"{MART}.per_1k_consistent",
                   gxe.ExpectColumnValuesToBeBetween(column="per_1k_error", max_value=tolerance),
                   _marts.explain_rows("per_1k_error", KEY, "偏差过大 (petitions_per_1k disagrees)")),
            *_marts.not_above(MART, pairs, KEY),
        ])


def reconcile_frame(ctx: GateContext) -> Frame:
    years = ctx.df(
        f"""
        with village_year as (select year, sum(petitions) as year_items from marts.{MART} group by 1),
        village_month as (
            select cast(year(month_start) as integer) as year, sum(petitions) as month_items
            from marts.fct_village_month group by 1
        )
        select coalesce(village_year.year, village_month.year) as year,
            coalesce(year_items, 0) as year_items, coalesce(month_items, 0) as month_items
        from village_year full outer join village_month on village_year.year = village_month.year
        order by 1
        """
    )
    return Frame(years, [Expect(
        f"{MART}.reconciles_with_village_month",
        gxe.ExpectColumnPairValuesToBeEqual(column_A="year_items", column_B="month_items"),
        lambda rows: "；".join(
            f"{int(r.year)} 年: 村居年表 {int(r.year_items):,} 件，村居月表 {int(r.month_items):,} 件"
            for r in rows.head(3).itertuples()
        ) + " (does not reconcile)",
    )], note=f"{len(years)} 个年度一致")


def frames(ctx: GateContext) -> Iterator[Frame]:
    yield from row_frames(ctx)
    yield reconcile_frame(ctx)


SUITES = [Suite(MART, "build", checks, frames)]
