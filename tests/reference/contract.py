"""Reference implementation of CONTRACT §3 (Definitions) and §4 (Public marts, without the §5
ranking columns), written directly from the contract text in plain Python + polars, independent
of the dbt models. Clarity over speed: items are walked one by one in the order of definition 2.

API
---
- ``load_lake() -> dict[str, pl.DataFrame]``: the raw lake under ``$XINFANG_HOME`` (batches the
  load ledger lists as loaded) with CONTRACT §2's delivery rules applied.
- ``reference_marts(lake, as_of=None, params=Params()) -> dict[str, pl.DataFrame]``: the frames
  ``fct_cases``, ``fct_village_month``, ``fct_village_year``, ``fct_one_low_four_controls``,
  ``fct_handling_performance``, ``fct_cadre_year`` with exactly the contract's column names.
- ``same_matter_pairs(lake, as_of=None, params=Params())``: the "same matter" relation as a frame
  (later_case_id, earlier_case_id, via) — for debugging differences.
- ``default_as_of(lake)``, ``Params``, ``nth_working_day_after``.

Interpretations (where the text leaves a choice; each is a decision to compare with dbt)
------------------------------------------------------------------------------------------
Delivery (§2)
 D1. cases: per case_id the row with the greatest (_batch_id, _line_number) wins; villages: per
     (village_code, year) with a missing year being its own key value (the "every year" row);
     cadres: per cadre_id. Later deliveries replace the whole row (no column-wise merging).
 D2. Events "identical in every field" = equal in all contract columns (case_id, event_type,
     event_at, cadre_id, unit_name, detail — detail as normalised by ingest, so free text that
     ingest drops does not make events different). The collapsed event keeps its FIRST delivery
     (smallest _batch_id, then _line_number) as its position for "latest" tie-breaks, so that
     delivering the same event again changes nothing ("one event, however often delivered").
 D3. Events whose case_id matches no loaded item are kept in the lake but used nowhere (not in
     marts, not in the default as_of). Events of a case that a later delivery replaced still
     belong to the case_id.

Dates and as_of
 A1. Default as_of = the calendar date of max(received_at of loaded items (latest versions only),
     event_at of events whose case_id is a loaded item). Items with received date > as_of and
     events with event date > as_of are dropped before anything else (so an item received on the
     as_of day at 23:59 is in). Data ending before as_of is not extended; years/months still
     run to as_of.
 A2. Years run from the year of the earliest received item (after the as_of filter) to as_of's
     year; months from the month of the earliest received item to as_of's month. With no items
     at all, every mart is empty.
 A3. Every "N days" compares calendar dates (date(b) - date(a) in days). Order (def. 2) uses the
     full received_at timestamp, then case_id in code-point order.

Repeat / same matter / skip-level
 R1. same matter(k, i) for k later than i (def. 2 order): k.related_case_id == i.case_id, OR
     (person key of k not null, equal to i's, equal subject_code, and date(k) - date(i) <= 365).
     Not transitive (no chains). A related_case_id naming a later item, itself, or no item is
     ignored by every rule. Items with no person key only link via related_case_id.
 R2. is_repeat = there is an earlier item on the same matter (this is exactly definition 4).
     The related_case_id link has no time window.
 R3. Derived skip-level (flag empty): rank(petition_level) > rank(jurisdiction_level) and no
     earlier same-matter item j with rank(j.petition_level) <= rank(i.jurisdiction_level)
     (j's own jurisdiction and j's own skip flag play no role). A given flag (yes/no) wins both
     ways. is_to_province_or_central ignores the flag.
 R4. Person key = petitioner_key, else accused_key (one key space: a petitioner key may match
     another item's accused key when that item has no petitioner).

Handling
 H1. closed_date = date of the earliest `concluded` event (on or before as_of);
     days_to_close = closed_date - received_date and MAY BE NEGATIVE when the concluded event is
     dated before receipt (kept literally; such an item is "within 30 days" and "on time").
 H2. is_closed_within_30d: closed -> days_to_close <= 30; open -> False when
     received_date + 30 <= as_of, else null.
 H3. handle_due_date = received_date + 60 + min(sum of all `extended` days dated <= as_of, 30)
     (extensions granted after closing still count). is_on_time: closed -> closed_date <= due;
     open -> False when due <= as_of, else null.
 H4. is_accepted_on_time = some `accepted` event with received_date <= event date <=
     received_date + 15. The contract gives no pending rule for acceptance; the lead engineer
     decided (issue 3: "pending items left null until they can no longer succeed") to follow
     definitions 11-12: with no such event, False once received_date + 15 <= as_of, else null.
     An accepted event dated before the receipt date does not count.
 H5. is_feedback_on_time: null unless real_name = yes and closed. Feedback due day = the
     15th working day strictly after closed_date (the closed date itself is never counted,
     whether or not it is a working day; working days = chinese_calendar.is_workday, i.e. with
     adjusted working weekends; outside 2004-2026 Monday-Friday). True when some `feedback` event
     has closed_date <= feedback date <= due day (so a feedback on the closing day counts, and
     True is given even while the due day is still after as_of); otherwise False when
     due day <= as_of, else null (closed too recently to be due). A feedback dated before the
     closed date does not count. Example: closed Fri 2011-09-30 -> due Wed 2011-10-26 (the
     adjusted working weekend 10-08/10-09 counts, the 10-01..10-07 holiday does not).
 H6. Disposition / satisfaction / cadres use "latest" = max (event_at, _batch_id, _line_number)
     per D2. is_lead, is_shelved, is_case_opened, is_ceased are never null (False when absent).
     is_shelved = latest disposition is `shelved` (an earlier shelved disposition that was
     superseded does not count). satisfaction = the latest rating code, else null.
 H7. lead_cadre_id / responsible_cadre_id = cadre_id of the latest `assigned` event whose detail
     is lead / responsible. Cadre ids need not exist in `cadres`.

Villages, towns, scopes
 V1. Village v is known in year y when a villages row (v, y) or (v, no year) exists; its
     attributes in y come from (v, y) if present, else from (v, no year). An item's town is the
     town of its village in the item's received year; an item whose village is not known in that
     year (or has no village_code) has town_code null and counts only in county scopes.
 V2. fct_village_month: one row per (village, month) for each month in range and each village
     known in that month's YEAR (not every village ever known). fct_village_year likewise per
     (village known in y, y).
 V3. Town scopes (fct_one_low_four_controls, fct_handling_performance): the set of towns =
     town_codes of villages known in some year of the range; every such town gets a row for
     EVERY year of the range (zeros included), even years in which none of its villages is
     known. The county scope counts every item, including unknown/empty village codes.
 V3a. Scopes add up (§4): an item with town_code null is in scope ("no_town", "county_level")
     when its village_code is empty or equals the county's own code (parameter county_code),
     else in ("no_town", "unknown_village"). Both get a row for every year of the range, so
     for every count column and year the county equals the sum of the towns and these two.
 V4. visits = items with channel visit (items, not person-times) everywhere except
     visit_person_times; repeat_visit_share = (visit items that are repeats) / visit items.
 V5. _prev_year twins and the five control flags are null in the first year of the range for
     every scope; later, a previous year with no items gives 0, not null.
 V6. petitions_per_1k = 1000 * petitions / population of that village-year; the standard passes
     with per_1k <= 3.0, repeat <= 2, skip <= 0, collective <= 0, abnormal <= 0 (inclusive).

Handling performance
 P1. first_time_due = first-time items whose is_closed_within_30d is not null;
     first_time_closed_within_30d = first-time items where it is True.
 P2. shelved = items with is_shelved; leads = items with is_lead; cases_opened = leads with
     is_case_opened (a case_opened event on an item without a disposed event is not counted);
     closed = items with a closed_date; on_time = is_on_time True; on_time_due = not null.
 P3. accepted_on_time_rate = accepted-on-time / items with a non-null flag (H4);
     feedback_on_time_rate = True / not null; rated = items with a satisfaction;
     satisfaction_rate = (satisfied + w * basically_satisfied) / rated; ceased = closed items
     with a ceased event; ceased_rate = ceased / closed; real_name_share and visit_share over
     the scope-year's items. Every rate is null when its denominator is 0.

Cadres
 C1. A cadre's items in year y = items received in y whose lead or responsible cadre (H7) is
     the cadre (counted once); one row per (cadre, y) with at least one such item. A cadre named
     only by a superseded (not latest) `assigned` event has no items and no row.
 C2. repeats_after_close = number of distinct items k such that for some cadre item i of that
     year, k is on the same matter as i (R1, k later than i) and date(k) > closed_date(i)
     (i must be closed). A later item k linked to cadre items of two different years counts in
     both years' rows.
 C3. escalations = number of distinct items k such that for some cadre item i of that year, k
     is on the same matter as i, date(k) > date(i) ("after" compares calendar dates, so a
     same-day later item is not an escalation), and rank(k.petition_level) >
     rank(k.jurisdiction_level) (k's skip flag ignored).
 C4. closed, on_time_rate, ceased_rate, satisfaction_rate over the cadre-year's items as in P2/P3.

Where the contract text pulls two ways (reported to the lead engineer)
 T1. Acceptance has no pending rule (unlike defs. 11 and 12), so recent items count as not
     accepted on time (H4), and accepted_on_time_rate's denominator is not stated.
 T2. "latest ... ties broken by the later delivery" vs "identical events are one event, however
     often delivered": which delivery a collapsed event carries is not stated (D2).
 T3. Escalations: "received after it" — the reading rules say "after" compares calendar dates,
     while the same-matter relation itself is ordered by timestamp + case_id (C3).
 T4. "null for an item closed too recently to be due" read literally would make an item whose
     feedback was already given on time null until the due day; H5 gives True.
 T5. Open items are "not on time" / "not within 30 days" on the due day itself (due <= as_of),
     although closing later that same day would still have been on time — consistent only if
     as_of means the end of that day, which is what A1 assumes.
 T6. Nothing says what to do with events dated before the item's receipt (H1, H4, H5).
 T7. "every known village" (fct_village_month/_year) and "every town" are not tied to a year in
     §4, while "Villages by year" makes knownness year-specific (V2, V3).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import polars as pl

try:  # the `chinesecalendar` distribution
    import chinese_calendar
except ImportError:  # pragma: no cover
    chinese_calendar = None

ENTITIES = ("villages", "cadres", "cases", "case_events")
LEVEL_RANK = {"village": 1, "town": 2, "county": 3, "city": 4, "province": 5, "central": 6}
EVENT_FIELDS = ("case_id", "event_type", "event_at", "cadre_id", "unit_name", "detail")
DELIVERY_KEYS = {"cases": ("case_id",), "villages": ("village_code", "year"), "cadres": ("cadre_id",)}


@dataclass(frozen=True)
class Params:
    repeat_window_days: int = 365
    group_threshold: int = 5
    first_closure_days: int = 30
    accept_days: int = 15
    handle_days: int = 60
    max_extension_days: int = 30
    feedback_working_days: int = 15
    basically_satisfied_weight: float = 1.0
    county_code: str = "320982000000"
    # each range is (start, end), both inclusive: "MM-DD" recurs every year, "YYYY-MM-DD" is one date
    sensitive_periods: tuple[tuple[str, str], ...] = (
        ("03-01", "03-15"), ("09-25", "10-08"), ("2011-06-25", "2011-07-05"))
    standard_max_per_1k: float = 3.0
    standard_max_repeat: int = 2
    standard_max_skip_level: int = 0
    standard_max_collective: int = 0
    standard_max_abnormal: int = 0


# ---------------------------------------------------------------- loading (§2 delivery rules)
def apply_delivery_rules(entity: str, raw: pl.DataFrame) -> pl.DataFrame:
    """Latest delivery wins per key (D1); identical events collapse to their first delivery (D2)."""
    ordered = raw.sort(["_batch_id", "_line_number"])
    if entity == "case_events":
        return ordered.unique(subset=list(EVENT_FIELDS), keep="first", maintain_order=True)
    return ordered.unique(subset=list(DELIVERY_KEYS[entity]), keep="last", maintain_order=True)


def load_lake() -> dict[str, pl.DataFrame]:
    """Every batch the ledger lists as loaded, per entity, with the delivery rules applied."""
    from pipelines import audit
    from pipelines.ingest.lake import lake_schema

    lake: dict[str, pl.DataFrame] = {}
    for entity in ENTITIES:
        batches = audit.loaded_batches(entity)
        frames = [pl.read_parquet(audit.lake_file(entity, sha)) for sha in batches["file_sha256"].to_list()]
        schema = lake_schema(entity)
        frames = [f.select([pl.col(c).cast(t) for c, t in schema.items()]) for f in frames]
        raw = pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=schema)
        lake[entity] = apply_delivery_rules(entity, raw)
    return lake


# ---------------------------------------------------------------- calendars
def is_working_day(d: date) -> bool:
    if chinese_calendar is not None:
        try:
            return bool(chinese_calendar.is_workday(d))
        except NotImplementedError:  # outside the package's years (2004-2026)
            pass
    return d.weekday() < 5


def nth_working_day_after(d: date, n: int) -> date:
    """The n-th working day strictly after d (d itself never counts)."""
    x, k = d, 0
    while k < n:
        x += timedelta(days=1)
        if is_working_day(x):
            k += 1
    return x


def _month_day(text: str) -> tuple[int, int] | date:
    parts = [int(p) for p in text.split("-")]
    return date(*parts) if len(parts) == 3 else (parts[0], parts[1])


def in_sensitive_period(d: date, periods) -> bool:
    for start_text, end_text in periods:
        start, end = _month_day(start_text), _month_day(end_text)
        if isinstance(start, date):
            if start <= d <= end:
                return True
            continue
        md = (d.month, d.day)
        if start <= end:
            if start <= md <= end:
                return True
        elif md >= start or md <= end:  # a range over New Year
            return True
    return False


def add_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


# ---------------------------------------------------------------- as_of
def _ts_max(values) -> datetime | None:
    values = [v for v in values if v is not None]
    return max(values) if values else None


def default_as_of(lake: dict[str, pl.DataFrame]) -> date | None:
    cases = lake["cases"]
    ids = set(cases["case_id"].to_list())
    events = lake["case_events"]
    ev_times = [t for c, t in zip(events["case_id"].to_list(), events["event_at"].to_list()) if c in ids]
    latest = _ts_max(cases["received_at"].to_list() + ev_times)
    return latest.date() if latest is not None else None


# ---------------------------------------------------------------- per-item computation
class _Model:
    def __init__(self, lake: dict[str, pl.DataFrame], as_of: date | None, params: Params) -> None:
        self.p = params
        self.as_of = as_of if as_of is not None else default_as_of(lake)
        as_of = self.as_of
        items = [] if as_of is None else [
            dict(r) for r in lake["cases"].iter_rows(named=True) if r["received_at"].date() <= as_of
        ]
        items.sort(key=lambda r: (r["received_at"], r["case_id"]))
        for it in items:
            it["received_date"] = it["received_at"].date()
            it["person_key"] = it["petitioner_key"] if it["petitioner_key"] is not None else it["accused_key"]
            if it["headcount"] is None:
                it["headcount"] = 1
        self.items = items
        self.pos = {it["case_id"]: i for i, it in enumerate(items)}
        self.events: dict[str, list[dict]] = defaultdict(list)
        for e in lake["case_events"].iter_rows(named=True):
            if e["case_id"] in self.pos and e["event_at"].date() <= as_of:
                self.events[e["case_id"]].append(e)
        self._villages(lake["villages"])
        self._same_matter()
        for i, it in enumerate(items):
            self._flags(i, it)

    # ---- villages by year (V1)
    def _villages(self, villages: pl.DataFrame) -> None:
        self.vrows = {(r["village_code"], r["year"]): r for r in villages.iter_rows(named=True)}
        self.village_codes = sorted({r["village_code"] for r in self.vrows.values()})

    def village_in_year(self, code: str | None, year: int) -> dict | None:
        if code is None:
            return None
        return self.vrows.get((code, year)) or self.vrows.get((code, None))

    # ---- same matter (R1)
    def _same_matter(self) -> None:
        window = self.p.repeat_window_days
        self.earlier: list[dict[int, str]] = []  # per item: earlier index -> via
        seen: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, it in enumerate(self.items):
            links: dict[int, str] = {}
            pk = it["person_key"]
            if pk is not None:
                for j in seen[(pk, it["subject_code"])]:
                    if (it["received_date"] - self.items[j]["received_date"]).days <= window:
                        links[j] = "person_subject"
                seen[(pk, it["subject_code"])].append(i)
            rel = it["related_case_id"]
            if rel is not None and rel in self.pos and self.pos[rel] < i:
                j = self.pos[rel]
                links[j] = "related_case_id" if j not in links else "both"
            self.earlier.append(links)
        self.later: list[list[int]] = [[] for _ in self.items]
        for k, links in enumerate(self.earlier):
            for j in links:
                self.later[j].append(k)

    # ---- item flags (definitions 4-16)
    def _flags(self, i: int, it: dict) -> None:
        p, as_of = self.p, self.as_of
        evs = self.events.get(it["case_id"], [])
        rd = it["received_date"]
        year = rd.year

        v = self.village_in_year(it["village_code"], year)
        it["town_code"] = v["town_code"] if v else None
        it["village_known"] = v is not None

        it["is_visit"] = it["channel"] == "visit"
        it["is_real_name"] = it["real_name"] == "yes"
        it["is_repeat"] = bool(self.earlier[i])
        it["is_first_time"] = not it["is_repeat"]
        if it["skip_level"] is not None:
            it["is_skip_level"] = it["skip_level"] == "yes"
        else:
            jl = LEVEL_RANK[it["jurisdiction_level"]]
            above = LEVEL_RANK[it["petition_level"]] > jl
            lower_before = any(LEVEL_RANK[self.items[j]["petition_level"]] <= jl for j in self.earlier[i])
            it["is_skip_level"] = above and not lower_before
        it["is_to_province_or_central"] = it["petition_level"] in ("province", "central")
        it["is_collective"] = it["is_visit"] and it["headcount"] >= p.group_threshold
        it["is_abnormal"] = it["abnormal_behaviour"] is not None
        it["is_in_sensitive_period"] = in_sensitive_period(rd, p.sensitive_periods)

        def of(kind: str) -> list[dict]:
            return [e for e in evs if e["event_type"] == kind]

        def latest(es: list[dict]) -> dict | None:
            return max(es, key=lambda e: (e["event_at"], e["_batch_id"], e["_line_number"])) if es else None

        concluded = of("concluded")
        closed = min(e["event_at"] for e in concluded).date() if concluded else None
        it["closed_date"] = closed
        it["days_to_close"] = (closed - rd).days if closed else None
        if closed is not None:
            it["is_closed_within_30d"] = it["days_to_close"] <= p.first_closure_days
        else:
            it["is_closed_within_30d"] = False if rd + timedelta(days=p.first_closure_days) <= as_of else None

        ext = sum(int(e["detail"]) for e in of("extended"))
        due = rd + timedelta(days=p.handle_days + min(ext, p.max_extension_days))
        it["handle_due_date"] = due
        if closed is not None:
            it["is_on_time"] = closed <= due
        else:
            it["is_on_time"] = False if due <= as_of else None

        accept_by = rd + timedelta(days=p.accept_days)
        if any(rd <= e["event_at"].date() <= accept_by for e in of("accepted")):
            it["is_accepted_on_time"] = True
        else:
            it["is_accepted_on_time"] = False if accept_by <= as_of else None

        if not it["is_real_name"] or closed is None:
            it["is_feedback_on_time"] = None
        else:
            fb_due = nth_working_day_after(closed, p.feedback_working_days)
            if any(closed <= e["event_at"].date() <= fb_due for e in of("feedback")):
                it["is_feedback_on_time"] = True
            else:
                it["is_feedback_on_time"] = False if fb_due <= as_of else None
            it["feedback_due_date"] = fb_due

        disposed = latest(of("disposed"))
        it["disposition"] = disposed["detail"] if disposed else None
        it["is_lead"] = disposed is not None
        it["is_shelved"] = it["disposition"] == "shelved"
        it["is_case_opened"] = bool(of("case_opened"))
        rated = latest(of("rated"))
        it["satisfaction"] = rated["detail"] if rated else None
        it["is_ceased"] = bool(of("ceased"))
        for role in ("lead", "responsible"):
            a = latest([e for e in of("assigned") if e["detail"] == role])
            it[f"{role}_cadre_id"] = a["cadre_id"] if a else None

    # ---- ranges
    def years(self) -> list[int]:
        if not self.items:
            return []
        return list(range(self.items[0]["received_date"].year, self.as_of.year + 1))

    def months(self) -> list[date]:
        if not self.items:
            return []
        first = min(it["received_date"] for it in self.items).replace(day=1)
        out, m = [], first
        while m <= self.as_of.replace(day=1):
            out.append(m)
            m = add_month(m)
        return out

    def known_villages(self, year: int) -> list[str]:
        return [c for c in self.village_codes if self.village_in_year(c, year) is not None]

    def towns(self) -> list[str]:
        return sorted({self.village_in_year(c, y)["town_code"] for y in self.years() for c in self.known_villages(y)})


# ---------------------------------------------------------------- aggregation helpers
def _rate(num: float, den: int) -> float | None:
    return None if den == 0 else num / den


def _counts(items: list[dict]) -> dict[str, int]:
    return {
        "petitions": len(items),
        "repeat_petitions": sum(it["is_repeat"] for it in items),
        "skip_level_petitions": sum(it["is_skip_level"] for it in items),
        "collective_petitions": sum(it["is_collective"] for it in items),
        "abnormal_petitions": sum(it["is_abnormal"] for it in items),
    }


def _satisfaction_score(items: list[dict], weight: float) -> float:
    """Satisfied items + weight × basically satisfied ones (the rate's numerator)."""
    return sum(1.0 for it in items if it["satisfaction"] == "satisfied") + weight * sum(
        1 for it in items if it["satisfaction"] == "basically_satisfied"
    )


def _satisfaction_rate(items: list[dict], weight: float) -> tuple[int, float | None]:
    rated = [it for it in items if it["satisfaction"] is not None]
    return len(rated), _rate(_satisfaction_score(rated, weight), len(rated))


def _true_rate(items: list[dict], flag: str) -> tuple[int, int, float | None]:
    known = [it for it in items if it[flag] is not None]
    true = sum(1 for it in known if it[flag])
    return true, len(known), _rate(true, len(known))


# ---------------------------------------------------------------- schemas
S, D, I, B, F = pl.String, pl.Date, pl.Int64, pl.Boolean, pl.Float64
SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "fct_cases": {
        "case_id": S, "received_date": D, "village_code": S, "town_code": S, "channel": S,
        "headcount": I, "category": S, "subject_code": S, "is_visit": B, "is_real_name": B,
        "is_repeat": B, "is_first_time": B, "is_skip_level": B, "is_to_province_or_central": B,
        "is_collective": B, "is_abnormal": B, "is_in_sensitive_period": B, "closed_date": D,
        "days_to_close": I, "is_closed_within_30d": B, "handle_due_date": D, "is_on_time": B,
        "is_lead": B, "is_shelved": B, "is_case_opened": B, "satisfaction": S, "is_ceased": B,
        "is_accepted_on_time": B, "is_feedback_on_time": B, "lead_cadre_id": S,
        "responsible_cadre_id": S,
    },
    "fct_village_month": {
        "village_code": S, "month_start": D, "petitions": I, "repeat_petitions": I,
        "skip_level_petitions": I, "collective_petitions": I, "abnormal_petitions": I,
        "visits": I, "visit_person_times": I,
    },
    "fct_village_year": {
        "village_code": S, "year": I, "town_code": S, "population": I, "petitions": I,
        "repeat_petitions": I, "skip_level_petitions": I, "collective_petitions": I,
        "abnormal_petitions": I, "petitions_per_1k": F, "is_meets_standard": B,
    },
    "fct_one_low_four_controls": {
        "scope_type": S, "scope_code": S, "year": I,
        "petitions": I, "petitions_prev_year": I,
        "repeat_petitions": I, "repeat_petitions_prev_year": I,
        "skip_level_petitions": I, "skip_level_petitions_prev_year": I,
        "collective_petitions": I, "collective_petitions_prev_year": I,
        "abnormal_petitions": I, "abnormal_petitions_prev_year": I,
        "visits": I, "repeat_visits": I, "repeat_visit_share": F,
        "is_low_running": B, "is_repeat_controlled": B, "is_skip_level_controlled": B,
        "is_collective_controlled": B, "is_abnormal_controlled": B,
    },
    "fct_handling_performance": {
        "scope_type": S, "scope_code": S, "year": I, "petitions": I,
        "first_time_due": I, "first_time_closed_within_30d": I, "first_time_closure_rate": F,
        "shelved": I, "shelved_share": F, "leads": I, "cases_opened": I,
        "case_conversion_rate": F, "closed": I, "on_time": I, "on_time_due": I,
        "on_time_rate": F, "accepted_on_time_rate": F, "feedback_on_time_rate": F, "rated": I,
        "satisfaction_score": F, "satisfaction_rate": F, "ceased": I, "ceased_rate": F,
        "real_name_share": F, "visit_share": F,
    },
    "fct_cadre_year": {
        "cadre_id": S, "year": I, "cases_as_lead": I, "cases_as_responsible": I, "closed": I,
        "on_time_rate": F, "ceased_rate": F, "satisfaction_rate": F, "repeats_after_close": I,
        "escalations": I,
    },
}


def _frame(name: str, rows: list[dict]) -> pl.DataFrame:
    schema = SCHEMAS[name]
    return pl.DataFrame([{c: r[c] for c in schema} for r in rows], schema=schema, orient="row")


# ---------------------------------------------------------------- marts
def _fct_cases(m: _Model) -> pl.DataFrame:
    rows = sorted(m.items, key=lambda it: it["case_id"])
    return _frame("fct_cases", rows)


def _fct_village_month(m: _Model) -> pl.DataFrame:
    groups: dict[tuple[str, date], list[dict]] = defaultdict(list)
    for it in m.items:
        if it["village_known"]:
            groups[(it["village_code"], it["received_date"].replace(day=1))].append(it)
    rows = []
    for month in m.months():
        for v in m.known_villages(month.year):
            its = groups.get((v, month), [])
            visits = [it for it in its if it["is_visit"]]
            rows.append({"village_code": v, "month_start": month, **_counts(its), "visits": len(visits),
                         "visit_person_times": sum(it["headcount"] for it in visits)})
    return _frame("fct_village_month", rows)


def _fct_village_year(m: _Model) -> pl.DataFrame:
    p = m.p
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for it in m.items:
        if it["village_known"]:
            groups[(it["village_code"], it["received_date"].year)].append(it)
    rows = []
    for y in m.years():
        for v in m.known_villages(y):
            attrs = m.village_in_year(v, y)
            c = _counts(groups.get((v, y), []))
            per_1k = 1000.0 * c["petitions"] / attrs["population"]
            meets = (per_1k <= p.standard_max_per_1k and c["repeat_petitions"] <= p.standard_max_repeat
                     and c["skip_level_petitions"] <= p.standard_max_skip_level
                     and c["collective_petitions"] <= p.standard_max_collective
                     and c["abnormal_petitions"] <= p.standard_max_abnormal)
            rows.append({"village_code": v, "year": y, "town_code": attrs["town_code"],
                         "population": attrs["population"], **c, "petitions_per_1k": per_1k,
                         "is_meets_standard": meets})
    return _frame("fct_village_year", rows)


def _scopes(m: _Model) -> list[tuple[str, str, callable]]:
    out = [("county", "county", lambda it: True)]
    for t in m.towns():
        out.append(("town", t, lambda it, t=t: it["town_code"] == t))

    def county_level(it: dict) -> bool:
        code = (it["village_code"] or "").strip()
        return code in ("", m.p.county_code)

    out.append(("no_town", "county_level",
                lambda it: it["town_code"] is None and county_level(it)))
    out.append(("no_town", "unknown_village",
                lambda it: it["town_code"] is None and not county_level(it)))
    return out


def _fct_olfc(m: _Model) -> pl.DataFrame:
    years = m.years()
    rows = []
    for scope_type, code, member in _scopes(m):
        by_year = {y: [it for it in m.items if it["received_date"].year == y and member(it)] for y in years}
        for y in years:
            its = by_year[y]
            c = _counts(its)
            prev = _counts(by_year[y - 1]) if y - 1 in by_year else None
            visits = [it for it in its if it["is_visit"]]
            repeat_visits = sum(it["is_repeat"] for it in visits)
            row = {"scope_type": scope_type, "scope_code": code, "year": y, **c,
                   "visits": len(visits), "repeat_visits": repeat_visits,
                   "repeat_visit_share": _rate(repeat_visits, len(visits))}
            for k in c:
                row[f"{k}_prev_year"] = prev[k] if prev else None
            flags = {"is_low_running": "petitions", "is_repeat_controlled": "repeat_petitions",
                     "is_skip_level_controlled": "skip_level_petitions",
                     "is_collective_controlled": "collective_petitions",
                     "is_abnormal_controlled": "abnormal_petitions"}
            for flag, k in flags.items():
                row[flag] = None if prev is None else c[k] <= prev[k]
            rows.append(row)
    return _frame("fct_one_low_four_controls", rows)


def _handling(items: list[dict], weight: float) -> dict:
    n = len(items)
    first_time = [it for it in items if it["is_first_time"]]
    ft_true, ft_due, ft_rate = _true_rate(first_time, "is_closed_within_30d")
    shelved = sum(it["is_shelved"] for it in items)
    leads = [it for it in items if it["is_lead"]]
    opened = sum(it["is_case_opened"] for it in leads)
    closed = [it for it in items if it["closed_date"] is not None]
    on_time, on_time_due, on_time_rate = _true_rate(items, "is_on_time")
    _, _, accepted_rate = _true_rate(items, "is_accepted_on_time")
    _, _, feedback_rate = _true_rate(items, "is_feedback_on_time")
    rated, sat_rate = _satisfaction_rate(items, weight)
    ceased = sum(it["is_ceased"] for it in closed)
    return {
        "petitions": n, "first_time_due": ft_due, "first_time_closed_within_30d": ft_true,
        "first_time_closure_rate": ft_rate, "shelved": shelved, "shelved_share": _rate(shelved, n),
        "leads": len(leads), "cases_opened": opened, "case_conversion_rate": _rate(opened, len(leads)),
        "closed": len(closed), "on_time": on_time, "on_time_due": on_time_due,
        "on_time_rate": on_time_rate, "accepted_on_time_rate": accepted_rate,
        "feedback_on_time_rate": feedback_rate, "rated": rated,
        "satisfaction_score": _satisfaction_score(items, weight), "satisfaction_rate": sat_rate,
        "ceased": ceased, "ceased_rate": _rate(ceased, len(closed)),
        "real_name_share": _rate(sum(it["is_real_name"] for it in items), n),
        "visit_share": _rate(sum(it["is_visit"] for it in items), n),
    }


def _fct_handling(m: _Model) -> pl.DataFrame:
    rows = []
    for scope_type, code, member in _scopes(m):
        for y in m.years():
            its = [it for it in m.items if it["received_date"].year == y and member(it)]
            rows.append({"scope_type": scope_type, "scope_code": code, "year": y,
                         **_handling(its, m.p.basically_satisfied_weight)})
    return _frame("fct_handling_performance", rows)


def _fct_cadre_year(m: _Model) -> pl.DataFrame:
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, it in enumerate(m.items):
        for c in {it["lead_cadre_id"], it["responsible_cadre_id"]} - {None}:
            groups[(c, it["received_date"].year)].append(i)
    rows = []
    for (cadre, y), idx in sorted(groups.items()):
        its = [m.items[i] for i in idx]
        closed = [it for it in its if it["closed_date"] is not None]
        repeats, escalations = set(), set()
        for i in idx:
            it = m.items[i]
            for k in m.later[i]:
                later = m.items[k]
                if it["closed_date"] is not None and later["received_date"] > it["closed_date"]:
                    repeats.add(k)
                if (later["received_date"] > it["received_date"]
                        and LEVEL_RANK[later["petition_level"]] > LEVEL_RANK[later["jurisdiction_level"]]):
                    escalations.add(k)
        _, _, on_time_rate = _true_rate(its, "is_on_time")
        _, sat_rate = _satisfaction_rate(its, m.p.basically_satisfied_weight)
        rows.append({
            "cadre_id": cadre, "year": y,
            "cases_as_lead": sum(it["lead_cadre_id"] == cadre for it in its),
            "cases_as_responsible": sum(it["responsible_cadre_id"] == cadre for it in its),
            "closed": len(closed), "on_time_rate": on_time_rate,
            "ceased_rate": _rate(sum(it["is_ceased"] for it in closed), len(closed)),
            "satisfaction_rate": sat_rate, "repeats_after_close": len(repeats),
            "escalations": len(escalations),
        })
    return _frame("fct_cadre_year", rows)


def reference_marts(lake: dict[str, pl.DataFrame], as_of: date | None = None,
                    params: Params = Params()) -> dict[str, pl.DataFrame]:
    m = _Model(lake, as_of, params)
    return {
        "fct_cases": _fct_cases(m),
        "fct_village_month": _fct_village_month(m),
        "fct_village_year": _fct_village_year(m),
        "fct_one_low_four_controls": _fct_olfc(m),
        "fct_handling_performance": _fct_handling(m),
        "fct_cadre_year": _fct_cadre_year(m),
    }


def same_matter_pairs(lake: dict[str, pl.DataFrame], as_of: date | None = None,
                      params: Params = Params()) -> pl.DataFrame:
    """The same-matter relation (R1): one row per (later item, earlier item)."""
    m = _Model(lake, as_of, params)
    rows = [
        {"later_case_id": m.items[k]["case_id"], "earlier_case_id": m.items[j]["case_id"], "via": via}
        for k, links in enumerate(m.earlier) for j, via in sorted(links.items())
    ]
    return pl.DataFrame(rows, schema={"later_case_id": S, "earlier_case_id": S, "via": S}, orient="row")
