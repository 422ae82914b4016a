"""Every table handed to a person, written in one place: CSV, XLSX and Parquet.

The annual workbook and its copies (`xinfang export`), the dashboards' downloads and
`xinfang query --format csv` all write through here, on polars: `DataFrame.write_csv`,
`DataFrame.write_excel` (over xlsxwriter) and `DataFrame.write_parquet`.

- Formula-like text is escaped before any writer sees the frame (`escape_formulas`): a text
  cell starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe, so a
  village, cadre or unit named `=HYPERLINK(...)` or `+cmd|...` stays text in Excel, in the
  CSV and in the Parquet copy. xlsxwriter is also told never to turn a string into a
  formula, a link or a number.
- Workbooks are reproducible: xlsxwriter stores its zip members with a fixed 1980 timestamp
  and the document properties carry a given date (by default a fixed one) instead of the
  wall clock, so the same sheets give the same bytes.
- An empty text is a blank cell, in every format (as a spreadsheet reads it back).
- Every worksheet prints: A4 landscape, one page wide, its first row (the header, or a form's
  title) repeated on every page, and the page header and footer a `Page` gives (`{page}` and
  `{pages}` stand for the page number and count; any other text prints as written).
- A sheet without rows says why: its `empty_note` in the row under the header (the workbook
  only; a CSV or Parquet copy of an empty frame is its header).
- A `Form` is a titled list of label–value lines (a cover); an empty value is a line to fill
  in by hand.
- CSV is UTF-8 with a byte-order mark (Excel then reads Chinese headers correctly) unless
  the caller writes for a pipe; dates and times are ISO 8601.

This is not the raw lake's or the audit records' writer: those are the warehouse's own
files, not tables for people (pipelines.ingest, pipelines.fsutil).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import polars as pl
import polars.selectors as cs

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START = r"^([=+\-@\t\r])"  # the same characters, for polars' regex

AUTHOR = "xinfang"
FIXED_CREATED = datetime(2000, 1, 1)  # document date when the caller gives none
HEADER_FORMAT = {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7",
                 "border": 1}
TABLE_STYLE = {"style": "Table Style Light 1", "banded_rows": False}
_WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}
TITLE_FORMAT = {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}
FORM_LABEL_FORMAT = {"bold": True, "align": "right", "valign": "vcenter"}
FORM_VALUE_FORMAT = {"bottom": 1, "valign": "vcenter"}  # a line, also where nothing is written
NOTE_FORMAT = {"text_wrap": True, "valign": "top", "italic": True}
A4 = 9  # xlsxwriter / OOXML paper size
_SHEET_NAME_LIMIT = 31
_FORM_WIDTHS = (24, 48)  # characters: labels, values
_ROW_POINTS = 15  # height of one text line (Calibri 11)
_WIDTH_SAMPLE = 2000  # rows looked at to fit a column's width
Target = Path | IO[bytes]


def escape_formula(value: str) -> str:
    """A text that starts like a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def escape_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with every text column's formula-like cells escaped (see `escape_formula`)."""
    text = frame.select(cs.string(include_categorical=True)).columns
    if not text:
        return frame
    return frame.with_columns(
        pl.col(text).cast(pl.String).str.replace(_FORMULA_START, "'$1")
    )


def _prepared(frame: pl.DataFrame) -> pl.DataFrame:
    """What every writer writes: nested and binary columns as their text (no table format
    holds them), empty texts as blanks, formula-like texts escaped."""
    odd = [c for c, t in frame.schema.items() if t.is_nested() or t in (pl.Object, pl.Binary)]
    frame = frame.with_columns(
        pl.Series(c, [None if v is None else str(v) for v in frame[c].to_list()],
                  dtype=pl.String)
        for c in odd
    )
    text = frame.select(cs.string(include_categorical=True)).columns
    frame = frame.with_columns(pl.col(text).cast(pl.String).replace("", None))
    return escape_formulas(frame)


def write_csv(frame: pl.DataFrame, target: Target, *, bom: bool = True,
              line_terminator: str = "\r\n") -> None:
    """Header and rows, UTF-8 (with a byte-order mark unless `bom=False`), nulls empty."""
    _prepared(frame).write_csv(
        target,
        include_bom=bom,
        line_terminator=line_terminator,
        null_value="",
        datetime_format="%Y-%m-%dT%H:%M:%S%.f",
        time_format="%H:%M:%S%.f",
    )


def write_parquet(frame: pl.DataFrame, target: Target) -> None:
    _prepared(frame).write_parquet(target, statistics=False)


@dataclass(frozen=True)
class Page:
    """How a worksheet prints: A4 landscape, fitted to one page wide (as many pages down as it
    takes), its first row repeated on every page. `header` and `footer` are centred texts;
    `{page}` and `{pages}` in them become the page number and the page count."""

    header: str = ""
    footer: str = ""


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a frame written as an Excel table under a styled header row."""

    name: str  # at most 31 characters are kept (Excel's limit)
    frame: pl.DataFrame
    formats: Mapping[str, str] = field(default_factory=dict)  # column → Excel number format
    frozen: tuple[int, int] = (1, 0)  # rows and columns kept in view
    page: Page = Page()
    empty_note: str | None = None  # written under the header when the frame has no rows


@dataclass(frozen=True)
class Form:
    """One worksheet of label–value lines under a title (a cover); an empty value is a line
    to fill in by hand."""

    name: str
    title: str
    lines: Sequence[tuple[str, str | None]]
    page: Page = Page()


def write_xlsx(sheets: Sequence[Sheet | Form], target: Target, *,
               properties: Mapping[str, Any] | None = None,
               created: datetime = FIXED_CREATED) -> None:
    """A workbook of `sheets`; `properties` are xlsxwriter document properties (title,
    subject, comments…), and `created` is the only date it records."""
    import xlsxwriter

    book = xlsxwriter.Workbook(target, _WORKBOOK_OPTIONS)
    try:
        book.set_properties({"author": AUTHOR, **(properties or {}), "created": created})
        for sheet in sheets:
            name = sheet.name[:_SHEET_NAME_LIMIT]
            if isinstance(sheet, Form):
                _write_form(book, name, sheet)
            elif sheet.frame.height == 0 and sheet.empty_note:
                _write_empty(book, name, sheet)
            else:
                frame = _prepared(sheet.frame)
                frame.write_excel(
                    book,
                    name,
                    table_style=TABLE_STYLE,
                    column_formats=dict(sheet.formats),
                    header_format=HEADER_FORMAT,
                    column_widths={c: _pixels(_fitted_width(frame[c])) for c in frame.columns},
                    freeze_panes=sheet.frozen,
                )
            _set_up_printing(book.get_worksheet_by_name(name), sheet.page)
    finally:
        book.close()


def _set_up_printing(worksheet: Any, page: Page) -> None:
    worksheet.set_paper(A4)
    worksheet.set_landscape()
    worksheet.repeat_rows(0)
    worksheet.fit_to_pages(1, 0)
    if page.header:
        worksheet.set_header("&C" + _header_footer_text(page.header))
    if page.footer:
        worksheet.set_footer("&C" + _header_footer_text(page.footer))


def _header_footer_text(text: str) -> str:
    """Excel's header/footer codes: a literal & is &&; {page} and {pages} are &P and &N."""
    return text.replace("&", "&&").replace("{page}", "&P").replace("{pages}", "&N")


def _write_empty(book: Any, name: str, sheet: Sheet) -> None:
    """The header row, and the note saying why there are no rows across the row below it."""
    worksheet = book.add_worksheet(name)
    header = book.add_format(HEADER_FORMAT)
    columns = sheet.frame.columns
    for index, column in enumerate(columns):
        worksheet.write_string(0, index, escape_formula(column), header)
        worksheet.set_column_pixels(index, index, _pixels(_fitted_width(sheet.frame[column])))
    note = escape_formula(sheet.empty_note or "")
    note_format = book.add_format(NOTE_FORMAT)
    last = max(len(columns) - 1, 0)
    if last:
        worksheet.merge_range(1, 0, 1, last, note, note_format)
    else:
        worksheet.write_string(1, 0, note, note_format)
    width = sum(_fitted_width(sheet.frame[c]) for c in columns) or 8
    lines = -(-_text_width(note) // int(width))  # ceiling division
    worksheet.set_row(1, _ROW_POINTS * max(lines, 1))
    worksheet.freeze_panes(*sheet.frozen)


def _write_form(book: Any, name: str, form: Form) -> None:
    worksheet = book.add_worksheet(name)
    for index, characters in enumerate(_FORM_WIDTHS):
        worksheet.set_column_pixels(index, index, _pixels(characters))
    worksheet.set_row(0, 2 * _ROW_POINTS)
    worksheet.merge_range(0, 0, 0, len(_FORM_WIDTHS) - 1, escape_formula(form.title),
                          book.add_format(TITLE_FORMAT))
    label_format = book.add_format(FORM_LABEL_FORMAT)
    value_format = book.add_format(FORM_VALUE_FORMAT)
    for offset, (label, value) in enumerate(form.lines):
        row = 2 + offset  # a blank row under the title
        worksheet.set_row(row, 2 * _ROW_POINTS)
        worksheet.write_string(row, 0, escape_formula(label), label_format)
        if value:
            worksheet.write_string(row, 1, escape_formula(value), value_format)
        else:
            worksheet.write_blank(row, 1, None, value_format)


def _fitted_width(series: pl.Series) -> float:
    """Characters wide enough for the header and the first rows (CJK counts double)."""
    sample = series.head(_WIDTH_SAMPLE).to_list()
    widest = max([_text_width(series.name), *(_text_width(v) for v in sample)])
    return float(min(max(widest + 2, 8), 40))


def _text_width(value: object) -> int:
    text = "" if value is None else (
        format(value, ",.2f") if isinstance(value, float) else str(value))
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pixels(characters: float) -> int:
    """Excel's column width in pixels for a width in characters (Calibri 11: 7 px each)."""
    return round(characters * 7 + 5)
