"""Source mappings (`xinfang ingest --mapping FILE`): an outside export onto the contract.

A mapping is a YAML file (shipped ones live in `mappings/`); no source needs Python of its own.
It names the source columns it reads, their explicit date formats, and one or more *outputs*:
each output turns every source row (or the rows its `when` selects) into one row of a contract
entity, and becomes its own lake batch and ledger record. The first output is the primary one:
it reads every source row, so no row vanishes; a later one (e.g. a `concluded` event at the
reply time) reads only the rows it applies to, and its ledger record says how many those were.

    mapping: city_311               # name: letters, digits, - and _
    version: 1
    files:                          # optional: the file names it reads, each with a $tag
      - {match: "fj3_*", tag: fj3}
    source:
      columns: [SRNumber, CreatedDate]   # read; a file without them is refused
      optional: [ClosedDate]             # read when present, else empty
      rename: {letter_id: mail_id}       # header cells renamed first (an older delivery)
      free_text: [title]                 # read by rule conditions only; never stored
      dates: {CreatedDate: ["%m/%d/%Y %I:%M:%S %p"]}   # strptime, whole value, never guessed
    outputs:
      - name: cases
        entity: cases
        columns: {CONTRACT_COLUMN: VALUE, ...}
      - name: concluded
        entity: case_events
        when: CONDITION
        columns: {...}
        checks: [{column: event_at, not_before: CreatedDate}]   # else bad_date

VALUE is one of `{column: NAME}` (the text, trimmed; blank is missing), `{constant: TEXT}`,
`{template: "WZ-{$tag}-{留言编号}"}` (missing when a named column is), `{extract: NAME,
pattern: REGEX}` (the first group), or `{rules: [{when: CONDITION, value: CODE}, ...],
otherwise: CODE}`. Column and extract may add `prefix: TEXT` (e.g. `SL-` before an id); column,
template and extract may add `values: {TEXT: CODE}` (matched trimmed, width- and
case-insensitively), `otherwise: CODE` (a text the map lacks; without it the text goes on to
the contract's vocabulary check and is quarantined there if unknown) and `default: CODE` (when
missing). A date column takes `{column: NAME}`, parsed with `source.dates[NAME]` if declared,
else with the contract's own forms. CONDITION is `{column: NAME or [NAMES], present: true |
in: [TEXTS] | contains: [TEXTS] | matches: REGEX}` (true when any named column passes), or
`{any: [...]}`, `{all: [...]}`, `{not: CONDITION}`.

Free-text columns reach only conditions, so titles and bodies are never stored, not even in
the quarantine: a quarantined row keeps the values as mapped onto the contract's columns.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from pipelines import paths, seeds
from pipelines.errors import UsageError
from pipelines.ingest.read import Chunk
from pipelines.ingest.validate import (
    HeaderError,
    Layout,
    chunk_frame,
    map_header,
    parse_declared,
)
from pipelines.text import fold, fold_expr

MAPPINGS_DIR = paths.REPO_ROOT / "mappings"
VERSION = "1"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
OUTPUT_RE = re.compile(r"^[a-z][a-z0-9_]*$")
TEMPLATE_FIELD = re.compile(r"\{([^{}]*)\}")
VALUE_KINDS = ("column", "constant", "template", "extract", "rules")
CONDITION_TESTS = ("present", "in", "contains", "matches")
DIRECTIVE = re.compile(r"%[-#]?[A-Za-z%]")


class MappingError(UsageError):
    """The mapping file itself is wrong: one line saying where and what."""


@dataclass
class Output:
    """One stream of contract rows from a delivered file: one lake batch, one ledger record.
    A plain delivery is a single output with no conversion."""

    name: str | None  # "mapping/output" for a mapped source, None for a plain file
    entity: str
    layout: Layout
    convert: Callable[[Chunk], Chunk] | None = None  # source chunk -> chunk in layout.header
    date_formats: dict[str, list[str]] | None = None
    extra_checks: list[pl.Expr] = field(default_factory=list)
    primary: bool = True


# ---------------------------------------------------------------- loading and schema checks
class _Loader(yaml.SafeLoader):
    """Every scalar stays text (`no`, `Y`, `1`, `2020-01-01` are not booleans, numbers or
    dates), and a key given twice is an error rather than silently the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def resolve(path: Path) -> Path:
    """A mapping file, or the name of a shipped one (`city_311` for mappings/city_311.yaml)."""
    if path.is_file():
        return path
    shipped = MAPPINGS_DIR / f"{path.name}.yaml"
    if path.parent == Path(".") and not path.suffix and shipped.is_file():
        return shipped
    raise MappingError(f"找不到映射文件 {path} (no such mapping file)")


def load_mapping(path: Path) -> SourceMapping:
    path = resolve(Path(path))
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"第 {mark.line + 1} 行 (line {mark.line + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise MappingError(f"映射文件 {path.name} 不是有效的 YAML {where}: {problem} (bad mapping)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"无法读取映射文件 {path} ({exc}) (cannot read mapping)") from None
    return _Checker(path).mapping(doc)


class _Checker:
    """Schema checks with one-line errors that say where in the file the problem is."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, what: str) -> MappingError:
        return MappingError(f"映射文件 {self.path.name} 有误 (bad mapping) {where}: {what}")

    def obj(self, value: Any, where: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, "should be a mapping of keys to values")
        unknown = [k for k in value if k not in allowed]
        if unknown:
            raise self.fail(where, f"unknown key {unknown[0]!r} (expected {', '.join(allowed)})")
        missing = [k for k in required if k not in value]
        if missing:
            raise self.fail(where, f"missing key {missing[0]!r}")
        return value

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "should be non-empty text")
        return value

    def texts(self, value: Any, where: str) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise self.fail(where, "should be a non-empty list of texts")
        return [self.text(v, f"{where}[{i}]") for i, v in enumerate(value)]

    def regex(self, value: Any, where: str, groups: int = 0) -> str:
        pattern = self.text(value, where)
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise self.fail(where, f"bad regular expression ({exc})") from None
        if compiled.groups < groups:
            raise self.fail(where, "the pattern needs a capture group ( )")
        return pattern

    # -- top level
    def mapping(self, doc: Any) -> SourceMapping:
        doc = self.obj(doc, "(top)", ("mapping", "version", "description", "files", "source", "outputs"),
                       ("mapping", "version", "source", "outputs"))
        name = self.text(doc["mapping"], "mapping")
        if not NAME_RE.match(name):
            raise self.fail("mapping", "use letters, digits, - and _ only")
        if str(doc["version"]) != VERSION:
            raise self.fail("version", f"unsupported version {doc['version']!r} (this xinfang reads {VERSION})")
        files = self.files(doc.get("files"))
        source = self.obj(doc["source"], "source", ("columns", "optional", "rename", "free_text", "dates"), ("columns",))
        columns = self.texts(source["columns"], "source.columns")
        optional = self.texts(source["optional"], "source.optional") if "optional" in source else []
        known = columns + optional
        if len({fold(c) for c in known}) != len(known):
            raise self.fail("source", "a column is listed twice in columns/optional")
        rename = source.get("rename") or {}
        if not isinstance(rename, dict):
            raise self.fail("source.rename", "should map a delivered header to a column name")
        rename = {self.text(k, "source.rename"): self.text(v, f"source.rename.{k}") for k, v in rename.items()}
        free_text = set(self.texts(source["free_text"], "source.free_text")) if "free_text" in source else set()
        for c in free_text:
            self.known_column(c, known, "source.free_text")
        dates = self.dates(source.get("dates") or {}, known)
        ctx = _Spec(self, known, free_text, dates, bool(files))
        raw_outputs = doc["outputs"]
        if not isinstance(raw_outputs, list) or not raw_outputs:
            raise self.fail("outputs", "should be a non-empty list")
        outputs = [ctx.output(o, i) for i, o in enumerate(raw_outputs)]
        names = [o.name for o in outputs]
        if len(set(names)) != len(names):
            raise self.fail("outputs", "two outputs have the same name")
        return SourceMapping(self.path, name, files, columns, optional, rename, free_text, dates, outputs)

    def files(self, value: Any) -> list[tuple[str, str]]:
        if value is None:
            return []
        if not isinstance(value, list) or not value:
            raise self.fail("files", "should be a non-empty list of {match, tag}")
        out = []
        for i, item in enumerate(value):
            item = self.obj(item, f"files[{i}]", ("match", "tag"), ("match", "tag"))
            tag = self.text(item["tag"], f"files[{i}].tag")
            if not NAME_RE.match(tag):
                raise self.fail(f"files[{i}].tag", "use letters, digits, - and _ only")
            out.append((self.text(item["match"], f"files[{i}].match"), tag))
        return out

    def dates(self, value: Any, known: list[str]) -> dict[str, list[str]]:
        if not isinstance(value, dict):
            raise self.fail("source.dates", "should map a source column to its formats")
        out = {}
        for column, formats in value.items():
            where = f"source.dates.{column}"
            self.known_column(column, known, where)
            formats = self.texts(formats, where)
            for f in formats:
                directives = set(DIRECTIVE.findall(f))
                if not ({"%Y", "%y"} & directives and {"%m", "%b", "%B"} & directives and "%d" in directives):
                    raise self.fail(where, f"format {f!r} needs a year (%Y or %y), a month (%m) and a day (%d)")
                if {"%Y", "%y"} <= directives:
                    raise self.fail(where, f"format {f!r} has two years")
            out[column] = formats
        return out

    def known_column(self, column: Any, known: list[str], where: str) -> str:
        column = self.text(column, where)
        if column not in known:
            raise self.fail(where, f"column {column!r} is not in source.columns or source.optional")
        return column


class _Spec:
    """Checks of outputs, values and conditions against the source section."""

    def __init__(self, checker: _Checker, known: list[str], free_text: set[str],
                 dates: dict[str, list[str]], has_tags: bool) -> None:
        self.c = checker
        self.known = known
        self.free_text = free_text
        self.dates = dates
        self.has_tags = has_tags

    def output(self, raw: Any, index: int) -> OutputSpec:
        where = f"outputs[{index}]"
        raw = self.c.obj(raw, where, ("name", "entity", "when", "columns", "checks", "description"),
                         ("name", "entity", "columns"))
        name = self.c.text(raw["name"], f"{where}.name")
        if not OUTPUT_RE.match(name):
            raise self.c.fail(f"{where}.name", "use lower-case letters, digits and _")
        where = f"outputs.{name}"
        entity = self.c.text(raw["entity"], f"{where}.entity")
        if entity not in paths.ENTITIES:
            raise self.c.fail(f"{where}.entity", f"{entity!r} is not one of {', '.join(paths.ENTITIES)}")
        if index == 0 and "when" in raw:
            raise self.c.fail(f"{where}.when", "the first output reads every row and takes no `when`")
        when = self.condition(raw["when"], f"{where}.when") if "when" in raw else None
        contract = {c.name: c for c in seeds.input_columns(entity)}
        columns = raw["columns"]
        if not isinstance(columns, dict) or not columns:
            raise self.c.fail(f"{where}.columns", "should map contract columns to values")
        specs = {}
        for col, spec in columns.items():
            if col not in contract:
                raise self.c.fail(f"{where}.columns", f"{col!r} is not a column of {entity} ({', '.join(contract)})")
            specs[col] = self.value(spec, f"{where}.columns.{col}", contract[col])
        lacking = [c for c in contract.values() if c.required and c.default is None and c.name not in specs]
        if lacking:
            raise self.c.fail(f"{where}.columns", f"required column {lacking[0].name!r} has no value (give a column, constant or default)")
        checks = []
        for i, check in enumerate(raw.get("checks") or []):
            cw = f"{where}.checks[{i}]"
            check = self.c.obj(check, cw, ("column", "not_before"), ("column", "not_before"))
            col = self.c.text(check["column"], f"{cw}.column")
            if col not in specs or contract[col].value_type != "datetime":
                raise self.c.fail(f"{cw}.column", f"{col!r} is not a date column of this output")
            ref = self.c.known_column(check["not_before"], self.known, f"{cw}.not_before")
            if ref not in self.dates:
                raise self.c.fail(f"{cw}.not_before", f"declare the formats of {ref!r} in source.dates")
            checks.append((col, ref))
        return OutputSpec(name, entity, specs, when, checks)

    def value(self, spec: Any, where: str, col: seeds.InputColumn) -> dict:
        if not isinstance(spec, dict):
            raise self.c.fail(where, "should be {column: ...}, {constant: ...}, {template: ...}, {extract: ...} or {rules: ...}")
        kinds = [k for k in VALUE_KINDS if k in spec]
        if len(kinds) != 1:
            raise self.c.fail(where, f"give exactly one of {', '.join(VALUE_KINDS)}")
        kind = kinds[0]
        extra = {"column": ("prefix", "values", "otherwise", "default"),
                 "template": ("values", "otherwise", "default"),
                 "extract": ("pattern", "prefix", "values", "otherwise", "default"), "constant": (),
                 "rules": ("otherwise", "default")}[kind]
        self.c.obj(spec, where, (kind, *extra), ("pattern",) if kind == "extract" else ())
        if col.value_type == "datetime" and (kind != "column" or len(spec) > 1):
            raise self.c.fail(where, "a date column takes {column: NAME} (formats go in source.dates)")
        if col.value_type == "identity" and kind not in ("column", "template"):
            raise self.c.fail(where, "an identity takes {column: ...} or {template: ...}: a constant or rule would make everyone one person")
        if kind == "column":
            self.readable(spec["column"], f"{where}.column")
        elif kind == "constant":
            self.c.text(spec["constant"], f"{where}.constant")
        elif kind == "template":
            text = self.c.text(spec["template"], f"{where}.template")
            fields = TEMPLATE_FIELD.findall(text)
            if not fields:
                raise self.c.fail(f"{where}.template", "names no column in braces (use constant)")
            for name in fields:
                if name == "$tag":
                    if not self.has_tags:
                        raise self.c.fail(f"{where}.template", "{$tag} needs a files: list with tags")
                else:
                    self.readable(name, f"{where}.template")
        elif kind == "extract":
            self.readable(spec["extract"], f"{where}.extract")
            self.c.regex(spec["pattern"], f"{where}.pattern", groups=1)
        else:
            rules = spec["rules"]
            if not isinstance(rules, list) or not rules:
                raise self.c.fail(f"{where}.rules", "should be a non-empty list of {when, value}")
            for i, rule in enumerate(rules):
                rule = self.c.obj(rule, f"{where}.rules[{i}]", ("when", "value"), ("when", "value"))
                self.condition(rule["when"], f"{where}.rules[{i}].when")
                self.c.text(rule["value"], f"{where}.rules[{i}].value")
        if "values" in spec:
            values = spec["values"]
            if not isinstance(values, dict) or not values:
                raise self.c.fail(f"{where}.values", "should map source texts to codes")
            for k, v in values.items():
                self.c.text(k, f"{where}.values")
                self.c.text(v, f"{where}.values.{k}")
        elif "otherwise" in spec and kind != "rules":
            raise self.c.fail(f"{where}.otherwise", "only with values: or rules:")
        if "prefix" in spec:
            self.c.text(spec["prefix"], f"{where}.prefix")
            if "values" in spec:
                raise self.c.fail(f"{where}.prefix", "a prefix goes on an id, not on mapped values")
        for key in ("otherwise", "default"):
            if key in spec:
                self.c.text(spec[key], f"{where}.{key}")
        if col.vocabulary and col.value_type == "vocabulary":
            vocab = set(seeds.vocabulary(col.vocabulary).values())
            produced = [spec.get(k) for k in ("constant", "otherwise", "default")]
            produced += list((spec.get("values") or {}).values())
            produced += [r["value"] for r in spec.get("rules") or []]
            for code in produced:
                if code is not None and seeds.vocabulary(col.vocabulary).get(fold(code)) is None:
                    raise self.c.fail(where, f"{code!r} is not in vocabulary {col.vocabulary} ({', '.join(sorted(vocab))})")
        return spec

    def readable(self, column: Any, where: str) -> str:
        column = self.c.known_column(column, self.known, where)
        if column in self.free_text:
            raise self.c.fail(where, f"{column!r} is free text: it may only be read by a condition, never stored")
        return column

    def condition(self, cond: Any, where: str) -> dict:
        if not isinstance(cond, dict):
            raise self.c.fail(where, "should be a condition")
        for combinator in ("any", "all"):
            if combinator in cond:
                self.c.obj(cond, where, (combinator,))
                parts = cond[combinator]
                if not isinstance(parts, list) or not parts:
                    raise self.c.fail(f"{where}.{combinator}", "should be a non-empty list of conditions")
                for i, part in enumerate(parts):
                    self.condition(part, f"{where}.{combinator}[{i}]")
                return cond
        if "not" in cond:
            self.c.obj(cond, where, ("not",))
            self.condition(cond["not"], f"{where}.not")
            return cond
        self.c.obj(cond, where, ("column", *CONDITION_TESTS), ("column",))
        for column in self.c.texts(cond["column"], f"{where}.column"):
            self.c.known_column(column, self.known, f"{where}.column")
        tests = [t for t in CONDITION_TESTS if t in cond]
        if len(tests) != 1:
            raise self.c.fail(where, f"give exactly one test: {', '.join(CONDITION_TESTS)}")
        test = tests[0]
        if test == "present" and cond["present"] not in ("true", "false"):
            raise self.c.fail(f"{where}.present", "should be true or false")
        if test in ("in", "contains"):
            self.c.texts(cond[test], f"{where}.{test}")
        if test == "matches":
            self.c.regex(cond["matches"], f"{where}.matches")
        return cond


# ---------------------------------------------------------------- the mapping at work
@dataclass(frozen=True)
class OutputSpec:
    name: str
    entity: str
    columns: dict[str, dict]
    when: dict | None
    checks: list[tuple[str, str]]  # (contract date column, source column it may not precede)


@dataclass(frozen=True)
class SourceMapping:
    path: Path
    name: str
    files: list[tuple[str, str]]  # (file-name glob, tag)
    columns: list[str]
    optional: list[str]
    rename: dict[str, str]
    free_text: set[str]
    dates: dict[str, list[str]]
    outputs: list[OutputSpec]

    @property
    def primary_entity(self) -> str:
        return self.outputs[0].entity

    def tag_for(self, path: Path) -> str | None:
        if not self.files:
            return None
        for pattern, tag in self.files:
            if fnmatch.fnmatchcase(path.name.lower(), pattern.lower()):
                return tag
        patterns = ", ".join(p for p, _ in self.files)
        raise HeaderError(f"映射 {self.name} 不适用于此文件（文件名应匹配 {patterns}）(the mapping does not cover this file)")

    def positions(self, header: list[str]) -> dict[str, int | None]:
        """Where each source column is in a delivered header (None: an absent optional one)."""
        renamed = {fold(k): fold(v) for k, v in self.rename.items()}
        folded = [renamed.get(fold(h), fold(h)) for h in header]
        found: dict[str, int | None] = {}
        missing = []
        for column in self.columns + self.optional:
            hits = [i for i, h in enumerate(folded) if h == fold(column)]
            if len(hits) > 1:
                raise HeaderError(f"表头中“{column}”出现 {len(hits)} 次 (column {column!r} appears twice)")
            if not hits and column in self.columns:
                missing.append(column)
            found[column] = hits[0] if hits else None
        if missing:
            raise HeaderError(f"缺少映射 {self.name} 所需的列 {'、'.join(missing)} (the file lacks columns the mapping reads)")
        return found

    def plan(self, path: Path, header: list[str]) -> list[Output]:
        """The outputs for one delivered file; refuses (HeaderError) a file the mapping does
        not fit."""
        tag = self.tag_for(path)
        found = self.positions(header)
        width = len(header)

        def source_frame(chunk: Chunk) -> pl.DataFrame:
            frame = chunk_frame(chunk, width)
            return frame.select(
                [pl.col(f"c{i}").alias(c) if i is not None else pl.lit(None, dtype=pl.String).alias(c)
                 for c, i in found.items()] + [pl.col("_line_number")]
            )

        return [self._output(spec, i == 0, tag, width, source_frame) for i, spec in enumerate(self.outputs)]

    def _output(self, spec: OutputSpec, primary: bool, tag: str | None, width: int,
                source_frame: Callable[[Chunk], pl.DataFrame]) -> Output:
        exprs = _Exprs(tag)
        names = list(spec.columns)
        values = [exprs.value(spec.columns[c]) for c in names]
        helpers = []
        for _, ref in spec.checks:  # the source date a check compares with travels along
            helper = f"_source:{ref}"
            if helper not in helpers:
                helpers.append(helper)
                values.append(exprs.text(ref))
        header = names + helpers
        layout = map_header(spec.entity, header)
        if primary:
            layout.source_width = width
        when = exprs.condition(spec.when) if spec.when is not None else None
        out_columns = [v.alias(f"c{i}") for i, v in enumerate(values)]

        def convert(chunk: Chunk) -> Chunk:
            frame = source_frame(chunk)
            if when is not None:
                frame = frame.filter(when)
            out = frame.select([*out_columns, pl.col("_line_number")])
            return Chunk([], [], list(chunk.ragged) if primary else [], out)

        date_formats = {
            c: self.dates[s["column"]] for c, s in spec.columns.items()
            if "column" in s and s["column"] in self.dates and _is_date(spec.entity, c)
        }
        checks = []
        for col, ref in spec.checks:
            raw = _blank(pl.col(f"c{header.index(f'_source:{ref}')}"))
            before = pl.col(col).dt.date() < parse_declared(raw, self.dates[ref]).dt.date()
            checks.append(pl.when(before).then(pl.lit(f"bad_date|{col} before {ref}")))
        return Output(f"{self.name}/{spec.name}", spec.entity, layout, convert, date_formats or None,
                      checks, primary)


def _is_date(entity: str, column: str) -> bool:
    return any(c.name == column and c.value_type == "datetime" for c in seeds.input_columns(entity))


def _blank(expr: pl.Expr) -> pl.Expr:
    stripped = expr.str.strip_chars()
    return pl.when(stripped == "").then(None).otherwise(stripped)


class _Exprs:
    """Polars expressions for checked value and condition specs, over source-named columns."""

    def __init__(self, tag: str | None) -> None:
        self.tag = tag

    def text(self, column: str) -> pl.Expr:
        return _blank(pl.col(column))

    def value(self, spec: dict) -> pl.Expr:
        if "constant" in spec:
            expr = pl.lit(spec["constant"], dtype=pl.String)
        elif "column" in spec:
            expr = self.text(spec["column"])
        elif "extract" in spec:
            expr = _blank(self.text(spec["extract"]).str.extract(spec["pattern"], 1))
        elif "template" in spec:
            expr = self.template(spec["template"])
        else:
            expr = pl.lit(spec.get("otherwise"), dtype=pl.String)
            for rule in reversed(spec["rules"]):
                expr = pl.when(self.condition(rule["when"])).then(pl.lit(rule["value"])).otherwise(expr)
        if "prefix" in spec:
            expr = pl.concat_str([pl.lit(spec["prefix"]), expr])
        if "values" in spec:
            table = {fold(k): v for k, v in spec["values"].items()}
            fallback = pl.lit(spec["otherwise"], dtype=pl.String) if "otherwise" in spec else expr
            mapped = fold_expr(expr).replace_strict(table, default=fallback, return_dtype=pl.String)
            expr = pl.when(expr.is_null()).then(None).otherwise(mapped)
        if "default" in spec:
            expr = expr.fill_null(pl.lit(spec["default"]))
        return expr

    def template(self, text: str) -> pl.Expr:
        parts: list[pl.Expr] = []
        pos = 0
        for m in TEMPLATE_FIELD.finditer(text):
            if m.start() > pos:
                parts.append(pl.lit(text[pos:m.start()]))
            name = m.group(1)
            parts.append(pl.lit(self.tag) if name == "$tag" else self.text(name))
            pos = m.end()
        if pos < len(text):
            parts.append(pl.lit(text[pos:]))
        return pl.concat_str(parts)  # missing when any named column is missing

    def condition(self, cond: dict) -> pl.Expr:
        if "any" in cond:
            return pl.any_horizontal([self.condition(c) for c in cond["any"]])
        if "all" in cond:
            return pl.all_horizontal([self.condition(c) for c in cond["all"]])
        if "not" in cond:
            return ~self.condition(cond["not"])
        columns = [cond["column"]] if isinstance(cond["column"], str) else cond["column"]
        texts = [self.text(c) for c in columns]
        if "present" in cond:
            present = pl.any_horizontal([t.is_not_null() for t in texts])
            return present if cond["present"] == "true" else ~present
        if "in" in cond:
            wanted = [fold(v) for v in ([cond["in"]] if isinstance(cond["in"], str) else cond["in"])]
            tests = [fold_expr(t).is_in(wanted) for t in texts]
        elif "contains" in cond:
            words = [cond["contains"]] if isinstance(cond["contains"], str) else cond["contains"]
            tests = [t.str.contains_any(words, ascii_case_insensitive=True) for t in texts]
        else:
            tests = [t.str.contains(cond["matches"]) for t in texts]
        return pl.any_horizontal([t.fill_null(False) for t in tests])


__all__ = ["MappingError", "Output", "SourceMapping", "load_mapping", "resolve"]
