"""Tables shown in ag-grid and downloaded as CSV or XLSX: one definition serves all three.

A `Table` holds display-ready rows (only the fields its columns name, so nothing else reaches
the browser or a download) and typed columns: `text`, `int`, `pct` (a share in [0, 1]),
`dec1`/`dec2` (decimals), `flag` (True/False/None as ✓/✗: True is good), `alert` (True
shown as ⚠, False blank: True needs attention), `mark` (True shown as ✓, False blank: a
selection) and `prob` (a probability). Downloads go through pipelines.writers, which escapes
formula-like text (a name such as `=HYPERLINK(...)` stays text in Excel).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import dash_ag_grid as dag
import polars as pl

from dashboards import i18n
from pipelines import writers

KINDS = ("text", "int", "pct", "dec1", "dec2", "flag", "alert", "mark", "prob")

_FORMATTERS = {
    "int": "params.value == null ? '—' : Number(params.value).toLocaleString('en-US')",
    "pct": "params.value == null ? '—' : (100 * params.value).toFixed(1) + '%'",
    "prob": "params.value == null ? '—' : (100 * params.value).toFixed(0) + '%'",
    "dec1": "params.value == null ? '—' : Number(params.value).toFixed(1)",
    "dec2": "params.value == null ? '—' : Number(params.value).toFixed(2)",
    "flag": "params.value == null ? '—' : (params.value ? '✓' : '✗')",
    "alert": "params.value ? '⚠' : ''",
    "mark": "params.value ? '✓' : ''",
}
_MIN_WIDTHS = {"int": 70, "pct": 84, "prob": 76, "dec1": 72, "dec2": 76, "flag": 66,
               "alert": 66, "mark": 66}
_XLSX_FORMATS = {"int": "#,##0", "pct": "0.0%", "prob": "0%", "dec1": "0.0", "dec2": "0.00"}
# The digits a download keeps: what the page shows (a share as a fraction: 94.4% is 0.944).
_DIGITS = {"pct": 3, "prob": 2, "dec1": 1, "dec2": 2}

# AG Grid's own texts in Chinese (the grid ships English only).
LOCALE_ZH = {
    "noRowsToShow": "没有数据",
    "loadingOoo": "加载中…",
    "contains": "包含",
    "notContains": "不包含",
    "equals": "等于",
    "notEqual": "不等于",
    "startsWith": "开头是",
    "endsWith": "结尾是",
    "blank": "为空",
    "notBlank": "不为空",
    "lessThan": "小于",
    "greaterThan": "大于",
    "lessThanOrEqual": "小于等于",
    "greaterThanOrEqual": "大于等于",
    "inRange": "介于",
    "filterOoo": "筛选…",
    "andCondition": "且",
    "orCondition": "或",
    "applyFilter": "应用",
    "resetFilter": "重置",
    "clearFilter": "清除",
    "page": "页",
    "of": "/",
    "to": "至",
    "more": "更多",
    "firstPage": "第一页",
    "lastPage": "最后一页",
    "nextPage": "下一页",
    "previousPage": "上一页",
}


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    kind: str = "text"
    width: int | None = None
    pinned: bool = False
    tooltip_field: str | None = None
    group: str | None = None  # a header spanning consecutive columns of the same group

    @property
    def full_header(self) -> str:
        return f"{self.group}·{self.header}" if self.group else self.header

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class Table:
    name: str  # the download's file stem
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, name: str, columns: list[Column], rows: list[dict[str, Any]]) -> Table:
        """Keep only the columns' fields (and tooltip fields) of each row."""
        keep = [c.field for c in columns] + [c.tooltip_field for c in columns if c.tooltip_field]
        return cls(name, tuple(columns), [{k: r.get(k) for k in keep} for r in rows])


def grid(table: Table, id_: str, lang: str, *, max_auto_rows: int = 15, height: int = 520) -> dag.AgGrid:
    columns: list[dict[str, Any]] = []
    for c in table.columns:
        spec: dict[str, Any] = {"field": c.field, "headerName": c.header}
        if c.kind != "text":
            spec["valueFormatter"] = {"function": _FORMATTERS[c.kind]}
            spec["type"] = "rightAligned"
            spec["cellDataType"] = False  # no inferred checkbox for booleans
            spec["filter"] = False
            spec["minWidth"] = _MIN_WIDTHS[c.kind]
        if c.kind == "flag":
            spec["cellClassRules"] = {
                "cell-yes": "params.value === true",
                "cell-no": "params.value === false",
            }
        if c.kind == "alert":
            spec["cellClassRules"] = {"cell-alert": "params.value === true"}
        if c.kind == "mark":
            spec["cellClassRules"] = {"cell-yes": "params.value === true"}
        if c.width:
            spec["minWidth"] = c.width
        if c.pinned:
            spec["pinned"] = "left"
        if c.tooltip_field:
            spec["tooltipField"] = c.tooltip_field
        last = columns[-1] if columns else None
        if c.group and last is not None and last.get("headerName") == c.group and "children" in last:
            last["children"].append(spec)
        elif c.group:
            columns.append({"headerName": c.group, "children": [spec], "marryChildren": True,
                            "headerClass": "grid-group"})
        else:
            columns.append(spec)
    auto = len(table.rows) <= max_auto_rows
    options: dict[str, Any] = {
        "domLayout": "autoHeight" if auto else "normal",
        "tooltipShowDelay": 300,
        "enableCellTextSelection": True,
    }
    if i18n.lang_of(lang) == "zh":
        options["localeText"] = LOCALE_ZH
    return dag.AgGrid(
        id=id_,
        rowData=table.rows,
        columnDefs=columns,
        defaultColDef={
            "sortable": True,
            "filter": True,
            "resizable": True,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
            "minWidth": 80,
        },
        columnSize="responsiveSizeToFit",
        dashGridOptions=options,
        style={"height": None if auto else f"{height}px", "width": "100%"},
    )


def frame(table: Table, lang: str) -> pl.DataFrame:
    """The table as downloaded: full headers, numbers as numbers rounded as the page shows
    them, yes/no words for flags."""
    columns = []
    for c in table.columns:
        values = [row.get(c.field) for row in table.rows]
        if c.kind in ("flag", "alert", "mark"):
            shown = [None if v is None else i18n.t("text.yes" if v else "text.no", lang) for v in values]
            columns.append(pl.Series(c.full_header, shown, dtype=pl.String))
        elif c.kind == "text":
            shown = [None if v is None else str(v) for v in values]
            columns.append(pl.Series(c.full_header, shown, dtype=pl.String))
        else:
            series = pl.Series(c.full_header, values, strict=False)
            series = series.cast(pl.Float64) if series.dtype == pl.Null else series
            if c.kind in _DIGITS:
                series = series.cast(pl.Float64).round(_DIGITS[c.kind])
            columns.append(series)
    return pl.DataFrame(columns)


def to_csv(table: Table, lang: str) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese headers correctly."""
    buf = io.BytesIO()
    writers.write_csv(frame(table, lang), buf)
    return buf.getvalue()


def to_xlsx(table: Table, lang: str, sheet: str | None = None) -> bytes:
    formats = {c.full_header: _XLSX_FORMATS[c.kind] for c in table.columns
               if c.kind in _XLSX_FORMATS}
    buf = io.BytesIO()
    writers.write_xlsx([writers.Sheet(sheet or table.name, frame(table, lang), formats)], buf)
    return buf.getvalue()


def download(table: Table, fmt: str, lang: str, stem: str) -> dict[str, Any]:
    """What dcc.Download takes: the current table as CSV or XLSX."""
    if fmt == "csv":
        content, name = to_csv(table, lang), f"{stem}.csv"
    elif fmt == "xlsx":
        content, name = to_xlsx(table, lang), f"{stem}.xlsx"
    else:
        raise ValueError(f"unknown download format {fmt!r}")
    import base64

    return {
        "content": base64.b64encode(content).decode("ascii"),
        "filename": name,
        "base64": True,
        "type": "text/csv" if fmt == "csv" else (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    }
