"""The model-village title over the years (和谐信访示范村居: 命名、保留、摘牌).

A village is **named** (命名) in a year it qualifies while not holding the title: it meets the
creation standard (definition 17) with no under-registration signal (`is_model_village`), it
has enough data to be judged (not `is_insufficient_data`), no item of the year went to the
province or Beijing (赴省进京), and it carries no accountability flag. A holder is re-checked
every year: it **keeps** (保留) the title unless one of the revocation reasons holds, and is
then **revoked** (摘牌). The reasons, in the order one is reported when several hold:

1. `to_province_or_central` — an item of the year went to the province or Beijing;
2. `accountability_flag` — an indicator beyond its 99.8% limit for consecutive years;
3. `failed_standard` — the creation standard was not met.

A holder without enough data to re-check keeps the title (reason `insufficient_data`): too
few items is no evidence against it. A village not holding the title and not qualifying is
`not_held`, with the first reason that stopped it (the three above, then
`under_registration`, then `insufficient_data`). A year missing from a village's rows (not
known that year) ends a holding. The first year of data has no holders: whoever qualifies
is named.
"""

from __future__ import annotations

import polars as pl

NAMED, KEPT, REVOKED, NOT_HELD = "named", "kept", "revoked", "not_held"
QUALIFIED, RECHECKED, NOT_CHECKED = "qualified", "rechecked", "insufficient_data"
TO_PROVINCE, FLAGGED, FAILED, UNDER = (
    "to_province_or_central", "accountability_flag", "failed_standard", "under_registration",
)

INPUT = ("village_code", "year", "is_meets_standard", "is_under_registration_signal",
         "is_insufficient_data", "to_province_or_central", "accountability_flags")
OUTPUT_SCHEMA = {
    "village_code": pl.String,
    "year": pl.Int32,
    "status": pl.String,
    "status_reason": pl.String,
    "is_title_held": pl.Boolean,
    "years_held": pl.Int32,
    "held_since": pl.Int32,
}


def _revocation_reason(row: dict) -> str | None:
    if (row["to_province_or_central"] or 0) > 0:
        return TO_PROVINCE
    if (row["accountability_flags"] or 0) > 0:
        return FLAGGED
    if not row["is_meets_standard"]:
        return FAILED
    return None


def _blocking_reason(row: dict) -> str | None:
    """Why a village not holding the title is not named this year (None: it qualifies)."""
    reason = _revocation_reason(row)
    if reason is not None:
        return reason
    if row["is_under_registration_signal"]:
        return UNDER
    if row["is_insufficient_data"]:
        return NOT_CHECKED
    return None


def title_history(villages: pl.DataFrame) -> pl.DataFrame:
    """One row per village × year of `villages` (columns INPUT) with the title's status that
    year, the reason, whether the title is held at the year's end, for how many consecutive
    years, and since which year."""
    missing = [c for c in INPUT if c not in villages.columns]
    if missing:
        raise ValueError(f"title_history: missing columns {', '.join(missing)}")
    out: list[dict] = []
    for row in villages.select(INPUT).sort("village_code", "year").iter_rows(named=True):
        previous = out[-1] if out and out[-1]["village_code"] == row["village_code"] else None
        holding = bool(previous and previous["is_title_held"]
                       and previous["year"] == row["year"] - 1)
        if holding:
            reason = _revocation_reason(row)
            if reason is None:
                status = KEPT
                reason = NOT_CHECKED if row["is_insufficient_data"] else RECHECKED
            else:
                status = REVOKED
        else:
            reason = _blocking_reason(row)
            status, reason = (NAMED, QUALIFIED) if reason is None else (NOT_HELD, reason)
        held = status in (NAMED, KEPT)
        since = (previous["held_since"] if status == KEPT else row["year"]) if held else None
        out.append({
            "village_code": row["village_code"],
            "year": row["year"],
            "status": status,
            "status_reason": reason,
            "is_title_held": held,
            "years_held": row["year"] - since + 1 if held else 0,
            "held_since": since,
        })
    return pl.DataFrame(out, schema=OUTPUT_SCHEMA, orient="row")
