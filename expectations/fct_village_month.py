"""marts.fct_village_month — every known village × month, zeros included.

The grid is complete (villages × months from the first month of data to as_of), counts agree
with each other and with fct_cases, and no town vanished: a town with villages this year
whose recent months are empty although its earlier months predict many items — the signature
of a town's delivery missing.
"""

from __future__ import annotations

from collections.abc import Iterator

import great_expectations.expectations as gxe

from pipelines.gates.context import GateContext
from pipelines.gates.spec import Check, Expect, Frame, Suite

from . import _marts

MART = "fct_village_month"
KEY = "village_code"


def checks(ctx: GateContext) -> list[Check]:
    return [
        Check(f"{MART}.complete_grid", MART, "error",
              "村居 × 月份完整：从数据首月到 as_of 所在月，每个当年已知的村居每月一行"),
        Check(f"{MART}.counts_consistent", MART, "error",
              "分项不超过总量：重复、越级、异常、来访 ≤ 信访量；集体访 ≤ 来访 ≤ 来访人次"),
        Check(f"{MART}.reconciles_with_fct_cases", MART, "error", "每月信访量之和 = fct_cases 中已知村居的件数"),
        Check(f"{MART}.town_vanished", MART, "error", "没有镇区在最近几个月突然没有信访件（[vanishing]）"),
    ]


def grid_frame(ctx: GateContext) -> Frame:
    """Per year: the grid's rows against the village-years known that year (fct_village_year:
    every known village × year) times the year's months within the data's span."""
    grid = ctx.df(
        f"""
        with span as (
            select min(received_month) as first_month, date_trunc('month', cast(? as date)) as last_month
            from marts.fct_cases
        ),
        year_months as (
            select year(month) as year, count(*) as months
            from (
                select unnest(generate_series(first_month, last_month, interval 1 month)) as month
                from span where first_month is not null
            )
            group by 1
        ),
        known as (select year, count(*) as villages from marts.fct_village_year group by 1),
        cells as (select year(month_start) as year, count(*) as cells from marts.{MART} group by 1)
        select year_months.year, year_months.months, coalesce(known.villages, 0) as villages,
            coalesce(known.villages, 0) * year_months.months as expected_cells,
            coalesce(cells.cells, 0) as cells
        from year_months
        left join known on year_months.year = known.year
        left join cells on year_months.year = cells.year
        order by 1
        """,
        [ctx.as_of],
    )
    total = int(grid["cells"].sum()) if len(grid) else 0
    note = f"{len(grid)} 个年度共 {total:,} 行 = 已知村居 × 月份"
    return Frame(grid, [Expect(
        f"{MART}.complete_grid",
        gxe.ExpectColumnPairValuesToBeEqual(column_A="cells", column_B="expected_cells"),
        lambda rows: "；".join(
            f"{int(r.year)} 年 {int(r.cells):,} 行，应为 {int(r.villages):,} 个村居 × {int(r.months)} 个月"
            for r in rows.head(3).itertuples()
        ) + " (incomplete grid)",
    )], note=note)


def row_frames(ctx: GateContext) -> Iterator[Frame]:
    pairs = [
        ("repeat_petitions", "petitions"), ("skip_level_petitions", "petitions"),
        ("abnormal_petitions", "petitions"), ("visits", "petitions"),
        ("collective_petitions", "visits"), ("visits", "visit_person_times"),
    ]
    columns = sorted({c for pair in pairs for c in pair})
    for chunk in _marts.chunks(ctx, MART, ", ".join([KEY, "month_start", *columns])):
        yield Frame(chunk, _marts.not_above(MART, pairs, KEY))


def reconcile_frame(ctx: GateContext) -> Frame:
    months = ctx.df(
        f"""
        with grid as (select month_start, sum(petitions) as grid_items from marts.{MART} group by 1),
        items as (
            select received_month as month_start, count(*) as items
            from marts.fct_cases where is_known_village group by 1
        )
        select coalesce(grid.month_start, items.month_start) as month_start,
            coalesce(grid.grid_items, 0) as grid_items, coalesce(items.items, 0) as items
        from grid full outer join items on grid.month_start = items.month_start
        order by 1
        """
    )
    total = int(months["items"].sum()) if len(months) else 0
    return Frame(months, [Expect(
        f"{MART}.reconciles_with_fct_cases",
        gxe.ExpectColumnPairValuesToBeEqual(column_A="grid_items", column_B="items"),
        lambda rows: "；".join(
            f"{r.month_start:%Y-%m}: 村居月表 {int(r.grid_items):,} 件，fct_cases {int(r.items):,} 件"
            for r in rows.head(3).itertuples()
        ) + " (does not reconcile)",
    )], note=f"{len(months)} 个月共 {total:,} 件与 fct_cases 一致")


def town_frame(ctx: GateContext) -> Frame:
    counts = ctx.df(
        f"""
        select village_year.town_code as key, village_month.month_start as month,
            sum(village_month.petitions) as items
        from marts.{MART} as village_month
        inner join marts.fct_village_year as village_year
            on village_month.village_code = village_year.village_code
            and year(village_month.month_start) = village_year.year
        group by all
        """
    )
    towns = [r[0] for r in ctx.con.sql(
        "select distinct town_code from marts.fct_village_year where year = year(cast(? as date)) "
        "and town_code is not null", params=[ctx.as_of],
    ).fetchall()]
    frame = _marts.vanished(ctx, counts, towns)
    names = _town_names(ctx)
    w = ctx.params("vanishing", "window_months")
    return Frame(frame, [Expect(
        f"{MART}.town_vanished",
        gxe.ExpectColumnValuesToBeBetween(column="window_items", min_value=1),
        lambda rows: "；".join(
            f"镇区 {names.get(r.key, '')}({r.key}) 最近 {w} 个月没有信访件，此前 {int(r.baseline_months)} 个月 "
            f"{int(r.baseline_items)} 件，预计约 {r.expected:.0f} 件，疑似该镇数据缺失 (a town vanished)"
            for r in rows.itertuples()
        ),
    )], note=f"检查了 {len(frame)} 个镇区")


def _town_names(ctx: GateContext) -> dict[str, str]:
    if "town_name" not in ctx.columns("marts", "dim_town"):
        return {}
    return dict(ctx.con.sql("select town_code, town_name from marts.dim_town").fetchall())


def frames(ctx: GateContext) -> Iterator[Frame]:
    yield grid_frame(ctx)
    yield from row_frames(ctx)
    yield reconcile_frame(ctx)
    yield town_frame(ctx)


SUITES = [Suite(MART, "build", checks, frames)]
