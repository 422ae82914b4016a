"""Number formatting for cards and labels (presentation only)."""

from __future__ import annotations

import math
from typing import Any

from dashboards import i18n

DASH = "—"


def integer(value: Any) -> str:
    return DASH if value is None else f"{int(value):,}"


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


def points(value: Any, lang: str = "zh", digits: int = 1) -> str:
    """A difference of two shares in percentage points."""
    if value is None:
        return DASH
    number = f"{100 * float(value):+.{digits}f}".replace("-", "−")
    return i18n.t("text.points", lang, value=number)


def decimal(value: Any, digits: int = 2) -> str:
    return DASH if value is None else f"{float(value):.{digits}f}"
