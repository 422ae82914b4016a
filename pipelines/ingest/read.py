"""Read one delivered file into chunks of text records, with physical line numbers.

Formats (CONTRACT §2): CSV in UTF-8, UTF-8 with BOM or GB18030 (detected, never assumed), XLSX,
JSON Lines and Parquet. Every value comes out as text (or None); typing and validation happen
later, in one place. A file that cannot be read at all raises `Unreadable`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.errors import XinfangError

CHUNK_ROWS = 200_000
SAMPLE_BYTES = 4 << 20
FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".jsonl": "jsonl",
           ".ndjson": "jsonl", ".json": "jsonl", ".parquet": "parquet"}


class Unreadable(XinfangError):
    """The file cannot be read at all; it is refused whole."""


@dataclass
class Chunk:
    """A run of records aligned to the delivered header: either Python rows with their line
    numbers, or (fast path) a ready polars frame of text columns c0.. plus `_line_number`."""

    line_numbers: list[int]
    rows: list[list[str | None]]
    # records whose field count differs from the header: (line, raw fields)
    ragged: list[tuple[int, list[str]]] = field(default_factory=list)
    frame: pl.DataFrame | None = None

    @property
    def size(self) -> int:
        """Records read in this chunk, ragged ones included."""
        body = self.frame.height if self.frame is not None else len(self.rows)
        return body + len(self.ragged)


@dataclass
class Source:
    path: Path
    fmt: str
    encoding: str | None
    header: list[str]
    chunks: Iterator[Chunk]
    size: int


def file_format(path: Path) -> str | None:
    return FORMATS.get(path.suffix.lower())


# ---------------------------------------------------------------- encodings
def _plausible_gb18030(text: str) -> bool:
    """GB18030 decodes many byte strings; real Chinese text is mostly in the GB2312 repertoire."""
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return True
    common = 0
    for ch in wide:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(wide) >= 0.9


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or GB18030, decided from the bytes; anything else refused."""
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
        at_end = len(sample) < SAMPLE_BYTES
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Unreadable("文件编码为 UTF-16，不受支持，请另存为 UTF-8 或 GB18030 (UTF-16 is not accepted)")
    if b"\x00" in sample:
        raise Unreadable("文件含有空字节，无法识别编码（应为 UTF-8 或 GB18030）(NUL bytes: not a text file)")
    for enc in ("utf-8", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(enc)("strict").decode(sample, final=at_end)
        except UnicodeDecodeError:
            continue
        if enc == "utf-8" or _plausible_gb18030(text):
            return enc
    raise Unreadable("无法识别文件编码（应为 UTF-8、带 BOM 的 UTF-8 或 GB18030）(unrecognised encoding)")


# ---------------------------------------------------------------- CSV
def _csv_chunks(reader, header_len: int) -> Iterator[Chunk]:
    chunk = Chunk([], [])
    last_end = reader.line_num
    try:
        for fields in reader:
            start = last_end + 1
            last_end = reader.line_num
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # a blank line is not a record
            if len(fields) != header_len:
                chunk.ragged.append((start, fields))
            else:
                chunk.line_numbers.append(start)
                chunk.rows.append(fields)
            if len(chunk.rows) + len(chunk.ragged) >= CHUNK_ROWS:
                yield chunk
                chunk = Chunk([], [])
    except csv.Error as exc:  # e.g. a quote left open at the end of a cut-off file
        chunk.ragged.append((last_end + 1, [f"<unreadable record: {exc}>"]))
    except UnicodeDecodeError as exc:
        raise Unreadable(f"第 {last_end + 1} 行附近编码错误，文件被拒收 (decode error near line {last_end + 1}: {exc.reason})") from exc
    yield chunk


BLOCK_BYTES = 32 << 20


def _has_quotes(path: Path) -> bool:
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(BLOCK_BYTES), b""):
            if b'"' in block:
                return True
    return False


def _split_lines(lines: list[str], first_line: int, header_len: int) -> Chunk:
    """Vectorised split of unquoted CSV lines (no field can hold a comma or a newline)."""
    series = pl.Series("line", lines, dtype=pl.String).str.strip_suffix("\r")
    frame = pl.DataFrame({"line": series}).with_columns(
        pl.int_range(first_line, first_line + len(lines), dtype=pl.Int64).alias("_line_number"),
    ).filter(pl.col("line").str.strip_chars() != "")
    frame = frame.with_columns((pl.col("line").str.count_matches(",", literal=True) + 1).alias("_fields"))
    ragged_rows = frame.filter(pl.col("_fields") != header_len)
    ragged = [(n, line.split(",")) for n, line in ragged_rows.select("_line_number", "line").iter_rows()]
    good = frame.filter(pl.col("_fields") == header_len)
    parts = good.get_column("line").str.split_exact(",", header_len - 1).struct.unnest()
    parts.columns = [f"c{i}" for i in range(header_len)]
    return Chunk([], [], ragged, parts.with_columns(good.get_column("_line_number")))


def _fast_csv_chunks(path: Path, encoding: str, header_len: int) -> Iterator[Chunk]:
    """Unquoted CSV in blocks of whole lines: physical line numbers stay exact."""
    body_encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    with open(path, "rb") as fh:
        fh.readline()  # the header
        line_no = 2
        leftover = b""
        while True:
            block = fh.read(BLOCK_BYTES)
            data = leftover + block
            if not block:
                if data.strip():
                    yield _split_lines(_decode(data, body_encoding, line_no).split("\n"), line_no, header_len)
                return
            cut = data.rfind(b"\n")
            if cut < 0:
                leftover = data
                continue
            lines = _decode(data[:cut], body_encoding, line_no).split("\n")
            leftover = data[cut + 1:]
            yield _split_lines(lines, line_no, header_len)
            line_no += len(lines)


def _decode(data: bytes, encoding: str, line_no: int) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        near = line_no + data[: exc.start].count(b"\n")
        raise Unreadable(f"第 {near} 行编码错误，文件被拒收 (decode error at line {near}: {exc.reason})") from exc


def read_csv(path: Path) -> Source:
    encoding = detect_encoding(path)
    # the handle lives on in the chunk generator, which closes it when it is done
    fh = io.TextIOWrapper(open(path, "rb"), encoding=encoding, errors="strict", newline="")  # noqa: SIM115
    reader = csv.reader(fh, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        fh.close()
        raise Unreadable("文件为空，没有表头 (empty file, no header)") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        fh.close()
        raise Unreadable(f"无法读取表头 (cannot read the header: {exc})") from exc

    if not _has_quotes(path):
        fh.close()
        return Source(path, "csv", encoding, header, _fast_csv_chunks(path, encoding, len(header)),
                      path.stat().st_size)

    def chunks() -> Iterator[Chunk]:
        try:
            yield from _csv_chunks(reader, len(header))
        finally:
            fh.close()

    return Source(path, "csv", encoding, header, chunks(), path.stat().st_size)


# ---------------------------------------------------------------- XLSX
def read_xlsx(path: Path, sheet: str | None) -> Source:
    import fastexcel

    try:
        book = fastexcel.read_excel(str(path))
        names = book.sheet_names
        target: str | int = 0
        if sheet is not None:
            if sheet not in names:
                raise Unreadable(f"工作表 {sheet!r} 不存在，现有: {', '.join(names)} (no such sheet)")
            target = sheet
        frame = book.load_sheet(target, dtypes="string").to_polars()
    except Unreadable:
        raise
    except Exception as exc:  # fastexcel raises its own error types for damaged workbooks
        raise Unreadable(f"无法读取 XLSX 文件 (cannot read workbook: {str(exc).splitlines()[0]})") from exc
    header = [str(c) for c in frame.columns]

    width = len(header)
    text = frame.select(
        [pl.col(c).cast(pl.String).alias(f"c{i}") for i, c in enumerate(frame.columns)]
    ).with_columns(pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias("_line_number"))
    blank = pl.all_horizontal(
        [pl.col(f"c{i}").is_null() | (pl.col(f"c{i}").str.strip_chars() == "") for i in range(width)]
    )
    text = text.filter(~blank)  # an empty worksheet row is not a record

    def chunks() -> Iterator[Chunk]:
        for offset in range(0, max(text.height, 1), CHUNK_ROWS):
            yield Chunk([], [], [], text.slice(offset, CHUNK_ROWS))

    return Source(path, "xlsx", None, header, chunks(), path.stat().st_size)


# ---------------------------------------------------------------- JSON Lines
def read_jsonl(path: Path) -> Source:
    encoding = detect_encoding(path)
    # the header is the union of keys in order of first appearance: one pass to learn it
    header: list[str] = []
    seen: set[str] = set()
    with open(path, encoding=encoding) as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(obj, dict):
                for k in obj:
                    if k not in seen:
                        seen.add(k)
                        header.append(k)
    if not header:
        raise Unreadable("JSON Lines 文件中没有任何对象 (no JSON objects found)")

    def text(v) -> str | None:
        if v is None:
            return None
        if isinstance(v, bool):
            return "yes" if v else "no"
        return str(v)

    def chunks() -> Iterator[Chunk]:
        chunk = Chunk([], [])
        with open(path, encoding=encoding) as fh:
            for no, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except ValueError:
                    obj = None
                if not isinstance(obj, dict):  # unreadable JSON, or not an object
                    chunk.ragged.append((no, [line.rstrip("\n")[:500]]))
                else:
                    chunk.line_numbers.append(no)
                    chunk.rows.append([text(obj.get(k)) for k in header])
                if len(chunk.rows) + len(chunk.ragged) >= CHUNK_ROWS:
                    yield chunk
                    chunk = Chunk([], [])
        yield chunk

    return Source(path, "jsonl", encoding, header, chunks(), path.stat().st_size)


# ---------------------------------------------------------------- Parquet
def read_parquet(path: Path) -> Source:
    try:
        lazy = pl.scan_parquet(path)
        schema = lazy.collect_schema()
    except Exception as exc:
        raise Unreadable(f"无法读取 Parquet 文件 (cannot read parquet: {str(exc).splitlines()[0]})") from exc
    header = list(schema.names())
    casts = []
    for name, dtype in schema.items():
        col = pl.col(name)
        if dtype == pl.Datetime or dtype == pl.Date:
            casts.append(col.dt.strftime("%Y-%m-%d %H:%M:%S").alias(name))
        elif dtype == pl.Boolean:
            casts.append(pl.when(col).then(pl.lit("yes")).when(~col).then(pl.lit("no")).alias(name))
        else:
            casts.append(col.cast(pl.String).alias(name))
    height = lazy.select(pl.len()).collect().item()

    def chunks() -> Iterator[Chunk]:
        for offset in range(0, max(height, 1), CHUNK_ROWS):
            part = lazy.slice(offset, CHUNK_ROWS).select(casts).collect()
            part.columns = [f"c{i}" for i in range(len(header))]
            numbers = pl.int_range(offset + 1, offset + part.height + 1, dtype=pl.Int64)
            yield Chunk([], [], [], part.with_columns(numbers.alias("_line_number")))

    return Source(path, "parquet", None, header, chunks(), path.stat().st_size)


def open_source(path: Path, sheet: str | None = None) -> Source:
    fmt = file_format(path)
    if fmt is None:
        raise Unreadable(f"不支持的文件类型 {path.suffix or '(无扩展名)'}：应为 CSV、XLSX、JSON Lines 或 Parquet (unsupported file type)")
    if path.stat().st_size == 0:
        raise Unreadable("文件为空 (empty file)")
    if fmt == "csv":
        return read_csv(path)
    if fmt == "xlsx":
        return read_xlsx(path, sheet)
    if fmt == "jsonl":
        return read_jsonl(path)
    return read_parquet(path)
