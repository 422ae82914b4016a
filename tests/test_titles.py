"""The model-village title over the years (pipelines.stats.titles), on hand-worked villages."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.stats.titles import title_history


def _year(code: str, year: int, meets: bool = True, *, under: bool = False, thin: bool = False,
          province: int = 0, flags: int = 0) -> dict:
    return {"village_code": code, "year": year, "is_meets_standard": meets,
            "is_under_registration_signal": under, "is_insufficient_data": thin,
            "to_province_or_central": province, "accountability_flags": flags}


def _history(*rows: dict) -> list[tuple]:
    out = title_history(pl.DataFrame(list(rows)))
    return out.select("village_code", "year", "status", "status_reason", "is_title_held",
                      "years_held", "held_since").rows()


def test_named_kept_then_revoked_for_a_province_item_and_named_again() -> None:
    assert _history(
        _year("A", 2009), _year("A", 2010), _year("A", 2011, province=1), _year("A", 2012),
    ) == [
        ("A", 2009, "named", "qualified", True, 1, 2009),
        ("A", 2010, "kept", "rechecked", True, 2, 2009),
        ("A", 2011, "revoked", "to_province_or_central", False, 0, None),
        ("A", 2012, "named", "qualified", True, 1, 2012),
    ]


def test_a_holder_with_too_little_data_keeps_it_but_is_not_named_on_it() -> None:
    assert _history(_year("B", 2009, thin=True), _year("B", 2010), _year("B", 2011, thin=True)) == [
        ("B", 2009, "not_held", "insufficient_data", False, 0, None),
        ("B", 2010, "named", "qualified", True, 1, 2010),
        ("B", 2011, "kept", "insufficient_data", True, 2, 2010),
    ]


def test_revocation_reasons_in_order_and_blocking_reasons() -> None:
    assert _history(
        _year("C", 2009), _year("C", 2010, meets=False, flags=1),  # flag before the standard
        _year("D", 2009), _year("D", 2010, meets=False),
        _year("E", 2009, under=True), _year("E", 2010, province=2, flags=1, meets=False),
    ) == [
        ("C", 2009, "named", "qualified", True, 1, 2009),
        ("C", 2010, "revoked", "accountability_flag", False, 0, None),
        ("D", 2009, "named", "qualified", True, 1, 2009),
        ("D", 2010, "revoked", "failed_standard", False, 0, None),
        ("E", 2009, "not_held", "under_registration", False, 0, None),
        ("E", 2010, "not_held", "to_province_or_central", False, 0, None),
    ]


def test_an_under_registration_signal_does_not_revoke_but_a_gap_year_ends_the_title() -> None:
    assert _history(_year("F", 2009), _year("F", 2010, under=True), _year("F", 2012)) == [
        ("F", 2009, "named", "qualified", True, 1, 2009),
        ("F", 2010, "kept", "rechecked", True, 2, 2009),
        ("F", 2012, "named", "qualified", True, 1, 2012),  # not known in 2011: a new naming
    ]


def test_missing_columns_are_one_clear_error() -> None:
    with pytest.raises(ValueError, match="missing columns accountability_flags"):
        title_history(pl.DataFrame([{k: v for k, v in _year("G", 2009).items()
                                     if k != "accountability_flags"}]))
