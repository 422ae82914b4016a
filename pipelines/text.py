"""fold(): how text is compared with a vocabulary, a header or a mapping's values.

One rule everywhere: NFKC (a full-width `ＱＱ` is `QQ`, an ideographic space a space), trimmed
(a byte-order mark too), then case-folded. The seeds' spellings are folded with it, and so is
every delivered value before it is looked up, in a plain delivery and through a source mapping
alike.
"""

from __future__ import annotations

import unicodedata

import polars as pl


def fold(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().lstrip("\ufeff").strip().casefold()


def fold_expr(expr: pl.Expr) -> pl.Expr:
    """fold() over a text column: each distinct value is folded once, by fold() itself."""
    return expr.map_batches(_fold_series, return_dtype=pl.String)


def _fold_series(values: pl.Series) -> pl.Series:
    distinct = values.drop_nulls().unique().to_list()
    return values.replace_strict({v: fold(v) for v in distinct}, default=None, return_dtype=pl.String)
