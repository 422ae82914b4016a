"""`xinfang export`: the annual assessment workbook (issues 4 and 10). It opens with
openpyxl, every sheet reads back equal to the marts (headers with their units, shares in per
cent), the cover and the summary state what the office files, the county row of 一低四控 is
the sum of the rows above it, the technical columns live in the appendix only, an empty sheet
says why, every sheet prints on A4 landscape, the CSV and Parquet copies equal the sheets,
identical inputs give an identical workbook (byte for byte) and copies, formula-like text is
escaped, and bad requests are one-line usage errors."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from openpyxl.utils import get_column_letter

from pipelines import export, seeds, writers
from pipelines.errors import UsageError
from pipelines.labels import from_files
from pipelines.warehouse import connect

YEAR = 2011
LABELS = from_files()
REQUIRED_SHEETS = ("封面", "考核摘要", "一低四控", "村居考核", "需关注村居", "示范村居命名与摘牌",
                   "干部考评", "对号问责", "办理质量", "技术附表", "数据说明")
COUNTY = "大丰县（演示）"  # the label export.county_name
PAGE_HEADER = f"{COUNTY} {YEAR}年度信访工作考核"
PAGE_FOOTER = "第 &P 页，共 &N 页"  # Excel's codes for the page number and count

# the towns, then the no-town scopes (县直, 未落地), then the county (their sum) last
SCOPE_ORDER = "case scope_type when 'town' then 0 when 'no_town' then 1 else 2 end, scope_code"
NO_TOWN_NAMES = {"county_level": "县直", "unknown_village": "未落地"}

# The unit each kind's header states, written out by hand.
UNIT_TEXT = {export.ITEMS: "件", export.PEOPLE: "人", export.PER_1K: "件", export.PCT: "%",
             export.DAYS: "天"}

# What an empty sheet says: the dashboards' "none" text and the rule (label keys).
EMPTY_NOTES = {
    "需关注村居": ("text.attention_none", "definition.sheet.village_attention"),
    "示范村居命名与摘牌": ("text.title_none", "definition.sheet.model_village_status"),
    "对号问责": ("text.escalations_none", "definition.sheet.escalation_accountability"),
    "漏登提示": ("text.under_none", "definition.column.is_under_registration_signal"),
    "先进个人候选": ("text.candidates_none", "definition.column.is_advanced_candidate"),
    "问责提示": ("text.flags_none", "definition.sheet.accountability_flags"),
}

# revoked first, then named, kept, not held; by town and village within each
TITLE_ORDER = ("case status when 'revoked' then 0 when 'named' then 1 when 'kept' then 2 "
               "else 3 end, town_code, village_code")

# Each data sheet: the mart it shows and the mart's key order (independent of export.py's
# queries), plus the dimension columns it joins for names.
SOURCES = {
    "一低四控": ("fct_one_low_four_controls", SCOPE_ORDER),
    "村居考核": ("fct_village_year", "town_code, village_code"),
    "需关注村居": ("fct_village_attention", "attention_order"),
    "示范村居命名与摘牌": ("fct_model_village_status", TITLE_ORDER),
    "对号问责": ("fct_escalation_accountability", "received_date, case_id"),
    "漏登提示": ("fct_under_registration_flags", "town_code, village_code"),
    "干部考评": ("fct_cadre_year", "cadre_id"),
    "先进个人候选": ("fct_cadre_candidates", "candidate_order"),
    # the demo has nominations every year: the sheet shows the nominees (tests/test_nominations.py
    # covers the shortlist and the empty year)
    "十件新事候选与依据": ("fct_nominee_evidence", "nominee_order"),
    "问责提示": ("fct_accountability_flags", "unit_type desc, unit_id, indicator"),
    "办理质量": ("fct_handling_performance", SCOPE_ORDER),
}


@pytest.fixture(scope="module")
def exported(ranked_demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("export")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XINFANG_HOME", str(ranked_demo_home))
        path = export.export_workbook(YEAR, out, quiet=True)
        again = export.export_workbook(YEAR, out / "again", quiet=True)
    return {"path": path, "again": again, "out": out}


def sheet_rows(path: Path, name: str) -> tuple[list[str], list[tuple]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(workbook[name].iter_rows(values_only=True))
    finally:
        workbook.close()
    return list(rows[0]), [tuple(r) for r in rows[1:]]


# Ranked indicators by (unit type, indicator): their unit as shown, and the factor shares are
# shown with (per cent), from seeds/ranking_indicators.csv.
RANKED = {(r["unit_type"], r["indicator"]): r for r in seeds.read_seed("ranking_indicators")
          if r["role"] == "ranked"}
FLAG_VALUES = ("value", "target", "limit_998", "value_prev_year", "limit_998_prev_year")


def indicator_unit(unit_type: str, indicator: str) -> str | None:
    r = RANKED[(unit_type, indicator)]
    return "%" if r["family"] == "proportion" else "件" if r["scale"] == "1000" else None


def indicator_scale(unit_type: str, indicator: str) -> int:
    return 100 if RANKED[(unit_type, indicator)]["family"] == "proportion" else 1


def expected_header(column: export.Column) -> str:
    label = LABELS.column(column.source)
    return f"{label}（{UNIT_TEXT[column.kind]}）" if column.kind in UNIT_TEXT else label


def expected_note(sheet: str) -> str:
    none, rule = EMPTY_NOTES.get(sheet, ("export.empty_sheet", None))
    return LABELS.text(none) + (f"判定依据：{LABELS.text(rule)}" if rule else "")


def shown(value: object, kind: str) -> object:
    """A mart value as the workbook shows it (labels from the seeds, shares in per cent)."""
    if value is None:
        return None
    if kind == export.PCT:
        return value * 100
    if kind == export.BOOL:
        return LABELS.vocab("yes_no", "yes" if value else "no")
    if kind in export.VOCABULARY_KINDS:
        vocabulary = export.VOCABULARY_KINDS[kind]
        assert (vocabulary, value) in LABELS.vocabularies, (vocabulary, value)
        return LABELS.vocab(vocabulary, value)
    if kind == export.INDICATOR:
        assert value in LABELS.indicators, value
        return LABELS.indicator(value)
    if kind == export.INDICATORS:  # comma-separated codes, listed by name
        return "；".join(LABELS.indicator(code) for code in str(value).split(","))
    if isinstance(value, date):
        return value.isoformat()
    return value


def sheet_name(sheet: export.Sheet) -> str:
    return LABELS.text(f"sheet.{sheet.key}")


def test_workbook_has_the_required_sheets_frozen_and_formatted(exported):
    workbook = openpyxl.load_workbook(exported["path"])
    assert set(REQUIRED_SHEETS) <= set(workbook.sheetnames)
    assert workbook.sheetnames == [sheet_name(s) for s in export.SHEETS]
    assert workbook.sheetnames[:2] == ["封面", "考核摘要"]
    villages = workbook["村居考核"]
    assert villages.freeze_panes == "C2"
    assert villages.column_dimensions["B"].width >= 8
    header = [c.value for c in villages[1]]
    rate = villages.cell(row=2, column=header.index("每千人信访量（件）") + 1)
    assert rate.number_format == "0.00"
    share = villages.cell(row=2, column=header.index("满意率（%）") + 1)
    assert share.number_format == "0.0"  # per cent: the header says so
    assert villages.cell(row=2, column=header.index("户籍人口（人）") + 1).number_format == "#,##0"
    for sheet in workbook.worksheets[1:]:  # the cover is a form: nothing to keep in view
        assert sheet.freeze_panes is not None and sheet.freeze_panes.endswith("2")


@pytest.mark.parametrize("sheet_name", list(SOURCES))
def test_every_sheet_reads_back_equal_to_the_marts(exported, ranked_demo, sheet_name):
    spec = next(s for s in export.SHEETS if LABELS.text(f"sheet.{s.key}") == sheet_name)
    table, order = SOURCES[sheet_name]
    with connect(require_build=True) as con:
        frame = con.sql(f"select * from marts.{table} where year = {YEAR} order by {order}").pl()
        names = dict(con.sql("select village_code, village_name from marts.dim_village").fetchall())
        cadres = {r[0]: r[1:] for r in con.sql(
            "select cadre_id, cadre_name, post, unit_name from marts.dim_cadre").fetchall()}
        towns = dict(con.sql("select town_code, town_name from marts.dim_town").fetchall())
    header, rows = sheet_rows(exported["path"], sheet_name)
    assert header == [expected_header(c) for c in spec.columns]
    if frame.height == 0:  # the sheet says why, in the row under its header
        assert rows == [(expected_note(sheet_name),) + (None,) * (len(header) - 1)]
        return
    assert len(rows) == frame.height
    records = frame.to_dicts()
    for record, row in zip(records, rows, strict=True):
        cells = dict(zip(header, row, strict=True))
        for column in spec.columns:
            label = expected_header(column)
            cell = cells[label]
            if column.source == "measure_unit":  # the flags: the row's indicator's unit
                assert cell == indicator_unit(record["unit_type"], record["indicator"])
            elif column.source in FLAG_VALUES and "unit_id" in record:
                value = record[column.source]
                scale = indicator_scale(record["unit_type"], record["indicator"])
                assert cell == (None if value is None else pytest.approx(value * scale))
            elif column.source in record:
                expected = shown(record[column.source], column.kind)
                if isinstance(expected, float):
                    assert cell == pytest.approx(expected, rel=1e-12, abs=1e-15), label
                else:
                    assert cell == expected, (label, cell, expected)
            elif column.source == "village_name":
                assert cell == names[record["village_code"]]
            elif column.source == "town_name":
                assert cell == towns[record["town_code"]]
            elif column.source.startswith(("lead_", "responsible_")):  # 对号问责's cadres
                role = column.source.split("_")[0]
                name, post, unit = cadres[record[f"{role}_cadre_id"]]
                assert cell == {"cadre_name": name, "post": post, "unit_name": unit}[
                    column.source.removeprefix(f"{role}_")], label
            elif column.source in ("cadre_name", "post", "unit_name") and "cadre_id" in record:
                name, post, unit = cadres[record["cadre_id"]]
                assert cell == {"cadre_name": name, "post": post, "unit_name": unit}[
                    column.source]
            elif column.source == "scope_label":
                assert cell == ("全县" if record["scope_type"] == "county"
                                else NO_TOWN_NAMES[record["scope_code"]]
                                if record["scope_type"] == "no_town"
                                else towns[record["scope_code"]])


def test_notes_sheet_states_definitions_parameters_as_of_and_build(exported, ranked_demo):
    header, rows = sheet_rows(exported["path"], "数据说明")
    assert header == ["类别", "项目", "取值", "说明"]
    with connect(require_build=True) as con:
        build_id, as_of = con.sql("select build_id, as_of from meta.build_info").fetchall()[0]
    values = {(r[0], r[1]): r[2] for r in rows}
    assert values[("基本信息", "数据截止日期（as_of）")] == as_of.isoformat()
    assert values[("基本信息", "构建编号")] == build_id
    assert values[("基本信息", "考核年度")] == str(YEAR)
    assert values[("排名参数", "min_eb_weight")] == "0.2"
    assert values[("排名参数", "mc_seed")] == "20111231"
    assert values[("创建标准", "petitions_per_1k")] == "3"
    assert values[("先进个人推荐资格", "min_p_top_decile")] == "0.8"
    assert any(r[0] == "指标定义" for r in rows)


def test_cover_names_the_county_year_as_of_and_build_and_leaves_lines_to_sign(exported,
                                                                              ranked_demo):
    with connect(require_build=True) as con:
        build_id, as_of = con.sql("select build_id, as_of from meta.build_info").fetchall()[0]
    workbook = openpyxl.load_workbook(exported["path"])
    cover = workbook.worksheets[0]
    assert cover.title == "封面"
    assert cover["A1"].value == PAGE_HEADER and "A1:B1" in cover.merged_cells
    lines = {row[0]: row[1] for row in cover.iter_rows(min_row=3, values_only=True)}
    assert lines == {
        "县（市、区）": COUNTY,
        "考核年度": str(YEAR),
        "数据截止日期（as_of）": as_of.isoformat(),
        "构建编号": build_id,
        "填报人": None,  # filled in by hand, on a ruled line
        "审核人": None,
        "日期": None,
    }
    for row in range(3, cover.max_row + 1):
        assert cover.cell(row=row, column=2).border.bottom.style == "thin"


def _county_row(con, table: str) -> dict:
    return con.sql(f"select * from marts.{table} "
                   f"where scope_type = 'county' and year = {YEAR}").pl().to_dicts()[0]


def test_summary_states_the_county_figures_with_units_targets_and_verdicts(exported,
                                                                           ranked_demo):
    """Values recomputed from the marts' counts; targets and verdicts worked by hand from
    seeds/dashboard_targets.csv (repeat-visit share ≤ 2%, closure within a month ≥ 90%,
    shelved share ≤ 1%) and the mart's 一低四控 flags."""
    header, rows = sheet_rows(exported["path"], "考核摘要")
    assert header == ["考核项目", "数值", "计量单位", "目标", "评定"]
    with connect(require_build=True) as con:
        o = _county_row(con, "fct_one_low_four_controls")
        h = _county_row(con, "fct_handling_performance")
        meets = [r[0] for r in con.sql("select is_meets_standard from marts.fct_village_year "
                                       f"where year = {YEAR}").fetchall()]
    meets = [m for m in meets if m is not None]

    def control(code: str, flag: str, yes: str, no: str) -> tuple:
        prev, ok = o[f"{code}_prev_year"], o[flag]
        return (o[code], "件", f"不高于上年（{prev:,}件）" if prev is not None else "不高于上年",
                "无上年数据" if ok is None else yes if ok else no)

    def share(num: float, den: float, limit: float | None, direction: str | None) -> tuple:
        value = num / den
        if limit is None:
            return round(100 * value, 2), "%", None, "未设目标"
        met = value <= limit if direction == "max" else value >= limit
        target = ("不高于" if direction == "max" else "不低于") + f"{round(100 * limit)}%"
        return round(100 * value, 2), "%", target, "达标" if met else "未达标"

    expected = {
        "信访总量": control("petitions", "is_low_running", "低位运行", "未低位运行"),
        "重复信访": control("repeat_petitions", "is_repeat_controlled", "已控制", "未控制"),
        "越级访": control("skip_level_petitions", "is_skip_level_controlled", "已控制", "未控制"),
        "集体访": control("collective_petitions", "is_collective_controlled", "已控制", "未控制"),
        "异常访": control("abnormal_petitions", "is_abnormal_controlled", "已控制", "未控制"),
        "问题线索件数": (h["leads"], "件", None, "未设目标"),
        "成案件数": (h["cases_opened"], "件", None, "未设目标"),
        "重访占来访比": share(o["repeat_visits"], o["visits"], 0.02, "max"),
        "初信初访一个月内办结率": share(h["first_time_closed_within_30d"], h["first_time_due"],
                                        0.90, "min"),
        "暂存件占比": share(h["shelved"], h["petitions"], 0.01, "max"),
        "达到创建标准村居占比": share(sum(meets), len(meets), None, None),
    }
    assert [r[0] for r in rows] == list(expected)
    for item, value, unit, target, verdict in rows:
        want = expected[item]
        assert value == pytest.approx(want[0], abs=1e-9), item
        assert (unit, target, verdict) == want[1:], item


def test_per_town_sheet_ends_with_the_county_as_the_sum_of_the_rows_above(exported,
                                                                           ranked_demo):
    header, rows = sheet_rows(exported["path"], "一低四控")
    with connect(require_build=True) as con:
        towns = [r[0] for r in con.sql(
            "select coalesce(t.town_name, f.scope_code) from marts.fct_one_low_four_controls f "
            "left join marts.dim_town t on t.town_code = f.scope_code "
            f"where f.scope_type = 'town' and f.year = {YEAR} order by f.scope_code").fetchall()]
    assert [r[0] for r in rows] == [*towns, "县直", "未落地", "全县"]
    *parts, total = rows
    counted = [i for i, h in enumerate(header)
               if h.endswith(("（件）", "（人）")) and not h.startswith("每千人")]
    assert len(counted) == 13  # residents, 5 counts and their last-year twins, visits, repeats
    for i in counted:
        assert total[i] == sum(r[i] or 0 for r in parts), header[i]
    cells = dict(zip(header, total, strict=True))
    assert cells["每千人信访量（件）"] == pytest.approx(
        1000 * cells["信访总量（件）"] / cells["户籍人口（人）"])
    assert cells["重访占来访比（%）"] == pytest.approx(
        100 * cells["重复来访件数（件）"] / cells["来访件数（件）"])
    for flag in ("低位运行", "重复信访受控", "越级访受控", "集体访受控", "异常访受控"):
        assert {r[header.index(flag)] for r in rows} <= {"是", "否", None}


TECHNICAL = re.compile(r"_(eb|z|funnel)$|^rank_|^p_(top|bottom)_decile$|^composite_score$"
                       r"|^ranked_units$|^is_case_mix_adjusted$")


def test_technical_columns_are_in_the_appendix_keyed_by_unit(exported, ranked_demo):
    """The main village and cadre sheets keep no estimate, z, funnel position, rank or
    probability; the appendix holds them, one row per unit and ranked indicator (from
    seeds/ranking_indicators.csv; shares in per cent) and one per unit for the composite."""
    for name in ("村居考核", "干部考评"):
        spec = next(s for s in export.SHEETS if sheet_name(s) == name)
        assert not [c.source for c in spec.columns if TECHNICAL.search(c.source)], name
    header, rows = sheet_rows(exported["path"], "技术附表")
    assert header[:8] == ["对象类型", "编号", "名称", "指标", "计量单位", "经验贝叶斯估计值",
                          "z值", "漏斗图位置"]
    ranked = sorted((r for r in seeds.read_seed("ranking_indicators") if r["role"] == "ranked"),
                    key=lambda r: int(r["sort_order"]))
    expected: list[tuple] = []
    with connect(require_build=True) as con:
        for unit_type, table, key, dim, name in (
            ("village", "fct_village_year", "village_code", "dim_village", "village_name"),
            ("cadre", "fct_cadre_year", "cadre_id", "dim_cadre", "cadre_name"),
        ):
            names = dict(con.sql(f"select {key}, {name} from marts.{dim}").fetchall())
            units = con.sql(f"select * from marts.{table} where year = {YEAR} "
                            f"order by {key}").pl().to_dicts()
            kind = LABELS.vocab("ranked_unit", unit_type)
            for unit in units:
                head = (kind, unit[key], names[unit[key]])
                for r in (r for r in ranked if r["unit_type"] == unit_type):
                    code, eb = r["indicator"], unit[f"{r['indicator']}_eb"]
                    expected.append((*head, LABELS.indicator(code),
                                     indicator_unit(unit_type, code),
                                     None if eb is None else eb * indicator_scale(unit_type, code),
                                     unit[f"{code}_z"],
                                     LABELS.vocab("funnel_position", unit[f"{code}_funnel"]) or None,
                                     *[None] * 9))
                yes_no = {True: "是", False: "否", None: None}
                expected.append((*head, "综合得分", None, None, None, None,
                                 unit["composite_score"], unit["ranked_units"],
                                 unit["rank_median"], unit["rank_low"], unit["rank_high"],
                                 unit["p_top_decile"], unit["p_bottom_decile"],
                                 yes_no[unit["is_insufficient_data"]],
                                 yes_no[unit.get("is_case_mix_adjusted")]))
    assert len(rows) == len(expected)
    for row, want in zip(rows, expected, strict=True):
        for got, value in zip(row, want, strict=True):
            if isinstance(value, float):
                assert got == pytest.approx(value, rel=1e-12, abs=1e-15), (row, want)
            else:
                assert got == value, (row, want)


def test_an_empty_sheet_says_why(exported, ranked_demo):
    """The demo names no advanced-individual candidate (fct_cadre_candidates is empty), so
    that sheet at least shows its note: the dashboards' "none" text and the rule."""
    empty = []
    with connect(require_build=True) as con:
        for name, (table, _) in SOURCES.items():
            if not con.sql(f"select 1 from marts.{table} where year = {YEAR}").fetchall():
                empty.append(name)
    assert "先进个人候选" in empty
    workbook = openpyxl.load_workbook(exported["path"])
    for name in empty:
        sheet = workbook[name]
        assert sheet.max_row == 2, name
        note = sheet.cell(row=2, column=1).value
        assert note == expected_note(name)
        assert note.startswith("本年度没有") and "判定依据：" in note
        assert f"A2:{get_column_letter(sheet.max_column)}2" in sheet.merged_cells
    assert expected_note("先进个人候选").startswith("本年度没有候选人。判定依据：符合推荐资格")


def test_every_sheet_prints_on_a4_landscape_one_page_wide(exported):
    workbook = openpyxl.load_workbook(exported["path"])
    assert len(workbook.worksheets) == len(export.SHEETS)
    for sheet in workbook.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert int(setup.paperSize) == 9, sheet.title  # A4
        assert sheet.print_title_rows == "$1:$1", sheet.title  # header (or title) repeated
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert int(setup.fitToWidth or 1) == 1 and int(setup.fitToHeight) == 0, sheet.title
        assert sheet.oddHeader.center.text == PAGE_HEADER, sheet.title
        assert sheet.oddFooter.center.text == PAGE_FOOTER, sheet.title


def test_writer_forms_empty_notes_and_print_codes(tmp_path):
    """pipelines.writers alone: a form's empty value is a ruled blank, an empty frame gets its
    note, a literal & in a page header stays literal, and {page}/{pages} become &P/&N."""
    page = writers.Page(header="A&B {page}", footer="{page}/{pages}")
    empty = pl.DataFrame({"件数": pl.Series([], dtype=pl.Int64), "名称": pl.Series([], dtype=pl.String)})
    writers.write_xlsx([
        writers.Form("封面", "=标题", [("填报人", None), ("构建", "+b1")], page),
        writers.Sheet("空表", empty, page=page, empty_note="=没有"),
    ], tmp_path / "book.xlsx")
    book = openpyxl.load_workbook(tmp_path / "book.xlsx")
    form, blank = book["封面"], book["空表"]
    assert form["A1"].value == "'=标题" and form["B4"].value == "'+b1"
    assert form["B3"].value is None and form["B3"].border.bottom.style == "thin"
    assert [c.value for c in blank[1]] == ["件数", "名称"]
    assert blank["A2"].value == "'=没有" and "A2:B2" in blank.merged_cells
    for sheet in (form, blank):
        assert sheet.oddHeader.center.text == "A&&B &P"
        assert sheet.oddFooter.center.text == "&P/&N"
        assert sheet.page_setup.orientation == "landscape"


def test_csv_and_parquet_copies_equal_the_sheets(exported):
    assert [s.key for s in export.COPIED] == [s.key for s in export.SHEETS if s.key != "cover"]
    assert not (exported["out"] / f"assessment_{YEAR}_cover.csv").exists()
    for sheet in export.COPIED:
        header, rows = sheet_rows(exported["path"], sheet_name(sheet))
        if rows == [(expected_note(sheet_name(sheet)),) + (None,) * (len(header) - 1)]:
            rows = []  # an empty sheet's note is the workbook's; a copy is its header
        csv_path = exported["out"] / f"assessment_{YEAR}_{sheet.key}.csv"
        raw = csv_path.read_bytes()
        assert raw.startswith("\ufeff".encode())
        records = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert records[0] == header
        assert len(records) - 1 == len(rows)
        parquet = pl.read_parquet(exported["out"] / f"assessment_{YEAR}_{sheet.key}.parquet")
        assert parquet.columns == header
        assert parquet.height == len(rows)
        for got, row in zip(parquet.iter_rows(), rows, strict=True):
            for a, b in zip(got, row, strict=True):
                if isinstance(a, float):
                    assert b == pytest.approx(a, rel=1e-12)
                else:
                    assert a == b
        for got, row in zip(records[1:], rows, strict=True):
            for text, cell in zip(got, row, strict=True):
                if isinstance(cell, int | float):  # the workbook keeps 16 significant digits
                    assert float(text) == pytest.approx(cell, rel=1e-12)
                else:
                    assert text == ("" if cell is None else str(cell))


def test_identical_inputs_give_identical_cells(exported):
    assert exported["path"].read_bytes() == exported["again"].read_bytes()
    first = openpyxl.load_workbook(exported["path"], read_only=True)
    second = openpyxl.load_workbook(exported["again"], read_only=True)
    try:
        assert first.sheetnames == second.sheetnames
        for name in first.sheetnames:
            a = list(first[name].iter_rows(values_only=True))
            b = list(second[name].iter_rows(values_only=True))
            assert a == b, name
    finally:
        first.close()
        second.close()
    for sheet in export.COPIED:
        name = f"assessment_{YEAR}_{sheet.key}.csv"
        assert (exported["out"] / name).read_bytes() == (
            exported["out"] / "again" / name).read_bytes()


def test_formula_like_text_is_escaped():
    assert writers.escape_formula("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    for text in ("+1", "-2", "@SUM(A1)", "=1+1", "\tx", "\rx"):
        assert writers.escape_formula(text) == "'" + text
    assert writers.escape_formula("张三") == "张三"
    frame = pl.DataFrame({"name": ["=cmd|' /C calc'!A0", "王五", None], "n": [1, 2, 3]})
    frame = frame.rename({"name": "cadre_name", "n": "closed"})
    columns = (export.Column("cadre_name"), export.Column("closed", export.INT))
    escaped = writers.escape_formulas(export._display(frame, columns, LABELS))
    assert escaped["姓名"].to_list() == ["'=cmd|' /C calc'!A0", "王五", None]
    assert escaped["办结件数"].to_list() == [1, 2, 3]  # numbers are never text


def test_formula_like_names_stay_text_in_the_workbook_and_copies(tmp_path):
    names = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-1", "@A1", "张三"]
    frame = pl.DataFrame({"姓名": names, "件数": [1, 2, 3, 4, -5]})
    writers.write_xlsx([writers.Sheet("干部考评", frame)], tmp_path / "book.xlsx")
    writers.write_csv(frame, tmp_path / "copy.csv")
    writers.write_parquet(frame, tmp_path / "copy.parquet")
    sheet = openpyxl.load_workbook(tmp_path / "book.xlsx")["干部考评"]
    cells = [sheet.cell(row=i, column=1) for i in range(2, 7)]
    assert all(c.data_type == "s" for c in cells)  # text, never a formula ("f")
    assert [c.value for c in cells] == ["'" + n for n in names[:4]] + ["张三"]
    assert sheet.cell(row=6, column=2).value == -5  # numbers stay numbers
    rows = list(csv.reader(io.StringIO((tmp_path / "copy.csv").read_text("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [c.value for c in cells]
    assert pl.read_parquet(tmp_path / "copy.parquet")["姓名"].to_list() == [c.value for c in cells]


def test_a_year_outside_the_data_is_a_one_line_usage_error(ranked_demo, tmp_path):
    with pytest.raises(UsageError) as info:
        export.export_workbook(1999, tmp_path, quiet=True)
    assert "\n" not in str(info.value) and "1999" in str(info.value)
    assert not any(tmp_path.iterdir())


def test_no_published_build_is_a_one_line_usage_error(xinfang_home, tmp_path):
    with pytest.raises(UsageError) as info:
        export.export_workbook(YEAR, tmp_path / "out", quiet=True)
    assert "\n" not in str(info.value)


def test_command_line_export(ranked_demo, tmp_path):
    import os
    import subprocess
    import sys

    def run(*args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "XINFANG_HOME": str(ranked_demo), "DO_NOT_TRACK": "1"}
        return subprocess.run(
            [sys.executable, "-c", "from pipelines.cli import main; main()", "export", *args],
            check=False, env=env, capture_output=True, text=True, timeout=300,
        )

    done = run("--year", str(YEAR), "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / f"assessment_{YEAR}.xlsx").exists()
    bad = run("--year", "1999", "--out", str(tmp_path / "bad"))
    assert bad.returncode == 2
    assert len([line for line in bad.stderr.splitlines() if line.strip()]) == 1
