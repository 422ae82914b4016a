"""Number formatting for cards and labels (presentation only)."""

from __future__ import annotations

import math
from typing import Any

from dashboards import i18n

DASH = "—"


def integer(value: Any) -> str:
    return DASH if value is None else f"{int(value):,}"


def count(value: Any) -> str:
    """A count, or a weighted one (a satisfaction score) with one decimal when not whole."""
    if value is None:
        return DASH
    return integer(value) if float(value).is_integer() else f"{float(value):,.1f}"


def pct(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    return f"{100 * float(value):.{digits}f}%"


def signed_pct(value: Any, digits: int = 1) -> str:
    """A relative change as a signed percentage; None (unbounded) as +∞."""
    if value is None:
        return "+∞"
    text = f"{100 * float(value):+.{digits}f}%"
    return text.replace("-", "−")


def is_zero_sided(count: Any, count_prev_year: Any) -> bool:
    """A year-over-year change with zero on one side (or both): its ratio is 0 or unbounded,
    so it is shown as counts ("6 → 0"), never as −100% or with an infinite interval."""
    return (count is not None and count_prev_year is not None
            and (int(count) == 0 or int(count_prev_year) == 0))


def count_change(count_prev_year: Any, count: Any) -> str:
    """Last year's count → this year's: "6 → 0"."""
    return f"{integer(count_prev_year)} → {integer(count)}"


def interval(low: Any, high: Any, lang: str = "zh", digits: int = 1) -> str:
    """A rate's 95% interval: "95%区间 0.6%–5.4%"."""
    return f"{i18n.t('text.interval_95', lang)} {pct(low, digits)}–{pct(high, digits)}"


def bound(direction: str) -> str:
    """The sign of a target's direction (seed dashboard_targets): min ≥, max ≤."""
    return "≥" if direction == "min" else "≤"


def points(value: Any, lang: str = "zh", digits: int = 1) -> str:
    """A difference of two shares in percentage points."""
    if value is None:
        return DASH
    number = f"{100 * float(value):+.{digits}f}".replace("-", "−")
    return i18n.t("text.points", lang, value=number)


def decimal(value: Any, digits: int = 2) -> str:
    return DASH if value is None else f"{float(value):.{digits}f}"
