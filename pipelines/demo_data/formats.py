"""How one delivered file looks: format, encoding, header language, value labels, date forms.

Headers and labels come from the seeds (`input_columns.label_zh`, `vocabularies.label_zh`),
never retyped here. Every file is written under a temporary name in the output folder and
renamed when complete, so a reader never sees half a file under a real name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from pipelines import seeds
from pipelines.labels import from_files

TMP_PREFIX = ".tmp-demo-"
FLUSH_ROWS = 120_000  # Parquet row groups; bounds the memory held for one
WORKBOOK_CREATED = datetime(2012, 1, 6, 9, 0, 0)  # fixed, so workbooks are byte-identical


@dataclass(frozen=True)
class Style:
    fmt: str  # csv | xlsx | parquet
    encoding: str = "utf-8"  # utf-8 | utf-8-sig | gb18030 (csv only)
    headers: str = "en"  # en | zh
    values: str = "codes"  # codes | zh
    date_fmt: str = "%Y-%m-%d"
    time_fmt: str = " %H:%M:%S"  # appended to date_fmt when the value has a time
    excel_dates: bool = False  # xlsx: real date cells instead of text
    crlf: bool = False
    # per column: code -> label overrides (e.g. real_name as 是/否)
    relabel: dict[str, dict[str, str]] = field(default_factory=dict)

    def describe(self) -> str:
        if self.fmt == "csv":
            enc = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 BOM", "gb18030": "GB18030"}[self.encoding]
            return f"CSV {enc}"
        return self.fmt.upper()


def _vocab_labels(entity: str, style: Style) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    if style.values != "zh":
        return dict(style.relabel)
    for col in seeds.input_columns(entity):
        if col.vocabulary:
            out[col.name] = from_files().vocab_map(col.vocabulary)
    if entity == "case_events":
        detail: dict[str, str] = {}
        for _kind, vocab in seeds.event_detail_rules().values():
            if vocab:
                detail.update(from_files().vocab_map(vocab))
        out["detail"] = detail
    out.update(style.relabel)
    return out


def presented(
    frame: pl.DataFrame, entity: str, style: Style, text_dates: bool = True
) -> pl.DataFrame:
    """The frame as the file shows it: labels, date text, header names; internal columns gone."""
    date_only = pl.col("_date_only") if "_date_only" in frame.columns else pl.lit(False)
    exprs = []
    labels = _vocab_labels(entity, style)
    for col in seeds.input_columns(entity):
        if col.name not in frame.columns:
            continue
        e = pl.col(col.name)
        dtype = frame.schema[col.name]
        if dtype == pl.Datetime and text_dates:
            e = (
                pl.when(date_only)
                .then(e.dt.strftime(style.date_fmt))
                .otherwise(e.dt.strftime(style.date_fmt + style.time_fmt))
            )
        elif col.name in labels:
            e = e.replace(labels[col.name])
        name = col.label_zh if style.headers == "zh" else col.name
        exprs.append(e.alias(name))
    return frame.select(exprs)


class Sink:
    """One output file, written in pieces."""

    def __init__(self, path: Path, entity: str, style: Style) -> None:
        self.path = path
        self.entity = entity
        self.style = style
        self.rows = 0
        self.tmp = path.with_name(f"{TMP_PREFIX}{os.getpid()}-{path.name}")

    def write(self, frame: pl.DataFrame) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self._finish()
        os.replace(self.tmp, self.path)

    def _finish(self) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        self.tmp.unlink(missing_ok=True)


class CsvSink(Sink):
    def __init__(self, path: Path, entity: str, style: Style) -> None:
        super().__init__(path, entity, style)
        self.fh = open(self.tmp, "wb")  # noqa: SIM115 - closed in _finish/abort
        if style.encoding == "utf-8-sig":
            self.fh.write("\ufeff".encode())
        self.header_done = False

    def write(self, frame: pl.DataFrame) -> None:
        if frame.height == 0 and self.header_done:
            return
        out = presented(frame, self.entity, self.style)
        text = out.write_csv(
            include_header=not self.header_done,
            line_terminator="\r\n" if self.style.crlf else "\n",
        )
        self.header_done = True
        self.fh.write(
            text.encode("gb18030") if self.style.encoding == "gb18030" else text.encode("utf-8")
        )
        self.rows += frame.height

    def _finish(self) -> None:
        if not self.header_done:
            self.write(pl.DataFrame())
        self.fh.close()

    def abort(self) -> None:
        self.fh.close()
        super().abort()


class ParquetSink(Sink):
    def __init__(self, path: Path, entity: str, style: Style) -> None:
        super().__init__(path, entity, style)
        self.writer: pq.ParquetWriter | None = None
        self.pending: list[pl.DataFrame] = []
        self.pending_rows = 0

    def write(self, frame: pl.DataFrame) -> None:
        self.pending.append(presented(frame, self.entity, self.style, text_dates=False))
        self.pending_rows += frame.height
        self.rows += frame.height
        if self.pending_rows >= FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        table = pl.concat(self.pending).to_arrow(compat_level=pl.CompatLevel.oldest())
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.tmp, table.schema, compression="zstd")
        self.writer.write_table(table)
        self.pending, self.pending_rows = [], 0

    def _finish(self) -> None:
        self._flush()
        if self.writer is None:  # no rows at all: still a valid file with the columns
            pl.DataFrame().write_parquet(self.tmp)
        else:
            self.writer.close()

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.close()
        super().abort()


class XlsxSink(Sink):
    """Collects the rows (county scale only) and writes one worksheet at the end."""

    MAX_ROWS = 1_048_575

    def __init__(self, path: Path, entity: str, style: Style) -> None:
        super().__init__(path, entity, style)
        self.frames: list[pl.DataFrame] = []

    def write(self, frame: pl.DataFrame) -> None:
        self.frames.append(
            presented(frame, self.entity, self.style, text_dates=not self.style.excel_dates).hstack(
                [frame["_date_only"]] if "_date_only" in frame.columns else []
            )
        )
        self.rows += frame.height
        if self.rows > self.MAX_ROWS:
            raise ValueError("too many rows for one worksheet")

    def _finish(self) -> None:
        import xlsxwriter

        frame = pl.concat(self.frames) if self.frames else pl.DataFrame()
        date_only = frame["_date_only"].to_list() if "_date_only" in frame.columns else None
        if "_date_only" in frame.columns:
            frame = frame.drop("_date_only")
        wb = xlsxwriter.Workbook(str(self.tmp), {"constant_memory": True})
        wb.set_properties({"created": WORKBOOK_CREATED, "author": "信访举报管理系统"})
        ws = wb.add_worksheet("Sheet1")
        bold = wb.add_format({"bold": True})
        fmt_dt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        fmt_d = wb.add_format({"num_format": "yyyy-mm-dd"})
        for j, name in enumerate(frame.columns):
            ws.write_string(0, j, name, bold)
        kinds = [frame.schema[c] for c in frame.columns]
        for i, row in enumerate(frame.iter_rows(), start=1):
            for j, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, datetime):
                    day_only = bool(date_only[i - 1]) if date_only is not None else False
                    ws.write_datetime(i, j, value, fmt_d if day_only else fmt_dt)
                elif kinds[j].is_integer():
                    ws.write_number(i, j, value)
                else:
                    ws.write_string(i, j, str(value))
        wb.close()


def open_sink(path: Path, entity: str, style: Style) -> Sink:
    if style.fmt == "csv":
        return CsvSink(path, entity, style)
    if style.fmt == "parquet":
        return ParquetSink(path, entity, style)
    if style.fmt == "xlsx":
        return XlsxSink(path, entity, style)
    raise ValueError(style.fmt)


def write_table(path: Path, entity: str, style: Style, frame: pl.DataFrame) -> int:
    sink = open_sink(path, entity, style)
    try:
        sink.write(frame)
        sink.close()
    except BaseException:
        sink.abort()
        raise
    return sink.rows


__all__ = ["Sink", "Style", "open_sink", "presented", "write_table"]
