"""Turn text records into typed lake rows, or quarantine them with a reason (CONTRACT §2.4).

All rules of CONTRACT §2 are checked here, vectorised with polars, chunk by chunk. The column
definitions and vocabularies come from the seeds (pipelines.seeds), never from this module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from pipelines import seeds
from pipelines.errors import XinfangError
from pipelines.ingest.read import Chunk
from pipelines.text import fold, fold_expr

# Every quarantine reason (CONTRACT §2.4); _quarantine_frame refuses any other.
REASONS = (
    "missing_required",
    "bad_date",
    "future_date",
    "bad_vocabulary",
    "bad_number",
    "ragged_row",
    "superseded_in_file",
    # added by this project (CONTRACT allows additions): a raw ID number or phone number found
    # in a column that is not an identity column, e.g. after a column shift; never stored.
    "identity_in_field",
    # a part larger than its total, e.g. a survey's satisfied above its respondents
    "count_exceeds_total",
)
# which columns identify a record within one file; a repeat keeps the last row
FILE_KEYS = {"cases": ("case_id",), "villages": ("village_code", "year"), "cadres": ("cadre_id",),
             "nominations": ("year", "cadre_id"), "surveys": ("survey_id",),
             "information_adoptions": ("adoption_id",)}
# parts that may not exceed their total within a row: entity -> [(part, total)]
PART_OF_TOTAL = {"surveys": [("satisfied", "respondents")]}

DATE_RE = (
    r"^(\d{4})(?:-(\d{1,2})-(\d{1,2})|/(\d{1,2})/(\d{1,2})|年(\d{1,2})月(\d{1,2})日)"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
# raw identities that must never be stored: 18- or 15-digit ID numbers, mainland mobile numbers
IDENTITY_RE = r"(^|[^0-9])(\d{17}[0-9Xx]|\d{15}|1[3-9]\d{9})($|[^0-9A-Za-z])"
_IDENTITY_PY = re.compile(r"(?<![0-9])(\d{17}[0-9Xx]|\d{15}|1[3-9]\d{9})(?![0-9A-Za-z])")


class HeaderError(XinfangError):
    """The header does not fit the entity: the file is refused whole."""


@dataclass
class Layout:
    """How a delivered header maps onto the contract columns of one entity."""

    entity: str
    header: list[str]
    positions: dict[str, int]  # contract column -> index in the header
    ignored: list[str]
    identity_positions: set[int]  # never copied to the quarantine: identities and free text
    # set for a source mapping's output: ragged source rows are counted against the source's
    # own header, and their values are withheld (a shifted free-text field could be anywhere)
    source_width: int | None = None


def map_header(entity: str, header: list[str], aliases: dict[str, str] | None = None) -> Layout:
    """Match header cells to contract columns by English name or Chinese label (or a mapping's
    aliases). Refuses a header that lacks a required column or names one column twice."""
    columns = seeds.input_columns(entity)
    lookup: dict[str, str] = {}
    for col in columns:
        lookup[fold(col.name)] = col.name
        lookup[fold(col.label_zh)] = col.name
    for alias, target in (aliases or {}).items():
        lookup[fold(alias)] = target
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for i, cell in enumerate(header):
        target = lookup.get(fold(cell or ""))
        if target is None:
            ignored.append(str(cell))
        elif target in positions:
            raise HeaderError(f"表头中“{cell}”与第 {positions[target] + 1} 列重复，均对应 {target} (duplicate column)")
        else:
            positions[target] = i
    missing = [c for c in columns if c.required and c.name not in positions]
    if missing:
        names = "、".join(f"{c.label_zh}({c.name})" for c in missing)
        raise HeaderError(f"缺少必填列 {names}，无法识别为 {entity} 文件 (missing required columns)")
    identity = {positions[c.name] for c in columns
                if c.value_type in ("identity", "free_text") and c.name in positions}
    return Layout(entity, [str(h) for h in header], positions, ignored, identity)


def _blank_to_null(expr: pl.Expr) -> pl.Expr:
    stripped = expr.str.strip_chars()
    return pl.when(stripped == "").then(None).otherwise(stripped)


def _parse_datetime(raw: pl.Expr) -> pl.Expr:
    g = raw.str.extract_groups(DATE_RE)
    y = g.struct.field("1")
    m = pl.coalesce(g.struct.field("2"), g.struct.field("4"), g.struct.field("6"))
    d = pl.coalesce(g.struct.field("3"), g.struct.field("5"), g.struct.field("7"))
    hh = g.struct.field("8").fill_null("0")
    mi = g.struct.field("9").fill_null("0")
    ss = g.struct.field("10").fill_null("0")
    text = pl.concat_str(
        [y, pl.lit("-"), m.str.zfill(2), pl.lit("-"), d.str.zfill(2), pl.lit(" "),
         hh.str.zfill(2), pl.lit(":"), mi.str.zfill(2), pl.lit(":"), ss.str.zfill(2)]
    )
    return text.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False)


EARLIEST_DECLARED = datetime(1900, 1, 1)


def parse_declared(raw: pl.Expr, formats: str | Sequence[str]) -> pl.Expr:
    """Parse with a source mapping's explicit strptime formats, each matching the whole value.
    A value that two formats read differently is ambiguous and stays null (bad_date), and so
    does a year before 1900 (`%Y` reads the `20` of `1/1/20` as year 20): never a guess."""
    formats = [formats] if isinstance(formats, str) else list(formats)
    parsed = [raw.str.strptime(pl.Datetime("us"), f, strict=False) for f in formats]
    first = pl.coalesce(parsed)
    agree = pl.all_horizontal([p.is_null() | (p == first) for p in parsed])
    return pl.when(agree & (first >= pl.lit(EARLIEST_DECLARED))).then(first).otherwise(None)


def _parse_count(raw: pl.Expr) -> pl.Expr:
    digits = raw.str.extract(r"^\+?(\d{1,12})(?:\.0+)?$", 1)
    return digits.cast(pl.Int64, strict=False)


def _parse_positive_int(raw: pl.Expr) -> pl.Expr:
    digits = raw.str.extract(r"^\+?(\d{1,12})(?:\.0+)?$", 1)
    value = digits.cast(pl.Int64, strict=False)
    return pl.when(value > 0).then(value).otherwise(None)


def _vocab(raw: pl.Expr, name: str) -> pl.Expr:
    return fold_expr(raw).replace_strict(seeds.vocabulary(name), default=None)


@dataclass
class Checked:
    """One chunk, checked: typed rows to load (identities still raw) and rejected rows."""

    good: pl.DataFrame
    bad: pl.DataFrame  # columns: line_number, reason, detail, original_values


def chunk_frame(chunk: Chunk, width: int) -> pl.DataFrame:
    """The chunk's records as text columns c0..c{width-1} plus `_line_number`."""
    if chunk.frame is not None:
        return chunk.frame
    names = [f"c{i}" for i in range(width)]
    return pl.DataFrame(
        [[None if v is None else str(v) for v in row] for row in chunk.rows] if chunk.rows else [],
        schema={n: pl.String for n in names},
        orient="row",
    ).with_columns(pl.Series("_line_number", chunk.line_numbers, dtype=pl.Int64))


def check_chunk(layout: Layout, chunk: Chunk, load_time: datetime,
                date_formats: Mapping[str, str | Sequence[str]] | None = None,
                extra_checks: Sequence[pl.Expr] = ()) -> Checked:
    """Type every contract column and give each row its first problem (or none).

    Three stages, each computed once: the raw text (trimmed, blank as null, default filled),
    the typed value, then the reason a row is quarantined. A source mapping passes its explicit
    `date_formats` (per contract column; they replace the contract's forms) and `extra_checks`:
    expressions over the typed columns and the raw `c<i>` columns giving "reason|detail" or
    null, reported after the contract's own rules."""
    entity = layout.entity
    width = len(layout.header)
    names = [f"c{i}" for i in range(width)]
    frame = chunk_frame(chunk, width)
    columns = seeds.input_columns(entity)

    raws: list[pl.Expr] = []
    values: list[pl.Expr] = []
    errors: list[pl.Expr] = []
    for col in columns:
        pos = layout.positions.get(col.name)
        raw = _blank_to_null(pl.col(f"c{pos}")) if pos is not None else pl.lit(None, dtype=pl.String)
        if col.default is not None:
            raw = raw.fill_null(pl.lit(col.default))
        raws.append(raw.alias(f"_r_{col.name}"))
        r = pl.col(f"_r_{col.name}")
        v = pl.col(col.name)
        missing = r.is_null()
        err: pl.Expr | None = None
        if col.value_type == "free_text":  # accepted, never kept (it may name people)
            value = pl.lit(None, dtype=pl.String)
        elif col.value_type in ("text", "identity"):
            value = r
            if col.value_type == "text":
                err = pl.when(r.str.contains(IDENTITY_RE)).then(pl.lit(f"identity_in_field|{col.name}"))
        elif col.value_type == "datetime":
            fmt = (date_formats or {}).get(col.name)
            value = parse_declared(r, fmt) if fmt else _parse_datetime(r)
            err = (
                pl.when(~missing & v.is_null()).then(pl.lit(f"bad_date|{col.name}"))
                .when(v > pl.lit(load_time)).then(pl.lit(f"future_date|{col.name}"))
            )
        elif col.value_type == "vocabulary":
            value = _vocab(r, col.vocabulary)
            err = pl.when(~missing & v.is_null()).then(pl.lit(f"bad_vocabulary|{col.name}"))
        elif col.value_type == "positive_integer":
            value = _parse_positive_int(r)
            err = pl.when(~missing & v.is_null()).then(pl.lit(f"bad_number|{col.name}"))
        elif col.value_type == "count":  # a whole number, zero allowed
            value = _parse_count(r)
            err = pl.when(~missing & v.is_null()).then(pl.lit(f"bad_number|{col.name}"))
        elif col.value_type == "year":
            parsed = _parse_positive_int(r)
            value = pl.when(parsed.is_between(1949, 2100)).then(parsed).otherwise(None)
            err = pl.when(~missing & v.is_null()).then(pl.lit(f"bad_number|{col.name}"))
        else:  # pragma: no cover - seeds are checked by tests
            raise ValueError(f"unknown value_type {col.value_type}")
        if col.required:
            req = pl.when(missing).then(pl.lit(f"missing_required|{col.name}"))
            err = req if err is None else pl.coalesce(req, err)
        values.append(value.alias(col.name))
        if err is not None:
            errors.append(err)

    for part, total in PART_OF_TOTAL.get(entity, []):
        errors.append(pl.when(pl.col(part) > pl.col(total))
                      .then(pl.lit(f"count_exceeds_total|{part}>{total}")))
    errors += list(extra_checks)
    error = pl.coalesce(errors) if errors else pl.lit(None, dtype=pl.String)
    checked = (
        frame.lazy().with_columns(raws).with_columns(values).with_columns(error.alias("_error")).collect()
    )
    if entity == "case_events":
        checked = _check_event_detail(checked)

    good = checked.filter(pl.col("_error").is_null()).select(
        [c.name for c in columns] + ["_line_number"]
    )
    bad_rows = checked.filter(pl.col("_error").is_not_null())
    bad = _quarantine_frame(layout, bad_rows, names)
    if chunk.ragged:
        bad = pl.concat([bad, _ragged_frame(layout, chunk.ragged)])
    return Checked(good, bad)


def _check_event_detail(frame: pl.DataFrame) -> pl.DataFrame:
    """Each event type gives `detail` its own meaning (CONTRACT §2.3)."""
    event = pl.col("event_type")
    raw = pl.col("detail")
    value = pl.lit(None, dtype=pl.String)
    error = pl.lit(None, dtype=pl.String)
    for event_type, (kind, vocab) in seeds.event_detail_rules().items():
        is_type = event == event_type
        if kind == "vocabulary":
            parsed = _vocab(raw, vocab)
            bad = pl.when(raw.is_null()).then(pl.lit("missing_required|detail")).when(parsed.is_null()).then(pl.lit("bad_vocabulary|detail"))
        else:
            parsed = _parse_positive_int(raw).cast(pl.String)
            bad = pl.when(raw.is_null()).then(pl.lit("missing_required|detail")).when(parsed.is_null()).then(pl.lit("bad_number|detail"))
        value = pl.when(is_type).then(parsed).otherwise(value)
        error = pl.when(is_type).then(bad).otherwise(error)
    cadre = pl.when((event == "assigned") & pl.col("cadre_id").is_null()).then(pl.lit("missing_required|cadre_id"))
    # detail has no meaning for the other event types; free text is not kept (it may name people)
    return frame.with_columns(
        detail=value,
        _error=pl.coalesce(pl.col("_error"), cadre, error),
    )


def mask_identities(text: str) -> str:
    return _IDENTITY_PY.sub("<已移除>", text)


def _original_json(layout: Layout, fields: list[str | None]) -> str:
    record: dict[str, str] = {}
    for i, v in enumerate(fields):
        if i in layout.identity_positions or v is None:
            continue
        key = layout.header[i] if i < len(layout.header) else f"_extra_{i + 1}"
        record[key] = mask_identities(str(v))
    return json.dumps(record, ensure_ascii=False)


def _quarantine_frame(layout: Layout, rows: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    if rows.height == 0:
        return empty_bad()
    parts = rows.get_column("_error").str.split_exact("|", 1)
    unknown = set(parts.struct.field("field_0").unique().to_list()) - set(REASONS)
    if unknown:  # a rule above gave a reason the contract does not know: a bug, never data
        raise ValueError(f"quarantine reason not in REASONS: {', '.join(sorted(unknown))}")
    originals = [_original_json(layout, list(r)) for r in rows.select(names).iter_rows()]
    return pl.DataFrame(
        {
            "line_number": rows.get_column("_line_number"),
            "reason": parts.struct.field("field_0"),
            "detail": parts.struct.field("field_1"),
            "original_values": originals,
        },
        schema=BAD_SCHEMA,
    )


def _ragged_frame(layout: Layout, ragged: list[tuple[int, list[str]]]) -> pl.DataFrame:
    if layout.source_width is None:
        width = len(layout.header)
        originals = [_original_json(layout, list(f)) for _, f in ragged]
    else:
        width = layout.source_width
        originals = [json.dumps({"_withheld": "mapped source"}) for _ in ragged]
    return pl.DataFrame(
        {
            "line_number": [line for line, _ in ragged],
            "reason": ["ragged_row"] * len(ragged),
            "detail": [f"{len(f)} fields, header has {width}" for _, f in ragged],
            "original_values": originals,
        },
        schema=BAD_SCHEMA,
    )


BAD_SCHEMA = {"line_number": pl.Int64, "reason": pl.String, "detail": pl.String, "original_values": pl.String}


def empty_bad() -> pl.DataFrame:
    return pl.DataFrame(schema=BAD_SCHEMA)
