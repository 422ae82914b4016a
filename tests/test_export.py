"""`xinfang export`: the annual assessment workbook (issue 4). It opens with openpyxl, every
sheet reads back equal to the marts, the CSV and Parquet copies equal the sheets, identical
inputs give an identical workbook (byte for byte) and copies, formula-like text is escaped,
and bad requests are one-line usage errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from pipelines import export, writers
from pipelines.errors import UsageError
from pipelines.labels import from_files
from pipelines.warehouse import connect

YEAR = 2011
LABELS = from_files()
REQUIRED_SHEETS = ("一低四控", "村居考核", "示范村居名单", "干部考评", "办理质量", "数据说明")

# county first, then the towns, then the no-town scopes (县直, 未落地)
SCOPE_ORDER = "case scope_type when 'county' then 0 when 'town' then 1 else 2 end, scope_code"
NO_TOWN_NAMES = {"county_level": "县直", "unknown_village": "未落地"}

# Each data sheet: the mart it shows and the mart's key order (independent of export.py's
# queries), plus the dimension columns it joins for names.
SOURCES = {
    "一低四控": ("fct_one_low_four_controls", SCOPE_ORDER),
    "村居考核": ("fct_village_year", "town_code, village_code"),
    "示范村居名单": ("fct_model_village_list", "list_order"),
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


def shown(value: object, kind: str) -> object:
    """A mart value as the workbook shows it (labels from the seeds)."""
    if value is None:
        return None
    if kind == export.BOOL:
        return LABELS.vocab("yes_no", "yes" if value else "no")
    if kind in export.VOCABULARY_KINDS:
        vocabulary = export.VOCABULARY_KINDS[kind]
        assert (vocabulary, value) in LABELS.vocabularies, (vocabulary, value)
        return LABELS.vocab(vocabulary, value)
    if kind == export.INDICATOR:
        assert value in LABELS.indicators, value
        return LABELS.indicator(value)
    return value


def sheet_name(sheet: export.Sheet) -> str:
    return LABELS.text(f"sheet.{sheet.key}")


def test_workbook_has_the_required_sheets_frozen_and_formatted(exported):
    workbook = openpyxl.load_workbook(exported["path"])
    assert set(REQUIRED_SHEETS) <= set(workbook.sheetnames)
    assert workbook.sheetnames == [sheet_name(s) for s in export.SHEETS]
    villages = workbook["村居考核"]
    assert villages.freeze_panes == "C2"
    assert villages.column_dimensions["B"].width >= 8
    header = [c.value for c in villages[1]]
    rate = villages.cell(row=2, column=header.index("每千人信访量") + 1)
    assert rate.number_format == "0.00"
    share = villages.cell(row=2, column=header.index("满意率") + 1)
    assert share.number_format == "0.0%"
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes is not None and sheet.freeze_panes.endswith("2")


@pytest.mark.parametrize("sheet_name", list(SOURCES))
def test_every_sheet_reads_back_equal_to_the_marts(exported, ranked_demo, sheet_name):
    spec = next(s for s in export.SHEETS if LABELS.text(f"sheet.{s.key}") == sheet_name)
    table, order = SOURCES[sheet_name]
    with connect(require_build=True) as con:
        frame = con.sql(f"select * from marts.{table} where year = {YEAR} order by {order}").pl()
        names = dict(con.sql("select village_code, village_name from marts.dim_village").fetchall())
        cadres = {r[0]: r[1:] for r in con.sql(
            "select cadre_id, cadre_name, unit_name from marts.dim_cadre").fetchall()}
        towns = dict(con.sql("select town_code, town_name from marts.dim_town").fetchall())
    header, rows = sheet_rows(exported["path"], sheet_name)
    assert header == [LABELS.column(c.source) for c in spec.columns]
    assert len(rows) == frame.height
    records = frame.to_dicts()
    for record, row in zip(records, rows, strict=True):
        cells = dict(zip(header, row, strict=True))
        for column in spec.columns:
            label = LABELS.column(column.source)
            cell = cells[label]
            if column.source in record:
                expected = shown(record[column.source], column.kind)
                if isinstance(expected, float):
                    assert cell == pytest.approx(expected, rel=1e-12, abs=1e-15), label
                else:
                    assert cell == expected, (label, cell, expected)
            elif column.source == "village_name":
                assert cell == names[record["village_code"]]
            elif column.source == "town_name":
                assert cell == towns[record["town_code"]]
            elif column.source in ("cadre_name", "unit_name") and "cadre_id" in record:
                name, unit = cadres[record["cadre_id"]]
                assert cell == (name if column.source == "cadre_name" else unit)
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


def test_csv_and_parquet_copies_equal_the_sheets(exported):
    for sheet in export.SHEETS:
        header, rows = sheet_rows(exported["path"], sheet_name(sheet))
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
    for sheet in export.SHEETS:
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
