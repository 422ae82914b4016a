"""Read the seed files that Python needs too (vocabularies, aliases, input columns).

The seeds are the one home of every vocabulary and Chinese label; dbt loads the same files.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from pipelines.paths import SEEDS_DIR
from pipelines.text import fold


def read_seed(name: str) -> list[dict[str, str]]:
    with open(SEEDS_DIR / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True)
class InputColumn:
    entity: str
    name: str
    label_zh: str
    value_type: str  # text | datetime | vocabulary | positive_integer | count | year | identity | free_text
    vocabulary: str | None
    required: bool
    default: str | None

    @property
    def is_kept(self) -> bool:
        """Free text (e.g. a nomination's 事迹简述) is accepted in a delivery but never stored:
        it may name people (CONTRACT §2.4). Every other column has a lake column."""
        return self.value_type != "free_text"

    @property
    def lake_name(self) -> str:
        """Identities are stored only as keyed hashes, under a `_key` name."""
        if self.value_type == "identity":
            return self.name.removesuffix("_id") + "_key"
        return self.name


@cache
def input_columns(entity: str) -> tuple[InputColumn, ...]:
    rows = [r for r in read_seed("input_columns") if r["entity"] == entity]
    rows.sort(key=lambda r: int(r["sort_order"]))
    return tuple(
        InputColumn(
            entity=r["entity"],
            name=r["column_name"],
            label_zh=r["label_zh"],
            value_type=r["value_type"],
            vocabulary=r["vocabulary"] or None,
            required=r["is_required"] == "true",
            default=r["default_value"] or None,
        )
        for r in rows
    )


def kept_columns(entity: str) -> tuple[InputColumn, ...]:
    """The input columns the raw lake stores (free text is not kept)."""
    return tuple(c for c in input_columns(entity) if c.is_kept)


@cache
def vocabulary(name: str) -> dict[str, str]:
    """Every accepted spelling of a vocabulary (code, Chinese label, English label, aliases),
    folded (pipelines.text.fold), mapped to its code."""
    out: dict[str, str] = {}
    for r in read_seed("vocabularies"):
        if r["vocabulary"] == name:
            for spelling in (r["code"], r["label_zh"], r["label_en"]):
                out[fold(spelling)] = r["code"]
    for r in read_seed("value_aliases"):
        if r["vocabulary"] == name:
            out[fold(r["alias"])] = r["code"]
    if not out:
        raise KeyError(f"unknown vocabulary {name!r}")
    return out


@cache
def event_detail_rules() -> dict[str, tuple[str, str | None]]:
    return {
        r["event_type"]: (r["detail_kind"], r["vocabulary"] or None)
        for r in read_seed("event_details")
    }
