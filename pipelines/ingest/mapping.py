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
from typing import Annotated, Any, Literal

import polars as pl
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

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
    head = _validated(path, doc, MappingDoc, ())
    context = {"known": head.source.known, "free_text": set(head.source.free_text or ()),
               "dates": head.source.dates or {}, "has_tags": bool(head.files)}
    outputs = [_validated(path, doc, OutputDoc, ("outputs", i), raw, context)
               for i, raw in enumerate(head.outputs)]
    if outputs[0].when is not None:
        raise _fail(path, doc, ("outputs", 0, "when"), "the first output reads every row and takes no `when`")
    names = [o.name for o in outputs]
    if len(set(names)) != len(names):
        raise _fail(path, doc, ("outputs",), "two outputs have the same name")
    source = head.source
    return SourceMapping(
        path, head.mapping, [(f.match, f.tag) for f in head.files or ()], source.columns,
        source.optional or [], source.rename or {}, set(source.free_text or ()), source.dates or {},
        [o.spec() for o in outputs],
    )


# ---------------------------------------------------------------- the schema (pydantic)
class Problem(ValueError):
    """A schema problem found by a whole-object check, `at` keys and indexes below the object."""

    def __init__(self, what: str, *at: str | int) -> None:
        super().__init__(what)
        self.what = what
        self.at = at


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("should be non-empty text")
    return value


def _listed(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _non_empty(value: list) -> list:
    if not value:
        raise ValueError("should be a non-empty list")
    return value


def _matching(rx: re.Pattern, what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not rx.match(value):
            raise ValueError(what)
        return value

    return AfterValidator(check)


def _version(version: str) -> str:
    if version != VERSION:
        raise ValueError(f"unsupported version {version!r} (this xinfang reads {VERSION})")
    return version


def _entity(entity: str) -> str:
    if entity not in paths.ENTITIES:
        raise ValueError(f"{entity!r} is not one of {', '.join(paths.ENTITIES)}")
    return entity


Text = Annotated[StrictStr, AfterValidator(_text)]
Texts = Annotated[list[Text], BeforeValidator(_listed), AfterValidator(_non_empty)]
Name = Annotated[Text, _matching(NAME_RE, "use letters, digits, - and _ only")]


def _known(column: str, info: ValidationInfo) -> None:
    if column not in (info.context or {}).get("known", ()):
        raise Problem(f"column {column!r} is not in source.columns or source.optional")


def _regex(pattern: str, groups: int = 0) -> None:
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"bad regular expression ({exc})") from None
    if compiled.groups < groups:
        raise ValueError("the pattern needs a capture group ( )")


class _Strict(BaseModel):
    """Keys are checked first, so a misspelt key reads `unknown key 'x' (expected a, b)`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("should be a mapping of keys to values")  # noqa: TRY004 (pydantic wants ValueError)
        allowed = [field.alias or name for name, field in cls.model_fields.items()]
        unknown = [k for k in data if k not in allowed]
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r} (expected {', '.join(allowed)})")
        return data

    def given(self) -> list[str]:
        """The keys the file gave, as spelt there."""
        fields = type(self).model_fields
        return [fields[n].alias or n for n in fields if n in self.model_fields_set]


class FileDoc(_Strict):
    match: Text
    tag: Name


class SourceDoc(_Strict):
    columns: Texts
    optional: Texts | None = None
    rename: dict[Text, Text] | None = None
    free_text: Texts | None = None
    dates: dict[str, Texts] | None = None

    @property
    def known(self) -> list[str]:
        return self.columns + (self.optional or [])

    @model_validator(mode="after")
    def _columns(self) -> SourceDoc:
        known = self.known
        if len({fold(c) for c in known}) != len(known):
            raise Problem("a column is listed twice in columns/optional")
        for column in self.free_text or ():
            if column not in known:
                raise Problem(f"column {column!r} is not in source.columns or source.optional", "free_text")
        for column, formats in (self.dates or {}).items():
            if column not in known:
                raise Problem(f"column {column!r} is not in source.columns or source.optional", "dates", column)
            for f in formats:
                directives = set(DIRECTIVE.findall(f))
                if not ({"%Y", "%y"} & directives and {"%m", "%b", "%B"} & directives and "%d" in directives):
                    raise Problem(f"format {f!r} needs a year (%Y or %y), a month (%m) and a day (%d)", "dates", column)
                if {"%Y", "%y"} <= directives:
                    raise Problem(f"format {f!r} has two years", "dates", column)
        return self


class MappingDoc(_Strict):
    mapping: Name
    version: Annotated[Text, AfterValidator(_version)]
    description: str | None = None
    files: Annotated[list[FileDoc], AfterValidator(_non_empty)] | None = None
    source: SourceDoc
    outputs: Annotated[list[Any], AfterValidator(_non_empty)]  # checked one by one, OutputDoc


class ConditionDoc(_Strict):
    any_: list[ConditionDoc] | None = Field(None, alias="any")
    all_: list[ConditionDoc] | None = Field(None, alias="all")
    not_: ConditionDoc | None = Field(None, alias="not")
    column: Texts | None = None
    present: Literal["true", "false"] | None = None
    in_: Texts | None = Field(None, alias="in")
    contains: Texts | None = None
    matches: Text | None = None

    @field_validator("column")
    @classmethod
    def _columns(cls, columns: list[str] | None, info: ValidationInfo) -> list[str] | None:
        for i, column in enumerate(columns or ()):
            try:
                _known(column, info)
            except Problem as exc:
                raise Problem(exc.what, i) from None
        return columns

    @field_validator("matches")
    @classmethod
    def _matches(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            _regex(pattern)
        return pattern

    @model_validator(mode="after")
    def _one_test(self) -> ConditionDoc:
        given = self.given()
        for combinator in ("any", "all", "not"):
            if combinator in given:
                others = [k for k in given if k != combinator]
                if others:
                    raise Problem(f"unknown key {others[0]!r} (expected {combinator})")
                parts = getattr(self, f"{combinator}_")
                if combinator != "not" and not parts:
                    raise Problem("should be a non-empty list of conditions", combinator)
                return self
        if "column" not in given:
            raise Problem("missing key 'column'")
        tests = [k for k in CONDITION_TESTS if k in given]
        if len(tests) != 1:
            raise Problem(f"give exactly one test: {', '.join(CONDITION_TESTS)}")
        return self


class RuleDoc(_Strict):
    when: ConditionDoc
    value: Text


VALUE_EXTRAS = {
    "column": ("prefix", "values", "otherwise", "default"),
    "template": ("values", "otherwise", "default"),
    "extract": ("pattern", "prefix", "values", "otherwise", "default"),
    "constant": (),
    "rules": ("otherwise", "default"),
}


class ValueDoc(_Strict):
    column: Text | None = None
    constant: Text | None = None
    template: Text | None = None
    extract: Text | None = None
    rules: Annotated[list[RuleDoc], AfterValidator(_non_empty)] | None = None
    pattern: Text | None = None
    prefix: Text | None = None
    values: dict[Text, Text] | None = None
    otherwise: Text | None = None
    default: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_kind(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError(f"should be {', '.join('{' + k + ': ...}' for k in VALUE_KINDS)}")  # noqa: TRY004
        kinds = [k for k in VALUE_KINDS if k in data]
        if len(kinds) != 1:
            raise ValueError(f"give exactly one of {', '.join(VALUE_KINDS)}")
        allowed = (kinds[0], *VALUE_EXTRAS[kinds[0]])
        unknown = [k for k in data if k not in allowed]
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r} (expected {', '.join(allowed)})")
        if kinds[0] == "extract" and "pattern" not in data:
            raise ValueError("missing key 'pattern'")
        return data

    @property
    def kind(self) -> str:
        return next(k for k in VALUE_KINDS if getattr(self, k) is not None)

    @model_validator(mode="after")
    def _sources(self, info: ValidationInfo) -> ValueDoc:
        context = info.context or {}
        for key in ("column", "extract"):
            column = getattr(self, key)
            if column is not None:
                self._readable(column, info, key)
        if self.template is not None:
            fields = TEMPLATE_FIELD.findall(self.template)
            if not fields:
                raise Problem("names no column in braces (use constant)", "template")
            for name in fields:
                if name == "$tag":
                    if not context.get("has_tags"):
                        raise Problem("{$tag} needs a files: list with tags", "template")
                else:
                    self._readable(name, info, "template")
        if self.pattern is not None:
            try:
                _regex(self.pattern, groups=1)
            except ValueError as exc:
                raise Problem(str(exc), "pattern") from None
        if self.values is not None and not self.values:
            raise Problem("should map source texts to codes", "values")
        if self.otherwise is not None and self.values is None and self.kind != "rules":
            raise Problem("only with values: or rules:", "otherwise")
        if self.prefix is not None and self.values is not None:
            raise Problem("a prefix goes on an id, not on mapped values", "prefix")
        return self

    @staticmethod
    def _readable(column: str, info: ValidationInfo, key: str) -> None:
        try:
            _known(column, info)
        except Problem as exc:
            raise Problem(exc.what, key) from None
        if column in (info.context or {}).get("free_text", ()):
            raise Problem(f"{column!r} is free text: it may only be read by a condition, never stored", key)

    def produced(self) -> list[str]:
        """The codes this value can give without reading the data."""
        codes = [self.constant, self.otherwise, self.default, *(self.values or {}).values()]
        codes += [r.value for r in self.rules or ()]
        return [c for c in codes if c is not None]


class CheckDoc(_Strict):
    column: Text
    not_before: Text


class OutputDoc(_Strict):
    name: Annotated[Text, _matching(OUTPUT_RE, "use lower-case letters, digits and _")]
    entity: Annotated[Text, AfterValidator(_entity)]
    when: ConditionDoc | None = None
    columns: dict[str, ValueDoc]
    checks: list[CheckDoc] | None = None
    description: str | None = None

    @field_validator("columns", mode="before")
    @classmethod
    def _some_columns(cls, columns: Any) -> Any:
        if not isinstance(columns, dict) or not columns:
            raise ValueError("should map contract columns to values")
        return columns

    @model_validator(mode="after")
    def _against_the_contract(self, info: ValidationInfo) -> OutputDoc:
        contract = {c.name: c for c in seeds.input_columns(self.entity)}
        for name, spec in self.columns.items():
            if name not in contract:
                raise Problem(f"{name!r} is not a column of {self.entity} ({', '.join(contract)})", "columns")
            _fits(spec, contract[name])
        lacking = [c for c in contract.values() if c.required and c.default is None and c.name not in self.columns]
        if lacking:
            raise Problem(f"required column {lacking[0].name!r} has no value (give a column, constant or default)", "columns")
        dates = (info.context or {}).get("dates", {})
        for i, check in enumerate(self.checks or ()):
            if check.column not in self.columns or contract[check.column].value_type != "datetime":
                raise Problem(f"{check.column!r} is not a date column of this output", "checks", i, "column")
            try:
                _known(check.not_before, info)
            except Problem as exc:
                raise Problem(exc.what, "checks", i, "not_before") from None
            if check.not_before not in dates:
                raise Problem(f"declare the formats of {check.not_before!r} in source.dates", "checks", i, "not_before")
        return self

    def spec(self) -> OutputSpec:
        columns = {name: v.model_dump(by_alias=True, exclude_none=True) for name, v in self.columns.items()}
        when = self.when.model_dump(by_alias=True, exclude_none=True) if self.when else None
        checks = [(c.column, c.not_before) for c in self.checks or ()]
        return OutputSpec(self.name, self.entity, columns, when, checks)


def _fits(spec: ValueDoc, col: seeds.InputColumn) -> None:
    """A value spec against the contract column it fills."""
    where = ("columns", col.name)
    if col.value_type == "datetime" and (spec.kind != "column" or len(spec.model_fields_set) > 1):
        raise Problem("a date column takes {column: NAME} (formats go in source.dates)", *where)
    if col.value_type == "identity" and spec.kind not in ("column", "template"):
        raise Problem("an identity takes {column: ...} or {template: ...}: a constant or rule would make everyone one person", *where)
    if col.vocabulary and col.value_type == "vocabulary":
        vocabulary = seeds.vocabulary(col.vocabulary)
        for code in spec.produced():
            if vocabulary.get(fold(code)) is None:
                codes = ", ".join(sorted(set(vocabulary.values())))
                raise Problem(f"{code!r} is not in vocabulary {col.vocabulary} ({codes})", *where)


# ---------------------------------------------------------------- one line per problem
def _validated(path: Path, doc: Any, model: type[_Strict], at: tuple, value: Any = None,
               context: dict | None = None) -> Any:
    try:
        return model.model_validate(doc if value is None else value, context=context)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc, what = tuple(error["loc"]), error["msg"]
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, Problem):
            loc, what = loc + cause.at, cause.what
        elif isinstance(cause, ValueError):
            what = str(cause)
        elif error["type"] == "literal_error":
            what = what.removeprefix("Input ")
        elif error["type"] == "missing":
            loc, what = loc[:-1], f"missing key {loc[-1]!r}"
        elif error["type"] in ("string_type", "string_too_short"):
            what = "should be non-empty text"
        elif error["type"] == "list_type":
            what = "should be a non-empty list"
        elif error["type"] in ("dict_type", "model_type", "model_attributes_type"):
            what = "should be a mapping of keys to values"
        raise _fail(path, doc, at + loc, what) from None


def _fail(path: Path, doc: Any, loc: tuple, what: str) -> MappingError:
    return MappingError(f"映射文件 {path.name} 有误 (bad mapping) {_where(loc, doc)}: {' '.join(what.split())}")


def _where(loc: tuple, doc: Any) -> str:
    """`outputs.cases.columns.channel`, `source.columns[0]`: where in the file, as written."""
    out = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            name = _output_name(doc, part) if loc[:i] == ("outputs",) and loc[i + 1:i + 2] != ("name",) else None
            out = f"outputs.{name}" if name and len(loc) > i + 1 else f"{out}[{part}]"
        else:
            out = f"{out}.{part}" if out else str(part)
    return out or "(top)"


def _output_name(doc: Any, index: int) -> str | None:
    try:
        name = doc["outputs"][index]["name"]
    except (KeyError, IndexError, TypeError):
        return None
    return name if isinstance(name, str) and OUTPUT_RE.match(name) else None


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
