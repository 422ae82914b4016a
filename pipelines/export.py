"""`xinfang export --year Y [--out DIR]`: the annual assessment workbook (年度考核工作簿).

One XLSX in Chinese, read only from the published warehouse (pipelines.warehouse.connect),
ready to print and file:

    封面 · 考核摘要 · 一低四控 · 村居考核 · 需关注村居 · 示范村居命名与摘牌 · 漏登提示 · 干部考评 ·
    先进个人候选 · 十件新事候选与依据 · 问责提示 · 办理质量 · 技术附表 · 数据说明

- 封面 (cover): the county (label `export.county_name`), the year, the as_of date, the build
  id, and lines left blank for 填报人, 审核人 and 日期, filled in by hand.
- 考核摘要: the county's 一低四控 and headline figures (leads, cases opened, repeat-visit
  share, closure within a month, shelved share, villages meeting the standard), each with its
  unit, its target (seeds.dashboard_targets, or last year for 一低四控) and the verdict
  (the mart's flags; 达标/未达标 against a target).
- 一低四控 lists every town, the two no-town scopes (县直, 未落地) and, last, the county,
  which is their sum; the other scope sheet (办理质量) has the same rows in the same order.
- 村居考核 and 干部考评 keep the plain figures and the decisions; their empirical-Bayes
  estimates, z scores, funnel positions, composite scores, ranks and probabilities are in
  技术附表, one row per unit and ranked indicator plus one per unit for the composite score.

Sheet names, column headers and code labels are the published build's seed labels
(pipelines.labels: `sheet.<key>`, `column.<source column>`, the vocabularies), so a workbook
never mixes today's labels with an older build's figures; the notes sheet's definitions are
labels too (`definition.<term>`). A header states its column's unit (件, 人, %, 天) by the
column's kind (`UNITS`, label `export.header_unit`); where the unit changes from row to row
(考核摘要, 问责提示, 技术附表) a 计量单位 column states it; shares are shown in per cent. A sheet
without rows says why in the row under its header (the dashboards' "none" text and the rule).
Every sheet prints on A4 landscape, one page wide, with the header row repeated, the county
and year in the page header and the page number in the footer (pipelines.writers.Page).

A CSV (UTF-8 with BOM, for Excel) and a Parquet copy of every sheet but the cover (a form to
sign, not a table) is written beside the workbook; a copy of an empty sheet is its header.

Reproducible: rows are in a fixed order, the only run-specific cells are the as_of date and
the build id (封面, 数据说明), and the workbook's document properties carry the as_of date
instead of the wall clock, so identical inputs give an identical workbook, byte for byte.
Every file is written by pipelines.writers, which escapes formula-like text (a leading
apostrophe) in the workbook and in the copies. Files are written under temporary names and
renamed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipelines import paths, writers
from pipelines.errors import UsageError
from pipelines.labels import Labels, from_connection
from pipelines.warehouse import attached_build_id, connect

WORKBOOK_STEM = "assessment"

# Column kinds: how a value is shown (cell format, unit, or a label from the seeds).
(TEXT, INT, ITEMS, PEOPLE, PER_1K, PCT, DAYS, NUM2, NUM3, PROB, VALUE, BOOL, FUNNEL, DIRECTION,
 UNIT, INDICATOR, MEASURE) = (
    "text", "int", "items", "people", "per_1k", "pct", "days", "num2", "num3", "prob", "value",
    "bool", "funnel", "direction", "unit", "indicator", "measure",
)
TITLE_STATUS, TITLE_REASON, SUBJECT, INDICATORS = "title_status", "title_reason", "subject", "indicators"
VOCABULARY_KINDS = {FUNNEL: "funnel_position", DIRECTION: "ranking_direction", UNIT: "ranked_unit",
                    TITLE_STATUS: "title_status", TITLE_REASON: "title_reason",
                    SUBJECT: "subject_code"}
# the selection sheet's codes: each kind is its vocabulary's name
VOCABULARY_KINDS |= {v: v for v in ("selection_basis", "deed_type", "award_decision",
                                    "decision_reason", "disqualification_reason", "selection_note")}
NUMBER_FORMATS = {
    INT: "#,##0", ITEMS: "#,##0", PEOPLE: "#,##0", PER_1K: "0.00", PCT: "0.0", DAYS: "0.0",
    NUM2: "0.00", NUM3: "0.000", PROB: "0.00",
}
NUMERIC = set(NUMBER_FORMATS) | {VALUE}  # VALUE: a figure whose unit is in its row (MEASURE)
# The unit a kind's header states, as a label key; MEASURE cells name a kind and show its unit.
# Per-1,000 rates are items (their label says per 1,000 residents); shares are per cent.
UNITS = {
    ITEMS: "text.items_unit", PEOPLE: "text.people_unit", PER_1K: "text.items_unit",
    PCT: "text.percent_unit", DAYS: "text.days_unit",
}
PERCENT = 100  # a share (0–1 in the marts) times this is the per cent shown
SUMMARY_DIGITS = 2  # decimals of a per cent on the summary sheet (its verdicts use the exact value)


@dataclass(frozen=True)
class Column:
    source: str  # column of the sheet's query; its header is the label `column.<source>`
    kind: str = TEXT


@dataclass(frozen=True)
class Reading:
    """What a sheet built in Python reads: the published build for one year."""

    con: duckdb.DuckDBPyConnection
    year: int
    as_of: date
    build_id: str
    labels: Labels


EMPTY = ("export.empty_sheet",)


@dataclass(frozen=True)
class Sheet:
    key: str  # file-name key of the CSV/Parquet copy; the sheet's name is `sheet.<key>`
    query: Callable[[int], str] | None  # SQL for a year (None: `build` makes the frame)
    columns: tuple[Column, ...]
    frozen_columns: int = 1
    build: Callable[[Reading], pl.DataFrame] | None = None  # the frame, built in Python
    # label keys of the text an empty sheet shows: the "none" text, and the rule it follows
    empty: tuple[str, ...] = EMPTY
    form: bool = False  # a form (the cover): label–value lines, no header row, no copies


def header(column: Column, labels: Labels) -> str:
    """A column's header: its label, and its unit where its kind has one."""
    label = labels.column(column.source)
    unit = UNITS.get(column.kind)
    return labels.text("export.header_unit", label=label, unit=labels.text(unit)) if unit else label


def empty_note(sheet: Sheet, labels: Labels) -> str:
    none, *rule = sheet.empty
    if rule:
        return labels.text("export.empty_with_rule", none=labels.text(none),
                           rule=labels.text(rule[0]))
    return labels.text(none)


def county_title(labels: Labels, year: int) -> str:
    """The county and the workbook's title: the cover's title and every page's header."""
    return labels.text("export.county_title", county=labels.text("export.county_name"),
                       title=labels.text("export.workbook_title", year=year))


# ------------------------------------------------------------------------------- sheet specs
SCOPE_ORDER = "case f.scope_type when 'town' then 0 when 'no_town' then 1 else 2 end"


def _scope_query(table: str) -> Callable[[int], str]:
    """Every town, the no-town scopes, then the county (their sum) last."""
    def query(year: int) -> str:
        return f"""
            select
                f.*,
                case
                    when f.scope_type = 'town' then coalesce(t.town_name, f.scope_code)
                    else s.label_zh
                end as scope_label
            from marts.{table} as f
            left join marts.dim_town as t
                on f.scope_type = 'town' and t.town_code = f.scope_code
            left join seeds.vocabularies as s
                on s.vocabulary = 'scope'
                and s.code = case when f.scope_type = 'county' then 'county' else f.scope_code end
            where f.year = {int(year)}
            order by {SCOPE_ORDER}, f.scope_code
        """
    return query


def _village_query(table: str, order: str) -> Callable[[int], str]:
    def query(year: int) -> str:
        return f"""
            select f.*, v.village_name, coalesce(t.town_name, f.town_code) as town_name
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
            select f.*, c.cadre_name, c.post, c.unit_name
            from marts.{table} as f
            left join marts.dim_cadre as c on c.cadre_id = f.cadre_id
            where f.year = {int(year)}
            order by {order}
        """
    return query


VILLAGE_RANKED = (
    "petitions_per_1k",
    "repeat_petitions_per_1k",
    "skip_level_petitions_per_1k",
    "collective_petitions_per_1k",
    "abnormal_petitions_per_1k",
    "first_time_closure_rate",
    "satisfaction_rate",
)
CADRE_RANKED = (
    "on_time_rate",
    "ceased_rate",
    "satisfaction_rate",
    "repeats_per_closed",
    "escalations_per_item",
)
RANK_COLUMNS = (
    Column("rank_median", INT),
    Column("rank_low", INT),
    Column("rank_high", INT),
    Column("p_top_decile", PROB),
)


def _village_rate_kind(name: str) -> str:
    return PER_1K if name.endswith("_per_1k") else PCT


def _cadre_rate_kind(name: str) -> str:
    return NUM3 if name.endswith(("_per_closed", "_per_item")) else PCT


# The technical appendix: per unit, one row per ranked indicator (estimate, z, funnel) and one
# for the composite score with the ranks; (unit type, mart, key, name, dimension, indicators).
RANKED_UNITS = (
    ("village", "fct_village_year", "village_code", "village_name", "dim_village",
     VILLAGE_RANKED, _village_rate_kind),
    ("cadre", "fct_cadre_year", "cadre_id", "cadre_name", "dim_cadre",
     CADRE_RANKED, _cadre_rate_kind),
)
COMPOSITE = "composite_score"


def _appendix_query(year: int) -> str:
    parts: list[str] = []
    for unit_type, table, key, name, dimension, indicators, rate_kind in RANKED_UNITS:
        rows = f"""
            from marts.{table} as f
            left join marts.{dimension} as d on d.{key} = f.{key}
            where f.year = {int(year)}"""
        unit = f"'{unit_type}' as unit_type, f.{key} as unit_id, d.{name} as unit_label"
        for order, indicator in enumerate(indicators):
            kind = rate_kind(indicator)
            parts.append(f"""
            select {unit}, {order} as indicator_order, '{indicator}' as indicator,
                '{kind}' as measure_unit, f.{indicator}_eb * {_scale(kind)} as estimate_eb,
                f.{indicator}_z as z, f.{indicator}_funnel as funnel_position {rows}""")
        mix = "f.is_case_mix_adjusted" if unit_type == "cadre" else "null::boolean"
        parts.append(f"""
            select {unit}, {len(indicators)} as indicator_order, '{COMPOSITE}' as indicator,
                f.composite_score, f.ranked_units, f.rank_median, f.rank_low, f.rank_high,
                f.p_top_decile, f.p_bottom_decile, f.is_insufficient_data,
                {mix} as is_case_mix_adjusted {rows}""")
    union = "\n            union all by name".join(parts)
    return f"""
        select * from ({union}
        )
        order by unit_type desc, unit_id, indicator_order
    """


def _scale(kind: str) -> int:
    return PERCENT if kind == PCT else 1


def _measures() -> str:
    """Each ranked indicator's unit (a kind) and the factor it is shown with, as SQL rows."""
    rows = [f"('{unit_type}', '{indicator}', '{rate_kind(indicator)}', "
            f"{_scale(rate_kind(indicator))})"
            for unit_type, *_, indicators, rate_kind in RANKED_UNITS for indicator in indicators]
    return f"(values {', '.join(rows)}) as m(unit_type, indicator, measure_unit, scale)"


# The flags' values in the indicator's unit (shares in per cent, like every other sheet).
FLAG_VALUES = ("value", "target", "limit_998", "value_prev_year", "limit_998_prev_year")


def _flags_query(year: int) -> str:
    scaled = ", ".join(f"f.{c} * coalesce(m.scale, 1) as {c}" for c in FLAG_VALUES)
    return f"""
        select
            f.* replace ({scaled}),
            m.measure_unit,
            coalesce(v.village_name, c.cadre_name) as flagged_name
        from marts.fct_accountability_flags as f
        left join {_measures()}
            on m.unit_type = f.unit_type and m.indicator = f.indicator
        left join marts.dim_village as v
            on f.unit_type = 'village' and v.village_code = f.unit_id
        left join marts.dim_cadre as c on f.unit_type = 'cadre' and c.cadre_id = f.unit_id
        where f.year = {int(year)}
        order by f.unit_type desc, f.unit_id, f.indicator
    """


def _selection_query(year: int) -> str:
    """十件新事候选与依据: the nominees with their evidence (fct_nominee_evidence); in a year
    without nominations, the proposed shortlist (fct_cadre_shortlist)."""
    return f"""
        with nominees as (
            select 'nominated' as selection_basis, nominee_order as selection_order, *
            from marts.fct_nominee_evidence where year = {int(year)}
        ),
        shortlist as (
            select 'shortlisted' as selection_basis, shortlist_order as selection_order, *
            from marts.fct_cadre_shortlist
            where year = {int(year)} and not exists (select 1 from nominees)
        ),
        listed as (
            select * from nominees
            union all by name
            select * from shortlist
        )
        select
            listed.*,
            case
                when not listed.is_registered then 'unregistered'
                when listed.is_without_items then 'without_items'
            end as selection_note,
            c.cadre_name, c.post, c.unit_name
        from listed
        left join marts.dim_cadre as c on c.cadre_id = listed.cadre_id
        order by listed.selection_order
    """


def _controlled(name: str) -> tuple[Column, ...]:
    return (Column(name, ITEMS), Column(f"{name}_prev_year", ITEMS))


# ----------------------------------------------------------------------- sheets built in Python
def _records(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    rel = con.sql(sql)
    return [dict(zip(rel.columns, row, strict=True)) for row in rel.fetchall()]


def _cover(r: Reading) -> pl.DataFrame:
    text = r.labels.text
    rows = [
        (text("export.cover_county"), text("export.county_name")),
        (text("export.item_year"), str(r.year)),
        (text("export.item_as_of"), r.as_of.isoformat()),
        (text("export.item_build"), r.build_id),
        (text("export.cover_prepared_by"), None),  # lines to fill in by hand
        (text("export.cover_reviewed_by"), None),
        (text("export.cover_date"), None),
    ]
    return pl.DataFrame(rows, schema=[c.source for c in COVER.columns], orient="row")


# 一低四控 on the summary: each count, its flag in fct_one_low_four_controls, and the
# verdict labels (flag true, flag false).
CONTROL_VERDICTS = (
    ("petitions", "is_low_running", "text.low_running", "text.not_low_running"),
    ("repeat_petitions", "is_repeat_controlled", "text.controlled", "text.not_controlled"),
    ("skip_level_petitions", "is_skip_level_controlled", "text.controlled",
     "text.not_controlled"),
    ("collective_petitions", "is_collective_controlled", "text.controlled",
     "text.not_controlled"),
    ("abnormal_petitions", "is_abnormal_controlled", "text.controlled", "text.not_controlled"),
)
# The headline figures: (item, kind, mart holding it at county scope); the share of villages
# meeting the standard is read from fct_village_year.
HEADLINES = (
    ("leads", ITEMS, "fct_handling_performance"),
    ("cases_opened", ITEMS, "fct_handling_performance"),
    ("repeat_visit_share", PCT, "fct_one_low_four_controls"),
    ("first_time_closure_rate", PCT, "fct_handling_performance"),
    ("shelved_share", PCT, "fct_handling_performance"),
    ("meets_standard_share", PCT, "fct_village_year"),
)


def _county(con: duckdb.DuckDBPyConnection, table: str, year: int) -> dict[str, Any]:
    rows = _records(con, f"select * from marts.{table} "
                         f"where scope_type = 'county' and year = {int(year)}")
    return rows[0] if rows else {}


def _summary(r: Reading) -> pl.DataFrame:
    text, con = r.labels.text, r.con
    county = {
        "fct_one_low_four_controls": _county(con, "fct_one_low_four_controls", r.year),
        "fct_handling_performance": _county(con, "fct_handling_performance", r.year),
        "fct_village_year": _records(con, (
            "select avg(is_meets_standard::int) as meets_standard_share "
            f"from marts.fct_village_year where year = {int(r.year)}"))[0],
    }
    targets = {t["indicator"]: t for t in _records(con, "select * from seeds.dashboard_targets")}
    items = text(UNITS[ITEMS])
    rows: list[tuple[Any, ...]] = []
    controls = county["fct_one_low_four_controls"]
    for code, flag, met, missed in CONTROL_VERDICTS:
        prev, verdict = controls.get(f"{code}_prev_year"), controls.get(flag)
        target = (text("export.target_prev_year_unknown") if prev is None
                  else text("export.target_prev_year", value=f"{prev:,}", unit=items))
        rows.append((r.labels.indicator(code), _float(controls.get(code)), ITEMS, target,
                     text("text.no_prev_year") if verdict is None
                     else text(met if verdict else missed)))
    for code, kind, table in HEADLINES:
        value = county[table].get(code)
        target, verdict = _against_target(value, targets.get(code), text)
        shown = None if value is None else (
            round(value * PERCENT, SUMMARY_DIGITS) if kind == PCT else float(value))
        rows.append((r.labels.indicator(code), shown, kind, target, verdict))
    return pl.DataFrame(rows, schema=[c.source for c in SUMMARY.columns], orient="row")


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _against_target(value: Any, target: dict[str, Any] | None,
                    text: Callable[..., str]) -> tuple[str | None, str | None]:
    """(target, verdict) of a share: 达标/未达标 against the seed's min or max, 未设目标
    without one; no verdict without a value."""
    limit = (target or {}).get("target_value")
    direction = (target or {}).get("direction")
    if limit is None or direction not in ("min", "max"):
        return None, text("text.no_target")
    shown = text(f"export.target_{direction}", value=f"{limit * PERCENT:g}",
                 unit=text(UNITS[PCT]))
    if value is None:
        return shown, None
    met = value >= limit if direction == "min" else value <= limit
    return shown, text("text.target_met" if met else "text.target_missed")


def _notes(r: Reading) -> pl.DataFrame:
    con, labels, text = r.con, r.labels, r.labels.text
    basic, definitions = text("export.section_basic"), text("export.section_definitions")
    rows: list[tuple[str, str, str, str]] = [
        (basic, text("export.item_year"), str(r.year), ""),
        (basic, text("export.item_as_of"), r.as_of.isoformat(), text("export.note_as_of")),
        (basic, text("export.item_build"), r.build_id, text("export.note_build")),
    ]
    rows += [(definitions, text(key), "", text(f"definition.{key}")) for key in DEFINITIONS]
    for parameter, value, unit, description in con.sql(
        "select parameter, value, unit, description_zh from seeds.parameters order by parameter"
    ).fetchall():
        rows.append((text("export.section_parameters"), parameter, _text(value),
                     f"{description}（{unit}）"))
    for indicator, value in con.sql(
        "select indicator, max_value from seeds.village_standards order by indicator"
    ).fetchall():
        rows.append((text("export.section_standards"), indicator, _text(value),
                     text("export.standard_note", label=labels.indicator(indicator))))
    for parameter, value, unit, description in con.sql(
        "select parameter, value, unit, description_zh from seeds.ranking_parameters "
        "order by parameter"
    ).fetchall():
        rows.append((text("export.section_ranking_parameters"), parameter, _text(value),
                     f"{description}（{unit}）"))
    for rule, value, description in con.sql(
        "select rule, value, description_zh from seeds.candidate_eligibility order by rule"
    ).fetchall():
        rows.append((text("export.section_eligibility"), rule, _text(value), description))
    for unit_type, indicator, role, direction, target, cap, weight, low, high, mix in con.sql(
        "select unit_type, indicator, role, direction, target, cap, weight, "
        "weight_low, weight_high, case_mix from seeds.ranking_indicators "
        "order by unit_type desc, sort_order, indicator"
    ).fetchall():
        unit = labels.vocab("ranked_unit", unit_type)
        label = labels.indicator(indicator)
        if role == "ranked":
            note = (
                text("export.candidate_note", unit=unit, label=label,
                     direction=labels.vocab("ranking_direction", direction), target=_text(target))
                + (text("export.cap_note", cap=_text(cap)) if cap is not None else "")
                + text("export.weights_note", low=_text(low), high=_text(high))
                + (text("export.case_mix_note") if mix else "")
            )
            rows.append((text("export.section_ranked"), indicator, _text(weight), note))
        else:
            rows.append((text("export.section_signals"), indicator, "",
                         text("export.signal_note", unit=unit, label=label)))
    return pl.DataFrame(rows, schema=[c.source for c in NOTES.columns], orient="row")


# ----------------------------------------------------------------------------------- sheets
COVER = Sheet("cover", None, (Column("cover_item"), Column("cover_value")), frozen_columns=0,
              build=_cover, form=True)

SUMMARY = Sheet("summary", None, (
    Column("summary_item"),
    Column("summary_value", VALUE),
    Column("measure_unit", MEASURE),
    Column("summary_target"),
    Column("summary_verdict"),
), build=_summary)

ONE_LOW = Sheet("one_low_four_controls", _scope_query("fct_one_low_four_controls"), (
    Column("scope_label"),
    Column("population", PEOPLE),
    Column("petitions", ITEMS),
    Column("petitions_per_1k", PER_1K),
    Column("petitions_prev_year", ITEMS),
    Column("is_low_running", BOOL),
    *_controlled("repeat_petitions"),
    Column("is_repeat_controlled", BOOL),
    *_controlled("skip_level_petitions"),
    Column("is_skip_level_controlled", BOOL),
    *_controlled("collective_petitions"),
    Column("is_collective_controlled", BOOL),
    *_controlled("abnormal_petitions"),
    Column("is_abnormal_controlled", BOOL),
    Column("visits", ITEMS),
    Column("repeat_visits", ITEMS),
    Column("repeat_visit_share", PCT),
))

VILLAGE_NAMES = (Column("village_code"), Column("village_name"), Column("town_name"))
VILLAGE_COUNTS = (
    Column("repeat_petitions", ITEMS),
    Column("skip_level_petitions", ITEMS),
    Column("collective_petitions", ITEMS),
    Column("abnormal_petitions", ITEMS),
)
CADRE_NAMES = (Column("cadre_id"), Column("cadre_name"), Column("post"), Column("unit_name"))

VILLAGES = Sheet("village_assessment", _village_query(
    "fct_village_year", "f.town_code, f.village_code"), (
    *VILLAGE_NAMES,
    Column("population", PEOPLE),
    Column("petitions", ITEMS),
    Column("petitions_per_1k", PER_1K),
    *VILLAGE_COUNTS,
    Column("is_meets_standard", BOOL),
    Column("first_time_due", ITEMS),
    Column("first_time_closure_rate", PCT),
    Column("rated", ITEMS),
    Column("satisfaction_rate", PCT),
    Column("local_petitions", ITEMS),
    Column("above_county_petitions", ITEMS),
    Column("is_under_registration_signal", BOOL),
    Column("accountability_flags", INT),
    Column("is_model_village", BOOL),
), frozen_columns=2)

TITLES = Sheet("model_village_status", _village_query(
    "fct_model_village_status",
    "case f.status when 'revoked' then 0 when 'named' then 1 when 'kept' then 2 else 3 end, "
    "f.town_code, f.village_code"), (
    *VILLAGE_NAMES,
    Column("status", TITLE_STATUS),
    Column("status_reason", TITLE_REASON),
    Column("years_held", INT),
    Column("held_since", INT),
    Column("is_meets_standard", BOOL),
    Column("to_province_or_central", ITEMS),
    Column("accountability_flags", INT),
    Column("is_under_registration_signal", BOOL),
    Column("is_insufficient_data", BOOL),
    Column("petitions", ITEMS),
    Column("petitions_per_1k", PER_1K),
), frozen_columns=3, empty=("text.title_none", "definition.sheet.model_village_status"))

ATTENTION = Sheet("village_attention", _village_query(
    "fct_village_attention", "f.attention_order"), (
    Column("attention_order", INT),
    *VILLAGE_NAMES,
    Column("population", PEOPLE),
    Column("petitions", ITEMS),
    Column("petitions_per_1k", PER_1K),
    Column("beyond_998_indicators", INDICATORS),
    Column("p_bottom_decile", PROB),
    Column("is_likely_bottom_decile", BOOL),
    Column("accountability_flags", INT),
), frozen_columns=4, empty=("text.attention_none", "definition.sheet.village_attention"))


def _escalations_query(year: int) -> str:
    return f"""
        select e.*, v.village_name, coalesce(t.town_name, e.town_code) as town_name,
               l.cadre_name as lead_cadre_name, l.post as lead_post,
               l.unit_name as lead_unit_name,
               r.cadre_name as responsible_cadre_name, r.post as responsible_post,
               r.unit_name as responsible_unit_name
        from marts.fct_escalation_accountability as e
        left join marts.dim_village as v on v.village_code = e.village_code
        left join marts.dim_town as t on t.town_code = e.town_code
        left join marts.dim_cadre as l on l.cadre_id = e.lead_cadre_id
        left join marts.dim_cadre as r on r.cadre_id = e.responsible_cadre_id
        where e.year = {int(year)}
        order by e.received_date, e.case_id
    """


ESCALATIONS = Sheet("escalation_accountability", _escalations_query, (
    Column("case_id"),
    Column("received_date"),
    *VILLAGE_NAMES,
    Column("subject_code", SUBJECT),
    Column("lead_cadre_name"),
    Column("lead_post"),
    Column("lead_unit_name"),
    Column("responsible_cadre_name"),
    Column("responsible_post"),
    Column("responsible_unit_name"),
), frozen_columns=1, empty=("text.escalations_none", "definition.sheet.escalation_accountability"))

UNDER_REGISTRATION = Sheet("under_registration", _village_query(
    "fct_under_registration_flags", "f.town_code, f.village_code"), (
    *VILLAGE_NAMES,
    Column("population", PEOPLE),
    Column("petitions", ITEMS),
    Column("local_petitions", ITEMS),
    Column("local_petitions_per_1k", PER_1K),
    Column("local_petitions_per_1k_eb", PER_1K),
    Column("county_local_petitions_per_1k", PER_1K),
    Column("above_county_petitions", ITEMS),
    Column("above_county_petitions_per_1k", PER_1K),
    Column("above_county_petitions_per_1k_eb", PER_1K),
    Column("county_above_county_petitions_per_1k", PER_1K),
    Column("above_county_limit", PER_1K),
    Column("above_county_petitions_per_1k_z", NUM2),
    Column("above_county_petitions_per_1k_funnel", FUNNEL),
    Column("skip_level_petitions", ITEMS),
    Column("is_meets_standard", BOOL),
), frozen_columns=2, empty=("text.under_none", "definition.column.is_under_registration_signal"))

CADRES = Sheet("cadre_evaluation", _cadre_query("fct_cadre_year", "f.cadre_id"), (
    *CADRE_NAMES,
    Column("cases_assigned", ITEMS),
    Column("cases_as_lead", ITEMS),
    Column("cases_as_responsible", ITEMS),
    Column("closed", ITEMS),
    Column("on_time_rate", PCT),
    Column("ceased_rate", PCT),
    Column("satisfaction_rate", PCT),
    Column("repeats_after_close", ITEMS),
    Column("escalations", ITEMS),
    Column("indicators_beyond_95", INT),
    Column("accountability_flags", INT),
    Column("is_candidate_eligible", BOOL),
    Column("is_advanced_candidate", BOOL),
), frozen_columns=2)

CANDIDATES = Sheet("advanced_candidates", _cadre_query(
    "fct_cadre_candidates", "f.candidate_order"), (
    Column("candidate_order", INT),
    *CADRE_NAMES,
    Column("cases_assigned", ITEMS),
    Column("p_top_decile", PROB),
    *RANK_COLUMNS[:3],
    Column("ranked_units", INT),
    Column("composite_score", NUM3),
    *(Column(f"{name}_eb", _cadre_rate_kind(name)) for name in CADRE_RANKED),
), frozen_columns=3, empty=("text.candidates_none", "definition.column.is_advanced_candidate"))

SELECTION = Sheet("selection", _selection_query, (
    Column("selection_basis", "selection_basis"),
    Column("selection_order", INT),
    *CADRE_NAMES,
    Column("nominating_unit"),
    Column("deed_type", "deed_type"),
    Column("decision", "award_decision"),
    Column("decision_reason", "decision_reason"),
    Column("cases_assigned", ITEMS),
    Column("closed", ITEMS),
    Column("on_time_rate", PCT),
    Column("on_time_rate_low", PCT),
    Column("on_time_rate_high", PCT),
    Column("ceased_rate", PCT),
    Column("ceased_rate_low", PCT),
    Column("ceased_rate_high", PCT),
    Column("repeats_after_close", ITEMS),
    Column("escalations", ITEMS),
    Column("satisfaction_rate", PCT),
    *RANK_COLUMNS,
    Column("accountability_flags", INT),
    Column("is_disqualified", BOOL),
    Column("disqualification_reason", "disqualification_reason"),
    Column("is_overlapping_next", BOOL),
    Column("selection_note", "selection_note"),
), frozen_columns=4, empty=("text.selection_sheet_none", "definition.sheet.selection"))

FLAGS = Sheet("accountability_flags", _flags_query, (
    Column("unit_type", UNIT),
    Column("unit_id"),
    Column("flagged_name"),
    Column("indicator", INDICATOR),
    Column("measure_unit", MEASURE),
    Column("direction", DIRECTION),
    Column("years_beyond", INT),
    Column("observed", NUM2),
    Column("denominator", NUM2),
    Column("value", NUM3),
    Column("target", NUM3),
    Column("limit_998", NUM3),
    Column("z", NUM2),
    Column("funnel_position", FUNNEL),
    Column("observed_prev_year", NUM2),
    Column("denominator_prev_year", NUM2),
    Column("value_prev_year", NUM3),
    Column("limit_998_prev_year", NUM3),
    Column("z_prev_year", NUM2),
    Column("funnel_position_prev_year", FUNNEL),
), frozen_columns=3, empty=("text.flags_none", "definition.sheet.accountability_flags"))

HANDLING = Sheet("handling_quality", _scope_query("fct_handling_performance"), (
    Column("scope_label"),
    Column("petitions", ITEMS),
    Column("first_time_due", ITEMS),
    Column("first_time_closed_within_30d", ITEMS),
    Column("first_time_closure_rate", PCT),
    Column("on_time_due", ITEMS),
    Column("on_time", ITEMS),
    Column("on_time_rate", PCT),
    Column("accepted_on_time_rate", PCT),
    Column("feedback_on_time_rate", PCT),
    Column("closed", ITEMS),
    Column("ceased", ITEMS),
    Column("ceased_rate", PCT),
    Column("rated", ITEMS),
    Column("satisfaction_rate", PCT),
    Column("shelved", ITEMS),
    Column("shelved_share", PCT),
    Column("leads", ITEMS),
    Column("cases_opened", ITEMS),
    Column("case_conversion_rate", PCT),
    Column("real_name_share", PCT),
    Column("visit_share", PCT),
    Column("median_days_to_close_real_name", DAYS),
    Column("median_days_to_close_anonymous", DAYS),
))

APPENDIX = Sheet("technical_appendix", _appendix_query, (
    Column("unit_type", UNIT),
    Column("unit_id"),
    Column("unit_label"),
    Column("indicator", INDICATOR),
    Column("measure_unit", MEASURE),
    Column("estimate_eb", NUM3),
    Column("z", NUM2),
    Column("funnel_position", FUNNEL),
    Column("composite_score", NUM3),
    Column("ranked_units", INT),
    *RANK_COLUMNS,
    Column("p_bottom_decile", PROB),
    Column("is_insufficient_data", BOOL),
    Column("is_case_mix_adjusted", BOOL),
), frozen_columns=3)

NOTES = Sheet("notes", None, (
    Column("note_section"),
    Column("note_item"),
    Column("note_value"),
    Column("note_text"),
), frozen_columns=0, build=_notes)

SHEETS: tuple[Sheet, ...] = (
    COVER, SUMMARY, ONE_LOW, VILLAGES, ATTENTION, TITLES, UNDER_REGISTRATION, CADRES, CANDIDATES,
    SELECTION, ESCALATIONS,
    FLAGS, HANDLING, APPENDIX, NOTES,
)
COPIED: tuple[Sheet, ...] = tuple(s for s in SHEETS if not s.form)  # the CSV/Parquet copies

# The notes sheet's definitions: the terms (label keys) defined; each text is the label
# `definition.<term>` of seeds/display_labels.csv.
DEFINITIONS: tuple[str, ...] = (
    "export.term_item",
    "column.repeat_petitions",
    "column.skip_level_petitions",
    "column.collective_petitions",
    "column.abnormal_petitions",
    "column.first_time_closure_rate",
    "column.on_time_rate",
    "column.satisfaction_rate",
    "column.ceased_rate",
    "export.term_standard",
    "sheet.one_low_four_controls",
    "export.term_eb",
    "column.funnel_position",
    "column.composite_score",
    "export.term_ranks",
    "sheet.technical_appendix",
    "column.is_insufficient_data",
    "sheet.model_village_status",
    "sheet.village_attention",
    "sheet.escalation_accountability",
    "column.is_under_registration_signal",
    "column.is_advanced_candidate",
    "sheet.selection",
    "sheet.accountability_flags",
)


# --------------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class WorkbookData:
    year: int
    as_of: date
    build_id: str
    frames: dict[str, pl.DataFrame]  # sheet key → displayed frame (headers labelled)
    labels: Labels  # the build's labels

    def sheet_name(self, sheet: Sheet) -> str:
        return self.labels.text(f"sheet.{sheet.key}")

    def header(self, column: Column) -> str:
        return header(column, self.labels)


def _available_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    rows = con.sql(
        "select distinct year from marts.fct_one_low_four_controls "
        "union select distinct year from marts.fct_village_year order by 1"
    ).fetchall()
    return [int(r[0]) for r in rows]


def _display(frame: pl.DataFrame, columns: Sequence[Column], labels: Labels) -> pl.DataFrame:
    """The sheet as shown: headers with units, labels for codes and booleans, shares in per
    cent, text as text."""
    yes_no = {True: labels.vocab("yes_no", "yes"), False: labels.vocab("yes_no", "no")}
    out: dict[str, pl.Series] = {}
    for column in columns:
        name, kind = header(column, labels), column.kind
        values = frame[column.source].to_list() if column.source in frame.columns else [None] * (
            frame.height)
        if kind in (INT, ITEMS, PEOPLE):
            out[name] = pl.Series(name, values, dtype=pl.Int64, strict=False)
            continue
        if kind in NUMERIC:
            scale = _scale(kind)
            shown_numbers = [None if v is None else v * scale for v in values]
            out[name] = pl.Series(name, shown_numbers, dtype=pl.Float64, strict=False)
            continue
        if kind == BOOL:
            shown = [None if v is None else yes_no[bool(v)] for v in values]
        elif kind in VOCABULARY_KINDS:
            shown = [None if v is None else labels.vocab(VOCABULARY_KINDS[kind], v)
                     for v in values]
        elif kind == INDICATOR:
            shown = [None if v is None else labels.indicator(v) for v in values]
        elif kind == INDICATORS:  # comma-separated codes
            shown = [None if v is None else labels.join(
                [labels.indicator(code) for code in v.split(",")]) for v in values]
        elif kind == MEASURE:
            shown = [labels.text(UNITS[v]) if v in UNITS else None for v in values]
        else:
            shown = [None if v is None else _text(v) for v in values]
        out[name] = pl.Series(name, shown, dtype=pl.String)
    return pl.DataFrame(out) if out else pl.DataFrame()


def _text(value: object) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def read_workbook_data(year: int) -> WorkbookData:
    """Every sheet of the workbook for `year`, from the published warehouse."""
    with connect(require_build=True) as con:
        build_id = attached_build_id(con) or ""
        years = _available_years(con)
        if year not in years:
            span = f"{years[0]}–{years[-1]}" if years else "无"
            raise UsageError(f"年度 {year} 不在数据范围内（{span}）(year outside the data)")
        as_of = con.sql("select max(as_of) from meta.build_info").fetchall()[0][0]
        labels = from_connection(con, build_id)
        reading = Reading(con, year, as_of, build_id, labels)
        frames: dict[str, pl.DataFrame] = {}
        for sheet in SHEETS:
            if sheet.build is not None:
                frame = sheet.build(reading)
            else:
                assert sheet.query is not None, sheet.key
                frame = con.sql(sheet.query(year)).pl()
            frames[sheet.key] = _display(frame, sheet.columns, labels)
    return WorkbookData(year, as_of, build_id, frames, labels)


# --------------------------------------------------------------------------------- writing
def write_xlsx(data: WorkbookData, target: Path) -> None:
    labels = data.labels
    title = county_title(labels, data.year)
    page = writers.Page(header=title, footer=labels.text("export.page_footer"))
    sheets: list[writers.Sheet | writers.Form] = []
    for sheet in SHEETS:
        frame = data.frames[sheet.key]
        if sheet.form:
            sheets.append(writers.Form(data.sheet_name(sheet), title,
                                       list(frame.iter_rows()), page))
            continue
        sheets.append(writers.Sheet(
            data.sheet_name(sheet),
            frame,
            formats={data.header(c): NUMBER_FORMATS[c.kind] for c in sheet.columns
                     if c.kind in NUMBER_FORMATS},
            frozen=(1, sheet.frozen_columns),
            page=page,
            empty_note=empty_note(sheet, labels),
        ))
    writers.write_xlsx(
        sheets,
        target,
        properties={
            "title": title,
            "subject": labels.text("export.workbook_subject"),
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
        for sheet in COPIED:
            frame = data.frames[sheet.key]
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
            "✓ " + data.labels.text("export.done", year=data.year, path=workbook,
                                    copies=len(COPIED)),
            soft_wrap=True,
        )
    return workbook
