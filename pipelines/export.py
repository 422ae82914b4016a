"""`xinfang export --year Y [--out DIR]`: the annual assessment workbook (年度考核工作簿).

One XLSX in Chinese, read only from the published warehouse (pipelines.warehouse.connect):

    一低四控 · 村居考核 · 示范村居名单 · 漏登提示 · 干部考评 · 先进个人候选 ·
    十件新事候选与依据 · 问责提示 · 办理质量 · 数据说明

and a CSV (UTF-8 with BOM, for Excel) and a Parquet copy of every sheet beside it. Sheet
names, column headers and code labels are the published build's seed labels
(pipelines.labels: `sheet.<key>`, `column.<source column>`, the vocabularies), so a workbook
never mixes today's labels with an older build's figures; the notes sheet's definitions are
labels too (`definition.<term>`).

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
from pipelines.errors import UsageError
from pipelines.labels import Labels, from_connection
from pipelines.warehouse import attached_build_id, connect

WORKBOOK_STEM = "assessment"

# Column kinds: how a value is shown (cell format, or a label from the seeds).
TEXT, INT, PCT, NUM2, NUM3, PROB, BOOL, FUNNEL, DIRECTION, UNIT, INDICATOR = (
    "text", "int", "pct", "num2", "num3", "prob", "bool", "funnel", "direction", "unit",
    "indicator",
)
VOCABULARY_KINDS = {FUNNEL: "funnel_position", DIRECTION: "ranking_direction", UNIT: "ranked_unit"}
# the selection sheet's codes: each kind is its vocabulary's name
VOCABULARY_KINDS |= {v: v for v in ("selection_basis", "deed_type", "award_decision",
                                    "decision_reason", "disqualification_reason", "selection_note")}
NUMBER_FORMATS = {INT: "#,##0", PCT: "0.0%", NUM2: "0.00", NUM3: "0.000", PROB: "0.00"}
NUMERIC = set(NUMBER_FORMATS)


@dataclass(frozen=True)
class Column:
    source: str  # column of the sheet's query; its header is the label `column.<source>`
    kind: str = TEXT


@dataclass(frozen=True)
class Sheet:
    key: str  # file-name key of the CSV/Parquet copy; the sheet's name is `sheet.<key>`
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
            order by
                case f.scope_type when 'county' then 0 when 'town' then 1 else 2 end,
                f.scope_code
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
            select f.*, c.cadre_name, c.unit_name
            from marts.{table} as f
            left join marts.dim_cadre as c on c.cadre_id = f.cadre_id
            where f.year = {int(year)}
            order by {order}
        """
    return query


def _flags_query(year: int) -> str:
    return f"""
        select f.*, coalesce(v.village_name, c.cadre_name) as flagged_name
        from marts.fct_accountability_flags as f
        left join marts.dim_village as v
            on f.unit_type = 'village' and v.village_code = f.unit_id
        left join marts.dim_cadre as c on f.unit_type = 'cadre' and c.cadre_id = f.unit_id
        where f.year = {int(year)}
        order by f.unit_type desc, f.unit_id, f.indicator
    """


def _selection_query(year: int) -> str:
    """十件新事候选与依据: the nominees with their evidence (fct_nominee_evidence); in a year
    without nominations the proposed shortlist (fct_cadre_shortlist); with neither, one row
    saying why (selection_note no_candidates)."""
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
        ),
        noted as (
            select
                listed.*,
                case
                    when not listed.is_registered then 'unregistered'
                    when listed.is_without_items then 'without_items'
                end as selection_note
            from listed
            union all by name
            select 'no_candidates' as selection_note
            where not exists (select 1 from listed)
        )
        select noted.*, c.cadre_name, c.unit_name
        from noted
        left join marts.dim_cadre as c on c.cadre_id = noted.cadre_id
        order by noted.selection_order nulls last
    """


def _controlled(name: str) -> tuple[Column, ...]:
    return (Column(name, INT), Column(f"{name}_prev_year", INT))


ONE_LOW = Sheet("one_low_four_controls", _scope_query("fct_one_low_four_controls"), (
    Column("scope_label"),
    *_controlled("petitions"),
    Column("is_low_running", BOOL),
    *_controlled("repeat_petitions"),
    Column("is_repeat_controlled", BOOL),
    *_controlled("skip_level_petitions"),
    Column("is_skip_level_controlled", BOOL),
    *_controlled("collective_petitions"),
    Column("is_collective_controlled", BOOL),
    *_controlled("abnormal_petitions"),
    Column("is_abnormal_controlled", BOOL),
    Column("visits", INT),
    Column("repeat_visits", INT),
    Column("repeat_visit_share", PCT),
))

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


def _ranking_columns(indicators: Sequence[str], rate_kind: Callable[[str], str]
                     ) -> tuple[Column, ...]:
    out: list[Column] = []
    for name in indicators:
        out += [
            Column(f"{name}_eb", rate_kind(name)),
            Column(f"{name}_z", NUM2),
            Column(f"{name}_funnel", FUNNEL),
        ]
    out += [
        Column("is_insufficient_data", BOOL),
        Column("ranked_units", INT),
        Column("composite_score", NUM3),
        *RANK_COLUMNS,
        Column("p_bottom_decile", PROB),
    ]
    return tuple(out)


def _village_rate_kind(name: str) -> str:
    return NUM2 if name.endswith("_per_1k") else PCT


def _cadre_rate_kind(name: str) -> str:
    return NUM3 if name.endswith(("_per_closed", "_per_item")) else PCT


VILLAGE_NAMES = (Column("village_code"), Column("village_name"), Column("town_name"))
VILLAGE_COUNTS = (
    Column("repeat_petitions", INT),
    Column("skip_level_petitions", INT),
    Column("collective_petitions", INT),
    Column("abnormal_petitions", INT),
)
CADRE_NAMES = (Column("cadre_id"), Column("cadre_name"), Column("unit_name"))

VILLAGES = Sheet("village_assessment", _village_query(
    "fct_village_year", "f.town_code, f.village_code"), (
    *VILLAGE_NAMES,
    Column("population", INT),
    Column("petitions", INT),
    Column("petitions_per_1k", NUM2),
    *VILLAGE_COUNTS,
    Column("is_meets_standard", BOOL),
    Column("first_time_due", INT),
    Column("first_time_closure_rate", PCT),
    Column("rated", INT),
    Column("satisfaction_rate", PCT),
    Column("local_petitions", INT),
    Column("above_county_petitions", INT),
    *_ranking_columns(VILLAGE_RANKED, _village_rate_kind),
    Column("is_under_registration_signal", BOOL),
    Column("accountability_flags", INT),
    Column("is_model_village", BOOL),
), frozen_columns=2)

MODEL_VILLAGES = Sheet("model_villages", _village_query(
    "fct_model_village_list", "f.list_order"), (
    Column("list_order", INT),
    *VILLAGE_NAMES,
    Column("population", INT),
    Column("petitions", INT),
    Column("petitions_per_1k", NUM2),
    Column("petitions_per_1k_eb", NUM2),
    *VILLAGE_COUNTS,
    Column("first_time_closure_rate", PCT),
    Column("satisfaction_rate", PCT),
    Column("local_petitions", INT),
    Column("above_county_petitions", INT),
    Column("above_county_petitions_per_1k_funnel", FUNNEL),
    Column("is_insufficient_data", BOOL),
    *RANK_COLUMNS,
    Column("accountability_flags", INT),
), frozen_columns=3)

UNDER_REGISTRATION = Sheet("under_registration", _village_query(
    "fct_under_registration_flags", "f.town_code, f.village_code"), (
    *VILLAGE_NAMES,
    Column("population", INT),
    Column("petitions", INT),
    Column("local_petitions", INT),
    Column("local_petitions_per_1k", NUM2),
    Column("local_petitions_per_1k_eb", NUM2),
    Column("county_local_petitions_per_1k", NUM2),
    Column("above_county_petitions", INT),
    Column("above_county_petitions_per_1k", NUM2),
    Column("above_county_petitions_per_1k_eb", NUM2),
    Column("county_above_county_petitions_per_1k", NUM2),
    Column("above_county_limit", NUM2),
    Column("above_county_petitions_per_1k_z", NUM2),
    Column("above_county_petitions_per_1k_funnel", FUNNEL),
    Column("skip_level_petitions", INT),
    Column("is_meets_standard", BOOL),
), frozen_columns=2)

CADRES = Sheet("cadre_evaluation", _cadre_query("fct_cadre_year", "f.cadre_id"), (
    *CADRE_NAMES,
    Column("cases_assigned", INT),
    Column("cases_as_lead", INT),
    Column("cases_as_responsible", INT),
    Column("closed", INT),
    Column("on_time_rate", PCT),
    Column("ceased_rate", PCT),
    Column("satisfaction_rate", PCT),
    Column("repeats_after_close", INT),
    Column("escalations", INT),
    *_ranking_columns(CADRE_RANKED, _cadre_rate_kind),
    Column("is_case_mix_adjusted", BOOL),
    Column("indicators_beyond_95", INT),
    Column("accountability_flags", INT),
    Column("is_candidate_eligible", BOOL),
    Column("is_advanced_candidate", BOOL),
), frozen_columns=2)

CANDIDATES = Sheet("advanced_candidates", _cadre_query(
    "fct_cadre_candidates", "f.candidate_order"), (
    Column("candidate_order", INT),
    *CADRE_NAMES,
    Column("cases_assigned", INT),
    Column("p_top_decile", PROB),
    *RANK_COLUMNS[:3],
    Column("ranked_units", INT),
    Column("composite_score", NUM3),
    Column("on_time_rate_eb", PCT),
    Column("ceased_rate_eb", PCT),
    Column("satisfaction_rate_eb", PCT),
    Column("repeats_per_closed_eb", NUM3),
    Column("escalations_per_item_eb", NUM3),
), frozen_columns=3)

FLAGS = Sheet("accountability_flags", _flags_query, (
    Column("unit_type", UNIT),
    Column("unit_id"),
    Column("flagged_name"),
    Column("indicator", INDICATOR),
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
), frozen_columns=3)

HANDLING = Sheet("handling_quality", _scope_query("fct_handling_performance"), (
    Column("scope_label"),
    Column("petitions", INT),
    Column("first_time_due", INT),
    Column("first_time_closed_within_30d", INT),
    Column("first_time_closure_rate", PCT),
    Column("on_time_due", INT),
    Column("on_time", INT),
    Column("on_time_rate", PCT),
    Column("accepted_on_time_rate", PCT),
    Column("feedback_on_time_rate", PCT),
    Column("closed", INT),
    Column("ceased", INT),
    Column("ceased_rate", PCT),
    Column("rated", INT),
    Column("satisfaction_rate", PCT),
    Column("shelved", INT),
    Column("shelved_share", PCT),
    Column("leads", INT),
    Column("cases_opened", INT),
    Column("case_conversion_rate", PCT),
    Column("real_name_share", PCT),
    Column("visit_share", PCT),
))

SELECTION = Sheet("selection", _selection_query, (
    Column("selection_basis", "selection_basis"),
    Column("selection_order", INT),
    *CADRE_NAMES,
    Column("nominating_unit"),
    Column("deed_type", "deed_type"),
    Column("decision", "award_decision"),
    Column("decision_reason", "decision_reason"),
    Column("cases_assigned", INT),
    Column("closed", INT),
    Column("on_time_rate", PCT),
    Column("on_time_rate_low", PCT),
    Column("on_time_rate_high", PCT),
    Column("ceased_rate", PCT),
    Column("ceased_rate_low", PCT),
    Column("ceased_rate_high", PCT),
    Column("repeats_after_close", INT),
    Column("escalations", INT),
    Column("satisfaction_rate", PCT),
    *RANK_COLUMNS,
    Column("accountability_flags", INT),
    Column("is_disqualified", BOOL),
    Column("disqualification_reason", "disqualification_reason"),
    Column("is_overlapping_next", BOOL),
    Column("selection_note", "selection_note"),
), frozen_columns=4)

NOTES = Sheet("notes", None, (
    Column("note_section"),
    Column("note_item"),
    Column("note_value"),
    Column("note_text"),
), frozen_columns=0)

SHEETS: tuple[Sheet, ...] = (
    ONE_LOW, VILLAGES, MODEL_VILLAGES, UNDER_REGISTRATION, CADRES, CANDIDATES, SELECTION, FLAGS,
    HANDLING, NOTES,
)

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
    "column.is_insufficient_data",
    "sheet.model_villages",
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
        return self.labels.column(column.source)


def _available_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    rows = con.sql(
        "select distinct year from marts.fct_one_low_four_controls "
        "union select distinct year from marts.fct_village_year order by 1"
    ).fetchall()
    return [int(r[0]) for r in rows]


def _display(frame: pl.DataFrame, columns: Sequence[Column], labels: Labels) -> pl.DataFrame:
    """The sheet as shown: labelled headers, labels for codes and booleans, text as text."""
    yes_no = {True: labels.vocab("yes_no", "yes"), False: labels.vocab("yes_no", "no")}
    out: dict[str, pl.Series] = {}
    for column in columns:
        header = labels.column(column.source)
        values = frame[column.source].to_list() if column.source in frame.columns else [None] * (
            frame.height)
        if column.kind == BOOL:
            shown = [None if v is None else yes_no[bool(v)] for v in values]
            out[header] = pl.Series(header, shown, dtype=pl.String)
        elif column.kind in VOCABULARY_KINDS:
            shown = [None if v is None else labels.vocab(VOCABULARY_KINDS[column.kind], v)
                     for v in values]
            out[header] = pl.Series(header, shown, dtype=pl.String)
        elif column.kind == INDICATOR:
            shown = [None if v is None else labels.indicator(v) for v in values]
            out[header] = pl.Series(header, shown, dtype=pl.String)
        elif column.kind == INT:
            out[header] = pl.Series(header, values, dtype=pl.Int64, strict=False)
        elif column.kind in NUMERIC:
            out[header] = pl.Series(header, values, dtype=pl.Float64, strict=False)
        else:
            shown = [None if v is None else _text(v) for v in values]
            out[header] = pl.Series(header, shown, dtype=pl.String)
    return pl.DataFrame(out) if out else pl.DataFrame()


def _text(value: object) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _notes(con: duckdb.DuckDBPyConnection, year: int, as_of: date, build_id: str,
           labels: Labels) -> pl.DataFrame:
    text = labels.text
    basic, definitions = text("export.section_basic"), text("export.section_definitions")
    rows: list[tuple[str, str, str, str]] = [
        (basic, text("export.item_year"), str(year), ""),
        (basic, text("export.item_as_of"), as_of.isoformat(), text("export.note_as_of")),
        (basic, text("export.item_build"), build_id, text("export.note_build")),
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
    frame = pl.DataFrame(rows, schema=[c.source for c in NOTES.columns], orient="row")
    return _display(frame, NOTES.columns, labels)


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
        frames: dict[str, pl.DataFrame] = {}
        for sheet in SHEETS:
            if sheet.query is None:
                frames[sheet.key] = _notes(con, year, as_of, build_id, labels)
            else:
                frames[sheet.key] = _display(con.sql(sheet.query(year)).pl(), sheet.columns,
                                             labels)
    return WorkbookData(year, as_of, build_id, frames, labels)


# --------------------------------------------------------------------------------- writing
def write_xlsx(data: WorkbookData, target: Path) -> None:
    sheets = [
        writers.Sheet(
            data.sheet_name(sheet),
            data.frames[sheet.key],
            formats={data.header(c): NUMBER_FORMATS[c.kind] for c in sheet.columns
                     if c.kind in NUMBER_FORMATS},
            frozen=(1, sheet.frozen_columns),
        )
        for sheet in SHEETS
    ]
    writers.write_xlsx(
        sheets,
        target,
        properties={
            "title": data.labels.text("export.workbook_title", year=data.year),
            "subject": data.labels.text("export.workbook_subject"),
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
            f"✓ 已导出 {data.year} 年度考核工作簿: {workbook} "
            f"（另有 {len(SHEETS)} 个工作表的 CSV 与 Parquet 副本）",
            soft_wrap=True,
        )
    return workbook
