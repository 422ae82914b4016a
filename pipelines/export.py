"""`xinfang export --year Y [--out DIR]`: the annual assessment workbook (年度考核工作簿).

One XLSX in Chinese, read only from the published warehouse (pipelines.warehouse.connect):

    一低四控 · 村居考核 · 示范村居名单 · 少登记提示 · 干部考评 · 先进个人候选 · 问责提示 ·
    办理质量 · 数据说明

and a CSV (UTF-8 with BOM, for Excel) and a Parquet copy of every sheet beside it. Vocabulary
labels come from the seeds (pipelines.seeds.labels) and indicator labels from the build's
seed `ranking_indicators`; only headers and the notes are presentation text written here.

Reproducible: rows are in a fixed order, the only run-specific cells are the as_of date and
the build id (数据说明), and the workbook's document properties carry the as_of date instead
of the wall clock, so identical inputs give an identical workbook, byte for byte. Every file
is written by pipelines.writers, which escapes formula-like text (a leading apostrophe) in
the workbook and in the copies. Files are written under temporary names and renamed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import polars as pl

from pipelines import paths, writers
from pipelines.errors import UsageError, XinfangError
from pipelines.seeds import labels
from pipelines.warehouse import attached_build_id, connect

WORKBOOK_STEM = "assessment"
COUNTY_LABEL = "全县"

# Column kinds: how a value is shown (cell format, or a label from the seeds).
TEXT, INT, PCT, NUM2, NUM3, PROB, BOOL, FUNNEL, DIRECTION, UNIT = (
    "text", "int", "pct", "num2", "num3", "prob", "bool", "funnel", "direction", "unit",
)
NUMBER_FORMATS = {INT: "#,##0", PCT: "0.0%", NUM2: "0.00", NUM3: "0.000", PROB: "0.00"}
NUMERIC = set(NUMBER_FORMATS)


@dataclass(frozen=True)
class Column:
    source: str  # column of the sheet's query
    header: str  # Chinese header
    kind: str = TEXT


@dataclass(frozen=True)
class Sheet:
    name: str  # sheet name (Chinese)
    key: str  # file-name key of the CSV/Parquet copy
    query: Callable[[int], str] | None  # SQL for a year (None: built in Python)
    columns: tuple[Column, ...]
    frozen_columns: int = 1


# ------------------------------------------------------------------------------- sheet specs
def _scope_query(table: str) -> Callable[[int], str]:
    def query(year: int) -> str:
        return f"""
            select
                f.*,
                case
                    when f.scope_type = 'county' then '{COUNTY_LABEL}'
                    else coalesce(t.town_name, f.scope_code)
                end as scope_label
            from marts.{table} as f
            left join marts.dim_town as t
                on f.scope_type = 'town' and t.town_code = f.scope_code
            where f.year = {int(year)}
            order by f.scope_type = 'town', f.scope_code
        """
    return query


def _village_query(table: str, order: str) -> Callable[[int], str]:
    def query(year: int) -> str:
        return f"""
            select f.*, v.village_name, coalesce(t.town_name, f.town_code) as town_label
            from marts.{table} as f
            left join marts.dim_village as v on v.village_code = f.village_code
            left join marts.dim_town as t on t.town_code = f.town_code
            where f.year = {int(year)}
            order by {order}
        """
    return query


def _cadre_query(table: str, order: str) -> Callable[[int], str]:
    def query(year: int) -> str:
        return f"""
            select f.*, c.cadre_name, c.unit_name
            from marts.{table} as f
            left join marts.dim_cadre as c on c.cadre_id = f.cadre_id
            where f.year = {int(year)}
            order by {order}
        """
    return query


def _flags_query(year: int) -> str:
    return f"""
        select
            f.*,
            coalesce(v.village_name, c.cadre_name) as unit_name,
            coalesce(i.label_zh, f.indicator) as indicator_label
        from marts.fct_accountability_flags as f
        left join marts.dim_village as v
            on f.unit_type = 'village' and v.village_code = f.unit_id
        left join marts.dim_cadre as c on f.unit_type = 'cadre' and c.cadre_id = f.unit_id
        left join seeds.ranking_indicators as i
            on i.unit_type = f.unit_type and i.indicator = f.indicator
        where f.year = {int(year)}
        order by f.unit_type desc, f.unit_id, f.indicator
    """


def _controlled(name: str, label: str) -> tuple[Column, ...]:
    return (
        Column(name, label, INT),
        Column(f"{name}_prev_year", f"上年{label}", INT),
    )


ONE_LOW = Sheet("一低四控", "one_low_four_controls", _scope_query("fct_one_low_four_controls"), (
    Column("scope_label", "范围"),
    *_controlled("petitions", "信访总量"),
    Column("is_low_running", "低位运行", BOOL),
    *_controlled("repeat_petitions", "重复信访件数"),
    Column("is_repeat_controlled", "重复信访受控", BOOL),
    *_controlled("skip_level_petitions", "越级访件数"),
    Column("is_skip_level_controlled", "越级访受控", BOOL),
    *_controlled("collective_petitions", "集体访件数"),
    Column("is_collective_controlled", "集体访受控", BOOL),
    *_controlled("abnormal_petitions", "异常访件数"),
    Column("is_abnormal_controlled", "异常访受控", BOOL),
    Column("visits", "来访件数", INT),
    Column("repeat_visits", "重复来访件数", INT),
    Column("repeat_visit_share", "重访占来访比", PCT),
))

VILLAGE_RANKED = (
    ("petitions_per_1k", "每千人信访量"),
    ("repeat_petitions_per_1k", "每千人重复信访量"),
    ("skip_level_petitions_per_1k", "每千人越级访量"),
    ("collective_petitions_per_1k", "每千人集体访量"),
    ("abnormal_petitions_per_1k", "每千人异常访量"),
    ("first_time_closure_rate", "初信初访一个月内办结率"),
    ("satisfaction_rate", "满意率"),
)
CADRE_RANKED = (
    ("on_time_rate", "按期办结率"),
    ("ceased_rate", "停诉息访率"),
    ("satisfaction_rate", "满意率"),
    ("repeats_per_closed", "办结后重复信访（每件办结）"),
    ("escalations_per_item", "越级上行（每件）"),
)


def _ranking_columns(indicators: Sequence[tuple[str, str]], rate_kind: Callable[[str], str]
                     ) -> tuple[Column, ...]:
    out: list[Column] = []
    for name, label in indicators:
        out += [
            Column(f"{name}_eb", f"{label}（经验贝叶斯）", rate_kind(name)),
            Column(f"{name}_z", f"{label} z值", NUM2),
            Column(f"{name}_funnel", f"{label} 漏斗图位置", FUNNEL),
        ]
    out += [
        Column("is_insufficient_data", "数据不足不排名", BOOL),
        Column("ranked_units", "参与排名数", INT),
        Column("composite_score", "综合得分", NUM3),
        Column("rank_median", "名次中位数", INT),
        Column("rank_low", "名次区间（90%）上端", INT),
        Column("rank_high", "名次区间（90%）下端", INT),
        Column("p_top_decile", "位列前10%概率", PROB),
        Column("p_bottom_decile", "位列后10%概率", PROB),
    ]
    return tuple(out)


def _village_rate_kind(name: str) -> str:
    return NUM2 if name.endswith("_per_1k") else PCT


def _cadre_rate_kind(name: str) -> str:
    return NUM3 if name.endswith(("_per_closed", "_per_item")) else PCT


VILLAGES = Sheet("村居考核", "village_assessment", _village_query(
    "fct_village_year", "f.town_code, f.village_code"), (
    Column("village_code", "村居代码"),
    Column("village_name", "村居名称"),
    Column("town_label", "镇区"),
    Column("population", "户籍人口", INT),
    Column("petitions", "信访总量", INT),
    Column("petitions_per_1k", "每千人信访量", NUM2),
    Column("repeat_petitions", "重复信访件数", INT),
    Column("skip_level_petitions", "越级访件数", INT),
    Column("collective_petitions", "集体访件数", INT),
    Column("abnormal_petitions", "异常访件数", INT),
    Column("is_meets_standard", "达到创建标准", BOOL),
    Column("first_time_due", "初信初访应办结件数", INT),
    Column("first_time_closure_rate", "初信初访一个月内办结率", PCT),
    Column("rated", "评价件数", INT),
    Column("satisfaction_rate", "满意率", PCT),
    Column("local_petitions", "本地登记件数", INT),
    Column("above_county_petitions", "县以上登记件数", INT),
    *_ranking_columns(VILLAGE_RANKED, _village_rate_kind),
    Column("is_under_registration_signal", "疑似少登记", BOOL),
    Column("accountability_flags", "问责提示项数", INT),
    Column("is_model_village", "示范村居", BOOL),
), frozen_columns=2)

MODEL_VILLAGES = Sheet("示范村居名单", "model_villages", _village_query(
    "fct_model_village_list", "f.list_order"), (
    Column("list_order", "序号", INT),
    Column("village_code", "村居代码"),
    Column("village_name", "村居名称"),
    Column("town_label", "镇区"),
    Column("population", "户籍人口", INT),
    Column("petitions", "信访总量", INT),
    Column("petitions_per_1k", "每千人信访量", NUM2),
    Column("petitions_per_1k_eb", "每千人信访量（经验贝叶斯）", NUM2),
    Column("repeat_petitions", "重复信访件数", INT),
    Column("skip_level_petitions", "越级访件数", INT),
    Column("collective_petitions", "集体访件数", INT),
    Column("abnormal_petitions", "异常访件数", INT),
    Column("first_time_closure_rate", "初信初访一个月内办结率", PCT),
    Column("satisfaction_rate", "满意率", PCT),
    Column("local_petitions", "本地登记件数", INT),
    Column("above_county_petitions", "县以上登记件数", INT),
    Column("above_county_petitions_per_1k_funnel", "县以上登记 漏斗图位置", FUNNEL),
    Column("is_insufficient_data", "数据不足不排名", BOOL),
    Column("rank_median", "名次中位数", INT),
    Column("rank_low", "名次区间（90%）上端", INT),
    Column("rank_high", "名次区间（90%）下端", INT),
    Column("p_top_decile", "位列前10%概率", PROB),
    Column("accountability_flags", "问责提示项数", INT),
), frozen_columns=3)

UNDER_REGISTRATION = Sheet("少登记提示", "under_registration", _village_query(
    "fct_under_registration_flags", "f.town_code, f.village_code"), (
    Column("village_code", "村居代码"),
    Column("village_name", "村居名称"),
    Column("town_label", "镇区"),
    Column("population", "户籍人口", INT),
    Column("petitions", "信访总量", INT),
    Column("local_petitions", "本地登记件数", INT),
    Column("local_petitions_per_1k", "每千人本地登记量", NUM2),
    Column("local_petitions_per_1k_eb", "每千人本地登记量（经验贝叶斯）", NUM2),
    Column("county_local_petitions_per_1k", "全县每千人本地登记量", NUM2),
    Column("above_county_petitions", "县以上登记件数", INT),
    Column("above_county_petitions_per_1k", "每千人县以上登记量", NUM2),
    Column("above_county_petitions_per_1k_eb", "每千人县以上登记量（经验贝叶斯）", NUM2),
    Column("county_above_county_petitions_per_1k", "全县每千人县以上登记量", NUM2),
    Column("above_county_limit", "控制限", NUM2),
    Column("above_county_petitions_per_1k_z", "z值", NUM2),
    Column("above_county_petitions_per_1k_funnel", "漏斗图位置", FUNNEL),
    Column("skip_level_petitions", "越级访件数", INT),
    Column("is_meets_standard", "按件数达到创建标准", BOOL),
), frozen_columns=2)

CADRES = Sheet("干部考评", "cadre_evaluation", _cadre_query("fct_cadre_year", "f.cadre_id"), (
    Column("cadre_id", "干部编号"),
    Column("cadre_name", "姓名"),
    Column("unit_name", "单位"),
    Column("cases_assigned", "经办件数", INT),
    Column("cases_as_lead", "包保领导件数", INT),
    Column("cases_as_responsible", "包保责任人件数", INT),
    Column("closed", "办结件数", INT),
    Column("on_time_rate", "按期办结率", PCT),
    Column("ceased_rate", "停诉息访率", PCT),
    Column("satisfaction_rate", "满意率", PCT),
    Column("repeats_after_close", "办结后重复信访件数", INT),
    Column("escalations", "越级上行件数", INT),
    *_ranking_columns(CADRE_RANKED, _cadre_rate_kind),
    Column("is_case_mix_adjusted", "已按问题领域调整", BOOL),
    Column("indicators_beyond_95", "超出95%控制限（不利方向）指标数", INT),
    Column("accountability_flags", "问责提示项数", INT),
    Column("is_candidate_eligible", "符合推荐资格", BOOL),
    Column("is_advanced_candidate", "先进个人候选", BOOL),
), frozen_columns=2)

CANDIDATES = Sheet("先进个人候选", "advanced_candidates", _cadre_query(
    "fct_cadre_candidates", "f.candidate_order"), (
    Column("candidate_order", "序号", INT),
    Column("cadre_id", "干部编号"),
    Column("cadre_name", "姓名"),
    Column("unit_name", "单位"),
    Column("cases_assigned", "经办件数", INT),
    Column("p_top_decile", "位列前10%概率", PROB),
    Column("rank_median", "名次中位数", INT),
    Column("rank_low", "名次区间（90%）上端", INT),
    Column("rank_high", "名次区间（90%）下端", INT),
    Column("ranked_units", "参与排名数", INT),
    Column("composite_score", "综合得分", NUM3),
    Column("on_time_rate_eb", "按期办结率（经验贝叶斯）", PCT),
    Column("ceased_rate_eb", "停诉息访率（经验贝叶斯）", PCT),
    Column("satisfaction_rate_eb", "满意率（经验贝叶斯）", PCT),
    Column("repeats_per_closed_eb", "办结后重复信访（经验贝叶斯）", NUM3),
    Column("escalations_per_item_eb", "越级上行（经验贝叶斯）", NUM3),
), frozen_columns=3)

FLAGS = Sheet("问责提示", "accountability_flags", _flags_query, (
    Column("unit_type", "对象类型", UNIT),
    Column("unit_id", "编号"),
    Column("unit_name", "名称"),
    Column("indicator_label", "指标"),
    Column("direction", "方向", DIRECTION),
    Column("years_beyond", "连续超限年数", INT),
    Column("observed", "本年件数", NUM2),
    Column("denominator", "本年分母", NUM2),
    Column("value", "本年值", NUM3),
    Column("target", "本年目标（中心线）", NUM3),
    Column("limit_998", "本年99.8%控制限", NUM3),
    Column("z", "本年z值", NUM2),
    Column("funnel_position", "本年漏斗图位置", FUNNEL),
    Column("observed_prev_year", "上年件数", NUM2),
    Column("denominator_prev_year", "上年分母", NUM2),
    Column("value_prev_year", "上年值", NUM3),
    Column("limit_998_prev_year", "上年99.8%控制限", NUM3),
    Column("z_prev_year", "上年z值", NUM2),
    Column("funnel_position_prev_year", "上年漏斗图位置", FUNNEL),
), frozen_columns=3)

HANDLING = Sheet("办理质量", "handling_quality", _scope_query("fct_handling_performance"), (
    Column("scope_label", "范围"),
    Column("petitions", "信访总量", INT),
    Column("first_time_due", "初信初访应办结件数", INT),
    Column("first_time_closed_within_30d", "一个月内办结件数", INT),
    Column("first_time_closure_rate", "初信初访一个月内办结率", PCT),
    Column("on_time_due", "应按期办结件数", INT),
    Column("on_time", "按期办结件数", INT),
    Column("on_time_rate", "按期办结率", PCT),
    Column("accepted_on_time_rate", "按时受理率", PCT),
    Column("feedback_on_time_rate", "实名举报按时反馈率", PCT),
    Column("closed", "办结件数", INT),
    Column("ceased", "停诉息访件数", INT),
    Column("ceased_rate", "停诉息访率", PCT),
    Column("rated", "评价件数", INT),
    Column("satisfaction_rate", "满意率", PCT),
    Column("shelved", "暂存件数", INT),
    Column("shelved_share", "暂存件占比", PCT),
    Column("leads", "问题线索件数", INT),
    Column("cases_opened", "成案件数", INT),
    Column("case_conversion_rate", "线索成案率", PCT),
    Column("real_name_share", "实名举报占比", PCT),
    Column("visit_share", "来访占比", PCT),
))

NOTES = Sheet("数据说明", "notes", None, (
    Column("section", "类别"),
    Column("item", "项目"),
    Column("value", "取值"),
    Column("note", "说明"),
), frozen_columns=0)

SHEETS: tuple[Sheet, ...] = (
    ONE_LOW, VILLAGES, MODEL_VILLAGES, UNDER_REGISTRATION, CADRES, CANDIDATES, FLAGS, HANDLING,
    NOTES,
)

DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("信访件", "cases 中的一行；信访总量按件计，来访另按人次（人数）计。"),
    ("重复信访", "关联件编号指向在先的件，或同一人（身份哈希）同一问题领域在先件在重复认定时限内。"),
    ("越级访", "登记层级高于管辖层级，且同一事项此前未在管辖层级或以下登记（有登记标志时以标志为准）。"),
    ("集体访", "来访且人数不少于集体访人数下限。"),
    ("异常访", "有异常行为记录。"),
    ("初信初访一个月内办结率", "非重复件中一个月内办结的比例；尚在时限内的未办结件不计入分母。"),
    ("按期办结率", "在办理期限（含延期，延期合计有上限）内办结的比例；未到期的未办结件不计入分母。"),
    ("满意率", "（满意 + 权重 × 基本满意）/ 已评价件数。"),
    ("停诉息访率", "已办结件中息访的比例。"),
    ("示范村居创建标准", "每千人信访量、重复信访、越级访、集体访、异常访五项均达标（见“创建标准”参数）。"),
    ("一低四控", "信访总量不高于上年为低位运行；重复、越级、集体、异常访件数不高于上年为受控；首年无上年，不作判断。"),
    ("经验贝叶斯估计", "按全县水平对小样本比率收缩：每千人指标用泊松-伽马模型（Marshall 全局估计），比例指标用贝塔-二项模型（矩估计）；数据无法区分单位时全部收缩到全县水平。"),
    ("漏斗图位置", "与全县水平（干部按问题领域调整后的期望值）比较的95%、99.8%控制限（精确二项/泊松分布插值）；存在过度离散时用缩尾z值估计τ²加宽控制限。"),
    ("综合得分", "各指标经验贝叶斯估计与目标值之比（越低越好的指标达到目标即满分），按权重几何平均；1 表示各项恰好达到目标。"),
    ("名次与概率", "按后验分布和权重不确定性做蒙特卡洛模拟（固定随机数种子），给出名次中位数、90%名次区间及位列前/后10%的概率；名次 1 为最好。不以单一名次作奖惩依据。"),
    ("数据不足", "村居每千人信访量的经验贝叶斯权重低于下限，或干部当年经办件数少于下限：不参与排名，名次与概率为空。"),
    ("示范村居名单", "达到创建标准且无疑似少登记提示的村居（按镇区、村居代码排列，非排名）。"),
    ("疑似少登记", "县以上（市、省、中央）登记量超出控制限且件数不少于下限，而本地登记量（经验贝叶斯）不高于全县水平。"),
    ("先进个人候选", "符合推荐资格且位列前10%的概率不低于门槛的干部，按概率从高到低，至多若干名；无人达到门槛时名单为空。"),
    ("问责提示", "某项指标在不利方向上连续若干年超出经过度离散调整的99.8%控制限。"),
)


# --------------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class WorkbookData:
    year: int
    as_of: date
    build_id: str
    frames: dict[str, pl.DataFrame]  # sheet name → displayed frame (Chinese headers)


def _available_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    rows = con.sql(
        "select distinct year from marts.fct_one_low_four_controls "
        "union select distinct year from marts.fct_village_year order by 1"
    ).fetchall()
    return [int(r[0]) for r in rows]


def _display(frame: pl.DataFrame, columns: Sequence[Column]) -> pl.DataFrame:
    """The sheet as shown: Chinese headers, labels for codes and booleans, text as text."""
    yes_no = labels("yes_no")
    maps = {
        BOOL: {True: yes_no["yes"], False: yes_no["no"]},
        FUNNEL: labels("funnel_position"),
        DIRECTION: labels("ranking_direction"),
        UNIT: labels("ranked_unit"),
    }
    out: dict[str, pl.Series] = {}
    for column in columns:
        values = frame[column.source].to_list() if column.source in frame.columns else [None] * (
            frame.height)
        if column.kind in maps:
            mapping = maps[column.kind]
            shown = [None if v is None else mapping.get(v, str(v)) for v in values]
            out[column.header] = pl.Series(column.header, shown, dtype=pl.String)
        elif column.kind == INT:
            out[column.header] = pl.Series(column.header, values, dtype=pl.Int64, strict=False)
        elif column.kind in NUMERIC:
            out[column.header] = pl.Series(column.header, values, dtype=pl.Float64, strict=False)
        else:
            shown = [None if v is None else _text(v) for v in values]
            out[column.header] = pl.Series(column.header, shown, dtype=pl.String)
    return pl.DataFrame(out) if out else pl.DataFrame()


def _text(value: object) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _notes(con: duckdb.DuckDBPyConnection, year: int, as_of: date, build_id: str) -> pl.DataFrame:
    rows: list[tuple[str, str, str, str]] = [
        ("基本信息", "考核年度", str(year), ""),
        ("基本信息", "数据截止日期（as_of）", as_of.isoformat(), "同一数据、同一截止日期得到相同结果"),
        ("基本信息", "构建编号", build_id, "已发布的数据仓库构建"),
    ]
    rows += [("指标定义", name, "", text) for name, text in DEFINITIONS]
    for parameter, value, unit, text in con.sql(
        "select parameter, value, unit, description_zh from seeds.parameters order by parameter"
    ).fetchall():
        rows.append(("业务参数", parameter, _text(value), f"{text}（{unit}）"))
    for indicator, label, value in con.sql(
        "select indicator, label_zh, max_value from seeds.village_standards order by indicator"
    ).fetchall():
        rows.append(("创建标准", indicator, _text(value), f"{label} 不高于此值"))
    for parameter, value, unit, text in con.sql(
        "select parameter, value, unit, description_zh from seeds.ranking_parameters "
        "order by parameter"
    ).fetchall():
        rows.append(("排名参数", parameter, _text(value), f"{text}（{unit}）"))
    for rule, value, text in con.sql(
        "select rule, value, description_zh from seeds.candidate_eligibility order by rule"
    ).fetchall():
        rows.append(("先进个人推荐资格", rule, _text(value), text))
    direction = labels("ranking_direction")
    for unit_type, indicator, label, role, direction_code, target, cap, weight, low, high, mix in (
        con.sql(
            "select unit_type, indicator, label_zh, role, direction, target, cap, weight, "
            "weight_low, weight_high, case_mix from seeds.ranking_indicators "
            "order by unit_type desc, sort_order, indicator"
        ).fetchall()
    ):
        unit_label = labels("ranked_unit").get(unit_type, unit_type)
        if role == "ranked":
            text = (
                f"{unit_label}·{label}；{direction.get(direction_code, direction_code)}；"
                f"目标 {_text(target)}"
                + (f"，达到目标即满分（上限 {_text(cap)}）" if cap is not None else "")
                + f"；权重范围 {_text(low)}–{_text(high)}"
                + ("；按问题领域调整案件结构" if mix else "")
            )
            rows.append(("排名指标与权重", indicator, _text(weight), text))
        else:
            rows.append(("提示指标", indicator, "", f"{unit_label}·{label}（不计入综合得分）"))
    frame = pl.DataFrame(rows, schema=["section", "item", "value", "note"], orient="row")
    return _display(frame, NOTES.columns)


def read_workbook_data(year: int) -> WorkbookData:
    """Every sheet of the workbook for `year`, from the published warehouse."""
    with connect(require_build=True) as con:
        build_id = attached_build_id(con) or ""
        years = _available_years(con)
        if year not in years:
            span = f"{years[0]}–{years[-1]}" if years else "无"
            raise UsageError(f"年度 {year} 不在数据范围内（{span}）(year outside the data)")
        as_of = con.sql("select max(as_of) from meta.build_info").fetchall()[0][0]
        frames: dict[str, pl.DataFrame] = {}
        for sheet in SHEETS:
            if sheet.query is None:
                frames[sheet.name] = _notes(con, year, as_of, build_id)
            else:
                frames[sheet.name] = _display(con.sql(sheet.query(year)).pl(), sheet.columns)
    return WorkbookData(year, as_of, build_id, frames)


# --------------------------------------------------------------------------------- writing
def write_xlsx(data: WorkbookData, target: Path) -> None:
    sheets = [
        writers.Sheet(
            sheet.name,
            data.frames[sheet.name],
            formats={c.header: NUMBER_FORMATS[c.kind] for c in sheet.columns
                     if c.kind in NUMBER_FORMATS},
            frozen=(1, sheet.frozen_columns),
        )
        for sheet in SHEETS
    ]
    writers.write_xlsx(
        sheets,
        target,
        properties={
            "title": f"{data.year}年度信访工作考核",
            "subject": "年度考核工作簿",
            "comments": f"as_of {data.as_of.isoformat()} · build {data.build_id}",
        },
        created=datetime.combine(data.as_of, time()),
    )


def _replace(tmp: Path, final: Path) -> None:
    os.replace(tmp, final)


def export_workbook(year: int, out: Path | None = None, *, quiet: bool = False) -> Path:
    """Write the workbook and its CSV/Parquet copies; returns the workbook's path."""
    data = read_workbook_data(int(year))
    folder = Path(out) if out is not None else paths.exports_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"无法创建输出目录 {folder}：{exc.strerror or exc}") from None
    stem = f"{WORKBOOK_STEM}_{data.year}"
    written: list[tuple[Path, Path]] = []
    try:
        workbook = folder / f"{stem}.xlsx"
        tmp = folder / f".{stem}.xlsx.tmp"
        write_xlsx(data, tmp)
        written.append((tmp, workbook))
        for sheet in SHEETS:
            frame = data.frames[sheet.name]
            csv_path = folder / f"{stem}_{sheet.key}.csv"
            csv_tmp = folder / f".{csv_path.name}.tmp"
            writers.write_csv(frame, csv_tmp)
            written.append((csv_tmp, csv_path))
            parquet_path = folder / f"{stem}_{sheet.key}.parquet"
            parquet_tmp = folder / f".{parquet_path.name}.tmp"
            writers.write_parquet(frame, parquet_tmp)
            written.append((parquet_tmp, parquet_path))
    except OSError as exc:
        for tmp_path, _ in written:
            tmp_path.unlink(missing_ok=True)
        raise UsageError(f"无法写入导出文件：{exc.strerror or exc}") from None
    for tmp_path, final in written:
        _replace(tmp_path, final)
    if not quiet:
        from rich.console import Console

        Console(highlight=False).print(
            f"✓ 已导出 {data.year} 年度考核工作簿: {workbook} "
            f"（另有 {len(SHEETS)} 个工作表的 CSV 与 Parquet 副本）",
            soft_wrap=True,
        )
    return workbook
