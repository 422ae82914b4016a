"""China's working-day calendar, written as a seed (`seeds/cn_working_days.csv`).

`chinese_calendar` knows statutory holidays and adjusted working weekends for the years it
covers (2004–2026 in 1.11); dbt reads the seed, and falls back to Monday–Friday, with a warning,
for dates beyond it. Regenerate after upgrading the library: `python -m pipelines.workcal`.
"""

from __future__ import annotations

import csv
import sys
from datetime import date, timedelta

from pipelines.paths import SEEDS_DIR

SEED = SEEDS_DIR / "cn_working_days.csv"


def covered_years() -> range:
    import chinese_calendar

    years = sorted({d.year for d in chinese_calendar.holidays})
    return range(years[0], years[-1] + 1)


def rows() -> list[tuple[str, str, str]]:
    import chinese_calendar

    years = covered_years()
    day = date(years.start, 1, 1)
    end = date(years.stop - 1, 12, 31)
    out = []
    while day <= end:
        is_work = chinese_calendar.is_workday(day)
        holiday = chinese_calendar.get_holiday_detail(day)[1] if not is_work and day.weekday() < 5 else None
        out.append((day.isoformat(), "true" if is_work else "false", holiday or ""))
        day += timedelta(days=1)
    return out


def write_seed() -> int:
    data = rows()
    with open(SEED, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["calendar_date", "is_working_day", "holiday_name"])
        w.writerows(data)
    return len(data)


if __name__ == "__main__":
    n = write_seed()
    print(f"wrote {n} days to {SEED}", file=sys.stderr)
