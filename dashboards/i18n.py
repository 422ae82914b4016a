"""The dashboards' labels: a thin adapter over pipelines.labels, Chinese first with English
available (`?lang=en`).

Every label comes from the seeds of the published build (cached per build id), so a page
never shows today's labels beside last year's figures; with nothing published, or a pointer
that cannot be read, the seed files of this checkout stand in.
"""

from __future__ import annotations

from typing import Any

import duckdb

from pipelines import labels
from pipelines.errors import XinfangError
from pipelines.labels import DEFAULT_LANG, LANGS, lang_of

__all__ = ["DEFAULT_LANG", "LANGS", "colon", "column", "current", "indicator_label", "lang_of",
           "t", "vocab"]


def current() -> labels.Labels:
    """The published build's labels (the seed files when they cannot be read)."""
    try:
        return labels.published()
    except (XinfangError, duckdb.Error, OSError):
        return labels.from_files()


def t(key: str, lang: str | None = DEFAULT_LANG, **values: Any) -> str:
    return current().text(key, lang, **values)


def column(name: str, lang: str | None = DEFAULT_LANG) -> str:
    return current().column(name, lang)


def vocab(vocabulary: str, code: Any, lang: str | None = DEFAULT_LANG) -> str:
    return current().vocab(vocabulary, code, lang)


def indicator_label(code: str, lang: str | None = DEFAULT_LANG) -> str:
    return current().indicator(code, lang)


def colon(lang: str) -> str:
    """The label separator: a full-width colon in Chinese."""
    return "：" if lang_of(lang) == "zh" else ": "
