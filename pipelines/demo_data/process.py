"""The petition process, simulated month by month with per-item probabilities.

Every item is drawn from the same model, whatever the scale:

* where it comes from: a village or community (rate ∝ population × a gamma-distributed
  multiplier, a few hot spots) or no village at all (county organs, enterprises, no address);
* how it arrives (channel mix of the era), who signs it (real-name share rising), what it is
  about, at which level it was lodged, and the rare troubles — skip-level, collective visits,
  abnormal behaviour — whose chance grows with the village's multiplier and falls each year;
* how it is handled: accepted, assigned (a lead and a responsible cadre), perhaps extended,
  disposed (leads), perhaps a case opened, concluded, feedback to real-name petitioners within
  working days, rated, published, ceased, sometimes a review;
* whether the same person comes back on the same matter (a follow-up, more likely after a
  dissatisfied rating): follow-ups are queued for the month they arrive in and become items
  of that month, so repeats exist across chunks without keeping earlier items in memory.

Events after the export date (the end of the last year) have not happened yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.demo_data import identity
from pipelines.demo_data.cadres import Cadres
from pipelines.demo_data.geography import COMMUNITY, OTHER_REGIONS, Geography
from pipelines.demo_data.profile import (
    ABNORMAL,
    CATEGORIES,
    CHANNELS,
    DETAILS_DAYS,
    DISPOSITIONS,
    EVENT_TYPES,
    LEVELS,
    MONTH_WEIGHTS,
    RANKS,
    RATINGS,
    ROLES,
    SUBJECTS,
    YES_NO,
    Profile,
)
from pipelines.demo_data.workdays import add_working_days, working_days

SECOND = np.timedelta64(1, "s")
PIECE_ITEMS = 20_000  # at most this many items generated and written at once
DAY_S = np.timedelta64(86_400, "s")

CH = {c: i for i, c in enumerate(CHANNELS)}
LV = {c: i for i, c in enumerate(LEVELS)}
CAT = {c: i for i, c in enumerate(CATEGORIES)}
SUB = {c: i for i, c in enumerate(SUBJECTS)}
DISP = {c: i for i, c in enumerate(DISPOSITIONS)}
ABN = {c: i for i, c in enumerate(ABNORMAL)}
EV = {c: i for i, c in enumerate(EVENT_TYPES)}
RATE = {c: i for i, c in enumerate(RATINGS)}
OFFICE_CHANNELS = np.array([CH["letter"], CH["visit"], CH["phone"], CH["fax"]])

# detail column of case_events: "" (none), roles, dispositions, ratings, extension days
DETAILS = ("",) + ROLES + DISPOSITIONS + RATINGS + DETAILS_DAYS
DET_ROLE = 1
DET_DISP = 1 + len(ROLES)
DET_RATE = DET_DISP + len(DISPOSITIONS)
DET_DAYS = {d: DET_RATE + len(RATINGS) + i for i, d in enumerate(DETAILS_DAYS)}

# ---------------------------------------------------------------- model parameters
CATEGORY_P = np.array([0.58, 0.12, 0.08, 0.16, 0.06])
# subject by where the item comes from: village, community, no village
SUBJECT_P = np.array(
    [
        [0.14, 0.02, 0.17, 0.27, 0.15, 0.10, 0.04, 0.03, 0.04, 0.04],
        [0.08, 0.16, 0.04, 0.18, 0.18, 0.12, 0.07, 0.07, 0.05, 0.05],
        [0.05, 0.08, 0.03, 0.02, 0.25, 0.22, 0.12, 0.12, 0.05, 0.06],
    ]
)
RANK_P = np.array(
    [
        [0.02, 0.12, 0.14, 0.66, 0.06],
        [0.03, 0.18, 0.22, 0.48, 0.09],
        [0.10, 0.38, 0.40, 0.02, 0.10],
    ]
)
# real-name log-odds by channel and by category
REAL_CH = np.array([-0.15, 2.6, 0.2, -0.7, -0.5, 0.1, 0.4, -1.2, -0.9, 0.0])
REAL_CAT = np.array([-0.25, 1.8, 0.5, 0.6, -0.8])
FOLLOW_CHANNEL_P = np.array([0.62, 0.05, 0.10, 0.15, 0.03, 0.03, 0.005, 0.005, 0.005, 0.005])
# leads (问题线索): chance by category; dispositions; chance a case is opened by disposition
LEAD_P = np.array([0.198, 0.02, 0.0, 0.0, 0.0])
DISP_P = np.array([0.36, 0.33, 0.055, 0.19, 0.065])
OPEN_P = np.array([0.13, 0.68, 0.0, 0.0, 0.95])
# ceased (息访) by rating: satisfied, basically, dissatisfied, not rated
CEASE_P = np.array([0.95, 0.86, 0.3, 0.78])
ABN_PLAIN_P = np.array([0.0, 0.1, 0.12, 0.0, 0.05, 0.4, 0.1, 0.08, 0.0, 0.15])
ABN_GROUP_P = np.array([0.0, 0.25, 0.1, 0.3, 0.0, 0.0, 0.0, 0.0, 0.35, 0.0])


@dataclass
class Chunk:
    year: int
    month: int
    cases: pl.DataFrame
    events: pl.DataFrame


def take(values: pl.Series, idx: np.ndarray) -> pl.Series:
    """values[idx], null where idx < 0."""
    out = values.gather(np.maximum(idx, 0))
    neg = np.flatnonzero(idx < 0)
    if neg.size:
        out = out.scatter(neg, None)
    return out


def _pick(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    return rng.choice(p.shape[0], size=n, p=p / p.sum()).astype(np.int64)


def _pick_rows(rng: np.random.Generator, p: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """A category per item, from the row of `p` named by `rows` (inverse-CDF sampling)."""
    cdf = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(rows.shape[0])
    return np.minimum((u[:, None] > cdf[rows]).sum(axis=1), p.shape[1] - 1)


def _days_in_month(year: int, month: int) -> int:
    start = np.datetime64(f"{year}-{month:02d}")
    return int(((start + 1).astype("datetime64[D]") - start.astype("datetime64[D]")).astype(int))


class Process:
    def __init__(
        self, profile: Profile, geo: Geography, cadres: Cadres, rng: np.random.Generator, total: int
    ) -> None:
        self.p = profile
        self.geo = geo
        self.cad = cadres
        self.rng = rng
        self.total = total
        self.calendar = working_days(profile.first_year, profile.last_year + 1)
        self.cutoff = np.datetime64(f"{profile.last_year + 1}-01-01T00:00:00", "s")
        V, C = geo.n_villages, geo.n_counties
        self.V = V
        # cells: villages, then one "no village" cell per county
        size = (geo.population / 2500.0) ** 0.6
        kind = np.where(geo.village_kind == COMMUNITY, 1.25, 1.0)
        w_v = geo.population * geo.mult * size * kind
        county_w = np.bincount(geo.village_county, weights=w_v, minlength=C)
        w_o = county_w * profile.organ_share / (1.0 - profile.organ_share)
        w = np.concatenate([w_v, w_o])
        self.cell_p = w / w.sum()
        self.cell_mult = np.concatenate([geo.mult, np.full(C, 1.3)])
        self.cell_county = np.concatenate([geo.village_county, np.arange(C)])
        self.cell_kind = np.concatenate([geo.village_kind.astype(np.int64), np.full(C, 2)])
        self.cell_town = np.concatenate([geo.village_town, np.full(C, -1)])
        trouble = self.cell_mult**2.5
        self.cell_trouble = trouble / float((self.cell_p * trouble).sum())
        organ_codes = [f"{int(c)}000000" for c in geo.county_code]
        self.cell_code = pl.Series([str(int(c)) for c in geo.village_code] + organ_codes)
        self.region_pool = OTHER_REGIONS if profile.kind == "county" else geo.county_code
        self.seq = {y: 0 for y in profile.years}
        self.queue: dict[int, list[pl.DataFrame]] = {}
        self.month_counts = self._month_counts()
        self.channel_p = {y: self._channel_p(y) for y in profile.years}
        self.cadre_ids = pl.Series(cadres.cadre_id)
        self.units = pl.Series(cadres.units)
        self.details = pl.Series(list(DETAILS))

    # ------------------------------------------------------------ volume
    def _month_counts(self) -> np.ndarray:
        """Items per month (n_years × 12), summing exactly to the requested total."""
        t = np.arange(self.p.n_years)
        yw = np.exp(self.p.volume_trend * t)
        per_year = self.rng.multinomial(self.total, yw / yw.sum())
        mw = np.array(MONTH_WEIGHTS)
        return np.stack([self.rng.multinomial(int(k), mw / mw.sum()) for k in per_year])

    def _channel_p(self, year: int) -> np.ndarray:
        t = year - self.p.first_year
        w = np.array(
            [
                self.p.channel_base[c] * np.exp(self.p.channel_trend.get(c, 0.0) * t)
                if year >= self.p.channel_from.get(c, 0)
                else 0.0
                for c in CHANNELS
            ]
        )
        return w / w.sum()

    def months(self) -> Iterator[tuple[int, int, int]]:
        for yi, year in enumerate(self.p.years):
            for m in range(12):
                yield year, m + 1, int(self.month_counts[yi, m])

    def run(self) -> Iterator[Chunk]:
        for year, month, n in self.months():
            yield from self.month(year, month, n)

    def month(self, year: int, month: int, n: int) -> Iterator[Chunk]:
        """One month's items: the follow-ups due this month, the rest fresh. A large month is
        cut into runs of days of at most PIECE_ITEMS items, so memory does not grow with N."""
        rng = self.rng
        key = (year - self.p.first_year) * 12 + month - 1
        parts = self.queue.pop(key, [])
        fu = pl.concat(parts) if parts else None
        if fu is not None and fu.height > n:
            fu = fu.sort("day", "parent_id").head(n)
        n_fresh = n - (0 if fu is None else fu.height)
        ndays = _days_in_month(year, month)
        k = min(-(-n // PIECE_ITEMS), ndays)
        if k <= 1:
            yield self._piece(year, month, fu, n_fresh, 0, ndays)
            return
        bounds = np.round(np.linspace(0, ndays, k + 1)).astype(np.int64)
        fresh = rng.multinomial(n_fresh, np.diff(bounds) / ndays)
        if fu is not None:
            start = np.datetime64(f"{year}-{month:02d}-01")
            offset = (fu["day"].to_numpy().astype("datetime64[D]") - start).astype(np.int64)
            fu = fu.with_columns(
                pl.Series("_piece", np.searchsorted(bounds, offset, side="right") - 1)
            )
        for i in range(k):
            part = None if fu is None else fu.filter(pl.col("_piece") == i).drop("_piece")
            yield self._piece(year, month, part, int(fresh[i]), int(bounds[i]), int(bounds[i + 1]))

    def _piece(
        self, year: int, month: int, fu: pl.DataFrame | None, n_fresh: int, lo: int, hi: int
    ) -> Chunk:
        """Items received on days lo..hi-1 of the month: fresh ones and queued follow-ups."""
        rng = self.rng
        items = self._fresh(year, month, n_fresh, lo, hi)
        if fu is not None and fu.height:
            items = _concat(items, self._follow_ups(year, month, fu, lo, hi))
        n = items["cell"].shape[0]
        order = np.lexsort((rng.random(n), items["recv"]))
        items = {
            k: (v.gather(order) if isinstance(v, pl.Series) else v[order]) for k, v in items.items()
        }
        first = self.seq[year] + 1
        self.seq[year] += n
        seq = (
            pl.Series(np.arange(first, first + n, dtype=np.int64))
            .cast(pl.String)
            .str.zfill(self.p.seq_width)
        )
        case_id = (f"{self.p.case_prefix}{year}-" + seq).alias("case_id")
        events, rating, closed_day, D = self._handle(year, items, case_id)
        self._spawn(year, month, items, case_id, rating, closed_day, D)
        return Chunk(year, month, self._cases_frame(items, case_id), events)

    # ------------------------------------------------------------ arrival
    def _on_or_after(self, day: np.ndarray) -> np.ndarray:
        """The first working day on or after each day."""
        cal = self.calendar
        return cal[np.minimum(np.searchsorted(cal, day, side="left"), cal.shape[0] - 1)]

    def _on_or_before(self, day: np.ndarray) -> np.ndarray:
        cal = self.calendar
        return cal[np.maximum(np.searchsorted(cal, day, side="right") - 1, 0)]

    def _clock(
        self, year: int, month: int, day: np.ndarray, channel: np.ndarray, lo: int, hi: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Received datetime: office channels on working days in office hours, letters by date
        only, online channels at any hour."""
        rng = self.rng
        n = day.shape[0]
        office = np.isin(channel, OFFICE_CHANNELS)
        first = np.datetime64(f"{year}-{month:02d}-01") + lo
        last = np.datetime64(f"{year}-{month:02d}-01") + hi - 1
        moved = self._on_or_after(day)
        moved = np.where(moved > last, self._on_or_before(day), moved)
        moved = np.where(moved < first, day, moved)  # no working day in the run: keep the day
        day = np.where(office, moved, day)
        office_s = rng.integers(8 * 3600, 17 * 3600 + 1800, size=n)
        any_s = rng.integers(7 * 3600, 23 * 3600 + 1800, size=n)
        letter = channel == CH["letter"]
        secs = np.where(letter, 0, np.where(office, office_s, any_s))
        recv = day.astype("datetime64[s]") + secs * SECOND
        return recv, letter

    def _fresh(self, year: int, month: int, n: int, lo: int, hi: int) -> dict:
        rng, p = self.rng, self.p
        t = year - p.first_year
        cell = np.repeat(np.arange(self.cell_p.shape[0]), rng.multinomial(n, self.cell_p))
        kind = self.cell_kind[cell]
        county = self.cell_county[cell]
        channel = _pick(rng, self.channel_p[year], n)
        trouble = self.cell_trouble[cell] * p.trouble_decay**t
        skip = rng.random(n) < p.skip_rate * trouble
        collective = rng.random(n) < p.collective_rate * trouble
        abnormal = rng.random(n) < p.abnormal_rate * trouble
        channel = np.where(skip & (rng.random(n) < 0.6), CH["visit"], channel)
        channel = np.where(abnormal & (rng.random(n) < 0.9), CH["visit"], channel)
        channel = np.where(collective, CH["visit"], channel)
        visit = channel == CH["visit"]

        category = _pick(rng, CATEGORY_P, n)
        subject = _pick_rows(rng, SUBJECT_P, kind)
        redraw = (category == CAT["out_of_scope"]) & (rng.random(n) < 0.65)
        alt = np.array([SUB["law_litigation"], SUB["labour_social"], SUB["other"]])
        subject = np.where(redraw, alt[_pick(rng, np.array([0.45, 0.35, 0.2]), n)], subject)
        subject = np.where(
            (category == CAT["no_content"]) & (rng.random(n) < 0.7), SUB["other"], subject
        )
        accusation = category == CAT["accusation"]
        rank = _pick_rows(rng, RANK_P, kind)
        rank = np.where(accusation | (rng.random(n) < 0.25), rank, -1)

        logit = REAL_CH[channel] + REAL_CAT[category] + p.real_name_shift + p.real_name_slope * t
        real = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))
        id_share = np.where(
            visit, 0.85, np.where(np.isin(channel, [CH["phone"], CH["sms"]]), 0.45, 0.7)
        )
        pet_kind = np.where(real, np.where(rng.random(n) < id_share, 1, 2), 0)
        u = rng.random(n)
        acc_kind = np.where(
            accusation,
            np.where(u < np.where(real, 0.2, 0.1), 0, np.where(rng.random(n) < 0.62, 1, 2)),
            np.where(u < 0.85, 0, np.where(rng.random(n) < 0.5, 1, 2)),
        )
        home = self.geo.county_code[county]
        region = np.where(
            rng.random(n) < 0.88,
            home,
            self.region_pool[rng.integers(0, self.region_pool.shape[0], size=n)],
        )
        y0 = p.first_year
        pet = identity.identities(
            rng,
            pet_kind,
            region,
            np.datetime64(f"{y0 - 80}-01-01"),
            np.datetime64(f"{y0 - 19}-01-01"),
        )
        acc_region = np.where(rng.random(n) < 0.95, home, region)
        acc = identity.identities(
            rng,
            acc_kind,
            acc_region,
            np.datetime64(f"{y0 - 62}-01-01"),
            np.datetime64(f"{y0 - 25}-01-01"),
        )

        # levels: lodged at the county mostly; some at town stations; some forwarded from above
        plevel = np.full(n, LV["county"])
        jlevel = np.full(n, LV["county"])
        source = np.zeros(n, dtype=np.int64)
        flag = np.where(rng.random(n) < 0.2, 1, -1)  # registrars sometimes fill 否
        r = rng.random(n)
        above = _pick(rng, np.array([0.75, 0.2, 0.05]), n) + LV["city"]
        town = r < 0.07
        plevel = np.where(town, LV["town"], plevel)
        jlevel = np.where(town & (rng.random(n) < 0.6), LV["town"], jlevel)
        village_l = (r >= 0.07) & (r < 0.075) & (kind < 2)
        plevel = np.where(village_l, LV["village"], plevel)
        jlevel = np.where(village_l, LV["town"], jlevel)
        forwarded = (r >= 0.075) & (r < 0.075 + 0.065 * 0.92**t) & ~skip
        plevel = np.where(forwarded, above, plevel)
        source = np.where(forwarded, 1, source)
        high_rank = forwarded & (rank == RANKS.index("county_level"))
        jlevel = np.where(high_rank, LV["city"], jlevel)
        flag = np.where(forwarded, 1, flag)
        flag = np.where(high_rank & (plevel == LV["city"]), -1, flag)
        skip_above = _pick(rng, np.array([0.7, 0.22, 0.08]), n) + LV["city"]
        plevel = np.where(skip, skip_above, plevel)
        jlevel = np.where(skip, LV["county"], jlevel)
        source = np.where(skip, np.where(rng.random(n) < 0.7, 1, 0), source)
        flag = np.where(skip, np.where(rng.random(n) < 0.6, 0, -1), flag)

        headcount = np.ones(n, dtype=np.int64)
        small = _pick(rng, np.array([0.8, 0.11, 0.06, 0.03]), n) + 1
        headcount = np.where(visit, small, headcount)
        cosigned = (channel == CH["letter"]) & (rng.random(n) < 0.02)
        headcount = np.where(cosigned, 2 + np.minimum(rng.geometric(0.3, size=n) - 1, 8), headcount)
        headcount = np.where(
            collective, 5 + np.minimum(rng.geometric(0.12, size=n) - 1, 55), headcount
        )
        abn_code = np.where(collective, _pick(rng, ABN_GROUP_P, n), _pick(rng, ABN_PLAIN_P, n))
        abn_code = np.where(
            plevel == LV["central"],
            np.where(rng.random(n) < 0.7, ABN["beijing_non_reception"], abn_code),
            abn_code,
        )
        abn_code = np.where(abnormal, abn_code, -1)

        day = np.datetime64(f"{year}-{month:02d}-01") + rng.integers(lo, hi, size=n)
        recv, date_only = self._clock(year, month, day, channel, lo, hi)
        related = pl.Series("related", [None] * n, dtype=pl.String)
        if year == p.first_year:  # references to last year's items, outside this drop
            old = np.flatnonzero(rng.random(n) < 0.004)
            if old.size:
                labels = [
                    f"{p.case_prefix}{year - 1}-{int(s):0{p.seq_width}d}"
                    for s in rng.integers(1, 1200, size=old.size)
                ]
                related = related.scatter(old, labels)
        return {
            "cell": cell,
            "recv": recv,
            "date_only": date_only,
            "channel": channel,
            "source": source,
            "plevel": plevel,
            "jlevel": jlevel,
            "flag": flag,
            "headcount": headcount,
            "abnormal": abn_code,
            "rank": rank,
            "category": category,
            "subject": subject,
            "real": real,
            "is_fu": np.zeros(n, dtype=bool),
            "trouble": skip | collective | abnormal,
            "organ_blank": rng.random(n) < 0.67,
            "pet": pet,
            "acc": acc,
            "related": related,
        }

    def _follow_ups(self, year: int, month: int, fu: pl.DataFrame, lo: int, hi: int) -> dict:
        """The same person again on the same matter, queued when the earlier item was drawn."""
        rng = self.rng
        n = fu.height
        escalate = fu["escalate"].to_numpy()
        channel = _pick(rng, FOLLOW_CHANNEL_P, n)
        channel = np.where(
            escalate, np.where(rng.random(n) < 0.3, CH["visit"], CH["letter"]), channel
        )
        day = fu["day"].to_numpy().astype("datetime64[D]")
        recv, date_only = self._clock(year, month, day, channel, lo, hi)
        above = _pick(rng, np.array([0.75, 0.2, 0.05]), n) + LV["city"]
        plevel = np.where(escalate, above, LV["county"])
        flag = np.where(escalate, -1, np.where(rng.random(n) < 0.2, 1, -1))
        keep = fu["with_related"].to_numpy()
        rel = take(fu["parent_id"], np.where(keep, np.arange(n), -1)).alias("related")
        return {
            "cell": fu["cell"].to_numpy(),
            "recv": recv,
            "date_only": date_only,
            "channel": channel,
            "source": escalate.astype(np.int64),
            "plevel": plevel,
            "jlevel": np.full(n, LV["county"]),
            "flag": flag,
            "headcount": np.ones(n, dtype=np.int64),
            "abnormal": np.full(n, -1),
            "rank": fu["rank"].to_numpy(),
            "category": fu["category"].to_numpy(),
            "subject": fu["subject"].to_numpy(),
            "real": fu["real"].to_numpy(),
            "is_fu": np.ones(n, dtype=bool),
            "trouble": np.zeros(n, dtype=bool),
            "organ_blank": rng.random(n) < 0.67,
            "pet": fu["pet"],
            "acc": fu["acc"],
            "related": rel,
        }

    # ------------------------------------------------------------ handling
    def _handle(self, year: int, it: dict, case_id: pl.Series):
        rng, p = self.rng, self.p
        n = it["cell"].shape[0]
        t = year - p.first_year
        recv = it["recv"]
        rday = recv.astype("datetime64[D]")
        cell = it["cell"]
        county = self.cell_county[cell]
        is_v = cell < self.V
        is_fu = it["is_fu"]
        real = it["real"]

        def at(day: np.ndarray) -> np.ndarray:
            return (
                day.astype("datetime64[s]")
                + rng.integers(8 * 3600 + 1800, 17 * 3600 + 1800, size=day.shape[0]) * SECOND
            )

        # acceptance and assignment
        late = rng.random(n) < 0.018
        acc_d = np.where(
            late, rng.integers(16, 36, size=n), np.minimum(rng.geometric(0.42, size=n) - 1, 14)
        )
        asg_d = acc_d + np.minimum(rng.geometric(0.6, size=n) - 1, 3)
        acc_day = self._on_or_after(rday + acc_d)
        asg_day = np.maximum(self._on_or_after(rday + asg_d), acc_day)
        asg_d = (asg_day - rday).astype(np.int64)
        acc_at = np.maximum(at(acc_day), recv + 600 * SECOND)
        asg_at = np.maximum(at(asg_day), acc_at + 300 * SECOND)
        vcell = np.where(is_v, cell, 0)
        ci = rng.integers(0, self.cad.county_leads.shape[1], size=n)
        cj = rng.integers(0, self.cad.county_resps.shape[1], size=n)
        lead = np.where(is_v, self.cad.village_lead[vcell], self.cad.county_leads[county, ci])
        major = it["trouble"] | (rng.random(n) < 0.04)
        lead = np.where(major, self.cad.county_leads[county, ci], lead)
        resp = np.where(is_v, self.cad.village_resp[vcell], self.cad.county_resps[county, cj])

        # leads and their disposition
        p_lead = LEAD_P[it["category"]] * np.where(real, 1.12, 0.85) * np.where(is_fu, 0.45, 1.0)
        is_lead = rng.random(n) < p_lead
        disp = np.where(is_lead, _pick(rng, DISP_P, n), -1)
        opened = is_lead & (rng.random(n) < OPEN_P[np.maximum(disp, 0)])

        # time to close: most first-time items within a month
        p_fast = np.where(is_fu, 0.86, np.where(is_lead, 0.9, 0.968))
        p_fast = np.where(it["trouble"], 0.8, p_fast)
        lo = asg_d + 1 + np.where(is_lead, 2, 0)
        fast = (rng.random(n) < p_fast) & (lo <= 28)
        span = np.maximum(30 - lo, 0)
        d_fast = lo + np.floor(rng.triangular(0.0, 0.55, 1.0, size=n) * (span + 1)).astype(np.int64)
        d_slow = np.maximum(31 + np.floor(rng.gamma(2.0, 16.0, size=n)).astype(np.int64), lo + 1)
        D = np.where(fast, np.minimum(d_fast, 30), np.minimum(d_slow, 240))
        back = self._on_or_before(rday + D)  # concluded on a working day
        cday = np.where(back > asg_day, back, self._on_or_after(rday + D))
        D = (cday - rday).astype(np.int64)
        c_at = at(cday)
        closed = c_at < self.cutoff
        ext = (D > 60) | ((D > 40) & (rng.random(n) < 0.3))
        ext_days = np.where(D > 75, 30, 15)
        ext_at = at(self._on_or_after(rday + np.maximum(asg_d + 1, rng.integers(40, 59, size=n))))
        ext = ext & (ext_at < c_at)

        disp_at = at(
            self._on_or_before(
                rday
                + asg_d
                + 1
                + np.floor(rng.random(n) * np.maximum(D - asg_d - 1, 1)).astype(np.int64)
            )
        )
        disp_at = np.maximum(np.minimum(disp_at, c_at - 600 * SECOND), asg_at + 300 * SECOND)
        open_at = (
            disp_at
            + np.floor(rng.random(n) * np.maximum((c_at - disp_at).astype(np.int64), 600)).astype(
                np.int64
            )
            * SECOND
        )
        c_at = np.maximum(c_at, np.where(opened, open_at, disp_at) + 300 * SECOND)
        # shelved leads reactivated on new evidence; some talks followed by verification
        reactivated = (disp == DISP["shelved"]) & (rng.random(n) < 0.2)
        react_at = at(self._on_or_after(cday + rng.integers(60, 300, size=n)))
        react_open = reactivated & (rng.random(n) < 0.5)
        react_open_at = react_at + rng.integers(5, 40, size=n) * DAY_S
        stepped = (disp == DISP["talk_inquiry"]) & (rng.random(n) < 0.05) & (D > 6)
        step_at = disp_at + np.maximum((c_at - disp_at) // 2, 300 * SECOND)

        # feedback to real-name petitioners, ratings, publication, cease, review
        u = rng.random(n)
        fb_k = np.where(u < 0.93, rng.integers(1, 14, size=n), rng.integers(16, 31, size=n))
        has_fb = real & (u < 0.975)
        fb_at = np.maximum(at(add_working_days(self.calendar, cday, fb_k)), c_at + 300 * SECOND)
        slow = D > 60
        sat = np.clip(0.6 + 0.05 * t * (3.0 / p.n_years), 0.5, 0.8)
        dis = (
            np.clip(0.11 - 0.025 * t * (3.0 / p.n_years), 0.04, 0.2)
            + np.where(slow, 0.15, 0.0)
            + np.where(is_fu, 0.08, 0.0)
        )
        ru = rng.random(n)
        rating = np.where(
            ru < dis,
            RATE["dissatisfied"],
            np.where(ru < dis + sat, RATE["satisfied"], RATE["basically_satisfied"]),
        )
        rated = real & closed & (rng.random(n) < 0.86)
        rate_at = np.where(
            has_fb,
            fb_at + rng.integers(0, 6, size=n) * DAY_S,
            c_at + rng.integers(3, 20, size=n) * DAY_S,
        )
        rating = np.where(rated, rating, -1)
        published = rng.random(n) < np.where(is_lead, 0.6, 0.28)
        pub_at = (cday + rng.integers(1, 11, size=n)).astype("datetime64[s]")
        ceased = rng.random(n) < CEASE_P[np.where(rating < 0, 3, rating)]
        cease_at = (cday + rng.integers(15, 90, size=n)).astype("datetime64[s]")
        review = closed & (
            ((rating == RATE["dissatisfied"]) & (rng.random(n) < 0.28)) | (rng.random(n) < 0.003)
        )
        review_at = np.where(has_fb, fb_at, c_at) + rng.integers(3, 29, size=n) * DAY_S
        re_review = review & (rng.random(n) < 0.25)
        re_review_at = review_at + rng.integers(31, 60, size=n) * DAY_S
        assisted = rng.random(n) < 0.035
        mid_at = (
            asg_at
            + np.floor(rng.random(n) * np.maximum((c_at - asg_at).astype(np.int64), 600)).astype(
                np.int64
            )
            * SECOND
        )
        reassigned = rng.random(n) < 0.03
        town = np.where(is_v, self.cell_town[cell], 0)
        alt_resp = np.where(
            is_v,
            self.cad.town_resps[town, rng.integers(0, self.cad.town_resps.shape[1], size=n)],
            self.cad.county_resps[county, rng.integers(0, self.cad.county_resps.shape[1], size=n)],
        )
        re_at = (
            asg_at
            + np.floor(
                rng.random(n) * np.maximum((c_at - asg_at).astype(np.int64) // 2, 600)
            ).astype(np.int64)
            * SECOND
        )

        office = self.cad.county_office_unit[county]
        case_office = self.cad.county_case_unit[county]
        resp_unit = self.cad.unit_index[resp]
        lead_unit = self.cad.unit_index[lead]
        ev = _Events()
        allm = np.ones(n, dtype=bool)
        none = np.full(n, -1)
        ev.add(allm, acc_at, EV["accepted"], none, office, 0)
        ev.add(allm, asg_at, EV["assigned"], lead, lead_unit, DET_ROLE + 0)
        ev.add(allm, asg_at + 60 * SECOND, EV["assigned"], resp, resp_unit, DET_ROLE + 1)
        ev.add(
            reassigned, re_at, EV["assigned"], alt_resp, self.cad.unit_index[alt_resp], DET_ROLE + 1
        )
        ev.add(
            ext,
            ext_at,
            EV["extended"],
            none,
            resp_unit,
            np.where(ext_days == 30, DET_DAYS["30"], DET_DAYS["15"]),
        )
        ev.add(is_lead, disp_at, EV["disposed"], none, case_office, DET_DISP + np.maximum(disp, 0))
        ev.add(
            stepped,
            step_at,
            EV["disposed"],
            none,
            case_office,
            DET_DISP + DISP["preliminary_verification"],
        )
        ev.add(opened, open_at, EV["case_opened"], none, case_office, 0)
        ev.add(assisted, mid_at, EV["assisted"], none, office, 0)
        ev.add(allm, c_at, EV["concluded"], none, resp_unit, 0)
        ev.add(closed & has_fb, fb_at, EV["feedback"], none, resp_unit, 0)
        ev.add(rated, rate_at, EV["rated"], none, office, DET_RATE + np.maximum(rating, 0))
        ev.add(closed & published, pub_at, EV["published"], none, resp_unit, 0, date_only=True)
        ev.add(closed & ceased, cease_at, EV["ceased"], none, resp_unit, 0, date_only=True)
        ev.add(review, review_at, EV["review_requested"], none, office, 0)
        ev.add(re_review, re_review_at, EV["re_review_requested"], none, office, 0)
        ev.add(
            closed & reactivated,
            react_at,
            EV["disposed"],
            none,
            case_office,
            DET_DISP + DISP["preliminary_verification"],
        )
        ev.add(closed & react_open, react_open_at, EV["case_opened"], none, case_office, 0)
        events = ev.frame(self, case_id, self.cutoff)
        return events, np.where(closed, rating, -1), np.where(closed, cday, np.datetime64("NaT")), D

    # ------------------------------------------------------------ coming back
    def _spawn(
        self,
        year: int,
        month: int,
        it: dict,
        case_id: pl.Series,
        rating: np.ndarray,
        cday: np.ndarray,
        D: np.ndarray,
    ) -> None:
        rng = self.rng
        n = it["cell"].shape[0]
        if n == 0:
            return
        dissatisfied = rating == RATE["dissatisfied"]
        mult = np.minimum(self.cell_mult[it["cell"]], 6.0)
        anonymous_acc = ~it["real"] & (it["category"] == CAT["accusation"])
        p_spawn = 0.006 + 0.006 * mult + 0.22 * dissatisfied + 0.008 * anonymous_acc
        spawn = np.flatnonzero(rng.random(n) < p_spawn)
        if spawn.size == 0:
            return
        m = spawn.size
        delay = (
            np.minimum(D[spawn], 120) + 5 + np.floor(rng.gamma(1.5, 40.0, size=m)).astype(np.int64)
        )
        delay = np.where(delay > 355, rng.integers(25, 355, size=m), np.maximum(delay, 20))
        rday = it["recv"][spawn].astype("datetime64[D]")
        day = rday + delay
        this_month = day.astype("datetime64[M]") == np.datetime64(f"{year}-{month:02d}")
        next_start = (np.datetime64(f"{year}-{month:02d}") + 1).astype("datetime64[D]")
        day = np.where(this_month, next_start + rng.integers(0, 10, size=m), day)
        escalate = rng.random(m) < np.where(dissatisfied[spawn], 0.22, 0.04)
        pet = it["pet"].gather(spawn)
        acc = it["acc"].gather(spawn)
        no_key = (pet.is_null() & acc.is_null()).to_numpy()
        with_related = (rng.random(m) < 0.5) | escalate | no_key
        frame = pl.DataFrame(
            {
                "parent_id": case_id.gather(spawn),
                "day": day,
                "cell": it["cell"][spawn],
                "pet": pet,
                "acc": acc,
                "subject": it["subject"][spawn],
                "category": it["category"][spawn],
                "real": it["real"][spawn],
                "rank": it["rank"][spawn],
                "escalate": escalate,
                "with_related": with_related,
            }
        )
        month_key = day.astype("datetime64[M]").astype(np.int64) - (self.p.first_year - 1970) * 12
        frame = frame.with_columns(pl.Series("key", month_key))
        last_key = self.p.n_years * 12
        for (k,), part in (
            frame.filter(pl.col("key") < last_key)
            .partition_by("key", as_dict=True, maintain_order=True)
            .items()
        ):
            self.queue.setdefault(int(k), []).append(part.drop("key"))

    # ------------------------------------------------------------ output
    def _cases_frame(self, it: dict, case_id: pl.Series) -> pl.DataFrame:
        cell = it["cell"]
        organ = cell >= self.V
        vcode = take(self.cell_code, np.where(organ & it["organ_blank"], -1, cell))
        return pl.DataFrame(
            [
                case_id,
                pl.Series("received_at", it["recv"].astype("datetime64[us]")),
                take(pl.Series(list(CHANNELS)), it["channel"]).alias("channel"),
                take(pl.Series(["direct", "referred"]), it["source"]).alias("source"),
                take(pl.Series(list(LEVELS)), it["plevel"]).alias("petition_level"),
                take(pl.Series(list(LEVELS)), it["jlevel"]).alias("jurisdiction_level"),
                take(pl.Series(list(YES_NO)), it["flag"]).alias("skip_level"),
                pl.Series("headcount", it["headcount"], dtype=pl.Int64),
                take(pl.Series(list(ABNORMAL)), it["abnormal"]).alias("abnormal_behaviour"),
                it["pet"].alias("petitioner_id"),
                it["acc"].alias("accused_id"),
                take(pl.Series(list(RANKS)), it["rank"]).alias("accused_rank"),
                take(pl.Series(list(CATEGORIES)), it["category"]).alias("category"),
                take(pl.Series(list(SUBJECTS)), it["subject"]).alias("subject_code"),
                pl.Series("real_name", np.where(it["real"], "yes", "no")),
                it["related"].alias("related_case_id"),
                vcode.alias("village_code"),
                pl.Series("_date_only", it["date_only"], dtype=pl.Boolean),
            ]
        )


class _Events:
    """Collects events as parallel arrays; one polars frame at the end."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, mask, at, etype, cadre, unit, detail, date_only: bool = False) -> None:
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            return

        def pick(v):
            return np.broadcast_to(v, mask.shape)[idx] if np.ndim(v) else np.full(idx.size, v)

        self.parts.append(
            (
                idx,
                at[idx],
                np.full(idx.size, etype),
                pick(cadre),
                pick(unit),
                pick(detail),
                np.full(idx.size, date_only),
            )
        )

    def frame(self, proc: Process, case_id: pl.Series, cutoff: np.datetime64) -> pl.DataFrame:
        if not self.parts:
            item = np.zeros(0, dtype=np.int64)
            cols = [item, np.zeros(0, "datetime64[s]"), item, item, item, item, np.zeros(0, bool)]
        else:
            cols = [np.concatenate([p[i] for p in self.parts]) for i in range(7)]
        item, at, etype, cadre, unit, detail, date_only = cols
        keep = at < cutoff
        item, at, etype, cadre, unit, detail, date_only = (
            c[keep] for c in (item, at, etype, cadre, unit, detail, date_only)
        )
        order = np.lexsort((etype, at, item))
        item, at, etype, cadre, unit, detail, date_only = (
            c[order] for c in (item, at, etype, cadre, unit, detail, date_only)
        )
        at = np.where(date_only, at.astype("datetime64[D]").astype("datetime64[s]"), at)
        return pl.DataFrame(
            [
                case_id.gather(item).alias("case_id"),
                take(pl.Series(list(EVENT_TYPES)), etype).alias("event_type"),
                pl.Series("event_at", at.astype("datetime64[us]")),
                take(proc.cadre_ids, cadre).alias("cadre_id"),
                take(proc.units, unit).alias("unit_name"),
                take(proc.details, np.where(detail == 0, -1, detail)).alias("detail"),
                pl.Series("_date_only", date_only, dtype=pl.Boolean),
            ]
        )


def _concat(a: dict, b: dict) -> dict:
    out = {}
    for k, v in a.items():
        if isinstance(v, pl.Series):
            out[k] = pl.concat([v, b[k].alias(v.name).cast(v.dtype)])
        else:
            out[k] = np.concatenate([v, b[k]])
    return out
