"""Every display label, in Chinese and English, from one place: the seeds.

- `seeds/display_labels.csv` (`key,label_zh,label_en`): page texts and column labels. Keys are
  namespaced: `column.<column name>` (one label per mart, audit or display column, wherever it
  is shown), `page.<page>`, `nav.<page>`, `intro.<page>`, `group.<name>`, `sheet.<sheet key>`,
  `text.<name>` (dashboards), `report.<name>` (gate report), `ingest.<name>`, `export.<name>`,
  `cli.<command>[.<option>]`.
- `seeds/vocabularies.csv`: the labels of codes (channels, ledger statuses, quarantine reasons,
  entities, funnel positions, check severities and statuses, build statuses, ...).
- Indicator names: the `label_zh`/`label_en` of dashboard_targets, village_standards and
  ranking_indicators (a test keeps them equal to the column label of the same name).

`from_files()` reads the seed files of this checkout (the CLI's --help, the ingest summary, a
build's report, or when nothing is published). `from_connection(con)` reads the seed tables of
the build a reader attached (`seeds.display_labels`, `seeds.vocabularies`, ...), so a page or
a workbook shows the labels its figures were built with; `published()` does that for the
published build and caches the result per build id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache, reduce
from typing import Any

from pipelines import seeds

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
INDICATOR_SEEDS = ("dashboard_targets", "village_standards", "ranking_indicators")

Pair = tuple[str, str]  # (zh, en)


def lang_of(value: str | None) -> str:
    return value if value in LANGS else DEFAULT_LANG


@dataclass(frozen=True)
class Labels:
    texts: Mapping[str, Pair]
    vocabularies: Mapping[tuple[str, str], Pair]  # (vocabulary, code) -> labels
    indicators: Mapping[str, Pair]
    source: str = "files"  # "files" or the build id the labels were read from

    def text(self, key: str, lang: str | None = DEFAULT_LANG, **values: Any) -> str:
        """A display label; `values` fill its {placeholders}. An unknown key raises KeyError."""
        pair = self.texts[key]
        text = pair[1] if lang_of(lang) == "en" else pair[0]
        return text.format(**values) if values else text

    def column(self, name: str, lang: str | None = DEFAULT_LANG) -> str:
        return self.text(f"column.{name}", lang)

    def vocab(self, vocabulary: str, code: Any, lang: str | None = DEFAULT_LANG) -> str:
        """A code's label; None is blank and a code without a label is shown as it is."""
        if code is None:
            return ""
        pair = self.vocabularies.get((vocabulary, str(code)))
        if pair is None:
            return str(code)
        return pair[1] if lang_of(lang) == "en" else pair[0]

    def codes(self, vocabulary: str) -> list[str]:
        return [code for (name, code) in self.vocabularies if name == vocabulary]

    def vocab_map(self, vocabulary: str, lang: str | None = DEFAULT_LANG) -> dict[str, str]:
        """code → label for every code of a vocabulary, in the seed's order."""
        return {code: self.vocab(vocabulary, code, lang) for code in self.codes(vocabulary)}

    def indicator(self, code: str, lang: str | None = DEFAULT_LANG) -> str:
        pair = self.indicators.get(code)
        if pair is None:
            return self.column(code, lang) if f"column.{code}" in self.texts else code
        return pair[1] if lang_of(lang) == "en" else pair[0]

    def both(self, key: str) -> str:
        """Chinese first, English in brackets: for the command line."""
        zh, en = self.texts[key]
        return f"{zh} ({en})"

    def join(self, items: list[str], lang: str | None = DEFAULT_LANG) -> str:
        """Items as one list in words (`text.list_join`: "a；b" in Chinese, "a; b" in English)."""
        return reduce(lambda a, b: self.text("text.list_join", lang, a=a, b=b), items) if items else ""

    def vocab_both(self, vocabulary: str, code: Any) -> str:
        """A code's label, Chinese first and English in brackets: for the command line."""
        return f"{self.vocab(vocabulary, code)} ({self.vocab(vocabulary, code, 'en')})"


def _labels(display: list[dict[str, Any]], vocabularies: list[dict[str, Any]],
            indicator_rows: list[list[dict[str, Any]]], source: str) -> Labels:
    ordered = sorted(vocabularies, key=lambda r: (r["vocabulary"], int(r["sort_order"] or 0)))
    indicators: dict[str, Pair] = {}
    for rows in indicator_rows:
        for r in rows:
            indicators.setdefault(r["indicator"], (r["label_zh"], r["label_en"]))
    return Labels(
        texts={r["key"]: (r["label_zh"], r["label_en"]) for r in display},
        vocabularies={(r["vocabulary"], r["code"]): (r["label_zh"], r["label_en"])
                      for r in ordered},
        indicators=indicators,
        source=source,
    )


@cache
def from_files() -> Labels:
    """The labels of the seed files in this checkout."""
    return _labels(seeds.read_seed("display_labels"), seeds.read_seed("vocabularies"),
                   [seeds.read_seed(name) for name in INDICATOR_SEEDS], "files")


def from_connection(con: Any, build_id: str | None = None) -> Labels:
    """The labels of the build attached to `con` (pipelines.warehouse.connect)."""

    def rows(table: str, columns: str) -> list[dict[str, Any]]:
        rel = con.sql(f"select {columns} from seeds.{table}")
        return [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]

    return _labels(
        rows("display_labels", "key, label_zh, label_en"),
        rows("vocabularies", "vocabulary, code, label_zh, label_en, sort_order"),
        [rows(name, "indicator, label_zh, label_en") for name in INDICATOR_SEEDS],
        build_id or "build",
    )


def published() -> Labels:
    """The labels of the published build (the seed files when nothing is published), read
    once per build id."""
    from pipelines import warehouse

    build_id = warehouse.published_build_id()
    if build_id is None:
        return from_files()
    return of_build(build_id)


def of_build(build_id: str) -> Labels:
    """The labels of one build, read from its database file (read-only), cached per file: a
    build never changes once written."""
    from pipelines import warehouse

    return _of_build_at(str(warehouse.build_db_path(build_id)), build_id)


@lru_cache(maxsize=8)
def _of_build_at(path: str, build_id: str) -> Labels:
    import duckdb

    with duckdb.connect(path, read_only=True) as con:
        return from_connection(con, build_id)
