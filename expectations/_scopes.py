"""Shared by the marts kept per scope (county, each town, the no-town scopes) and period."""

from __future__ import annotations

import great_expectations.expectations as gxe
import pandas as pd

from pipelines.gates.context import GateContext
from pipelines.gates.spec import Check, Expect, Frame

# CONTRACT §4: the scopes of fct_one_low_four_controls, fct_handling_performance and
# fct_scope_month
SCOPE_TYPES = ("county", "town", "no_town")


def scope_checks(mart: str) -> list[Check]:
    return [
        Check(f"{mart}.scope_type_known", mart, "error", "scope_type 为 county、town 或 no_town"),
        adds_up_check(mart),
        Check(f"{mart}.reconciles_with_fct_cases", mart, "error",
              "县级每年信访量 = fct_cases 该年件数（从首年到 as_of 所在年，无件的年份为 0）"),
    ]


def scope_type_expect(mart: str) -> Expect:
    return Expect(f"{mart}.scope_type_known",
                  gxe.ExpectColumnValuesToBeInSet(column="scope_type", value_set=list(SCOPE_TYPES)),
                  lambda rows: "未知的 scope_type " + ", ".join(repr(v) for v in rows["scope_type"].unique()[:3]))


def county_years_frame(ctx: GateContext, mart: str) -> Frame:
    years = ctx.df(
        f"""
        with mart as (
            select year, petitions from marts.{mart} where scope_type = 'county'
        ),
        items as (select received_year as year, count(*) as items from marts.fct_cases group by 1),
        span as (
            select unnest(range(min(received_year), year(cast(? as date)) + 1)) as year
            from marts.fct_cases
        )
        select span.year, mart.petitions, coalesce(items.items, 0) as items
        from span
        left join mart on span.year = mart.year
        left join items on span.year = items.year
        order by 1
        """,
        [ctx.as_of],
    )
    years["petitions"] = pd.to_numeric(years["petitions"]).astype("Float64")
    return Frame(years, [
        Expect(f"{mart}.reconciles_with_fct_cases", gxe.ExpectColumnValuesToNotBeNull(column="petitions"),
               lambda rows: "缺少县级年度行：" + ", ".join(str(int(y)) for y in rows["year"]) + " (missing years)"),
        Expect(f"{mart}.reconciles_with_fct_cases",
               gxe.ExpectColumnPairValuesToBeEqual(column_A="petitions", column_B="items",
                                                   ignore_row_if="either_value_is_missing"),
               lambda rows: "；".join(
                   f"{int(r.year)} 年县级 {r.petitions:.0f} 件，fct_cases {int(r.items):,} 件" for r in rows.head(3).itertuples()
               ) + " (does not reconcile)"),
    ], note=f"{len(years)} 个年度的县级信访量与 fct_cases 一致")


def adds_up_check(mart: str) -> Check:
    return Check(f"{mart}.scopes_add_up", mart, "error",
                 "每个计数列、每个时期：全县 = 各镇区 + 县直 + 未落地 (the county is the sum of its scopes)")


def adds_up_frame(ctx: GateContext, mart: str, period: str = "year") -> Frame:
    """County minus the sum of the towns and the no-town scopes, for every count column
    (integer columns but the period) and period: every difference is zero."""
    counts = [name for (name,) in ctx.con.sql(
        "select column_name from information_schema.columns where table_schema = 'marts' "
        "and table_name = ? and data_type in ('BIGINT', 'INTEGER', 'HUGEINT') "
        "and column_name <> ? order by ordinal_position", params=[mart, period]).fetchall()]
    differences = ", ".join(
        f"sum(case when scope_type = 'county' then coalesce({c}, 0) "
        f"else -coalesce({c}, 0) end) as {c}" for c in counts)
    wide = ctx.df(f"select {period} as period, {differences} from marts.{mart} group by 1")
    long = wide.melt(id_vars="period", var_name="column", value_name="difference")
    return Frame(long, [
        Expect(f"{mart}.scopes_add_up",
               gxe.ExpectColumnValuesToBeBetween(column="difference", min_value=0, max_value=0),
               lambda rows: "；".join(
                   f"{r.period} {r.column}: 全县比各范围之和多 {int(r.difference)}"
                   for r in rows.head(3).itertuples()) + " (scopes do not add up)"),
    ], note=f"{wide.shape[0]} 个时期 × {len(counts)} 个计数列：全县 = 各范围之和")
