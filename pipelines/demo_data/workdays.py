"""Working days (Chinese calendar with adjusted weekends where `chinese_calendar` covers the
year, Monday to Friday elsewhere), for dating feedback "within 15 working days"."""

from __future__ import annotations

import numpy as np


def working_days(first_year: int, last_year: int) -> np.ndarray:
    """Sorted datetime64[D] array of the working days from first_year-01-01 to last_year-12-31."""
    start = np.datetime64(f"{first_year}-01-01")
    end = np.datetime64(f"{last_year + 1}-01-01")
    days = np.arange(start, end, dtype="datetime64[D]")
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    is_work = weekday < 5
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - a listed dependency
        return days[is_work]
    for i, d in enumerate(days.tolist()):
        try:
            is_work[i] = chinese_calendar.is_workday(d)
        except NotImplementedError:  # outside the years the package knows
            continue
    return days[is_work]


def add_working_days(calendar: np.ndarray, day: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The k-th working day strictly after each day (k >= 1), clipped to the calendar's end."""
    pos = np.searchsorted(calendar, day, side="right") + (k - 1)
    pos = np.clip(pos, 0, calendar.shape[0] - 1)
    return calendar[pos]
