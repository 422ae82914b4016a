"""Write one demo drop: reference tables, then the items and their events year by year, chunk
by chunk (one month at a time), so memory stays bounded whatever the number of items."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.demo_data import cadres as cadres_mod
from pipelines.demo_data import geography
from pipelines.demo_data import nominations as nominations_mod
from pipelines.demo_data import registers as registers_mod
from pipelines.demo_data.formats import Sink, Style, open_sink, write_table
from pipelines.demo_data.geography import COMMUNITY, Geography
from pipelines.demo_data.process import Process
from pipelines.demo_data.profile import Profile
from pipelines.labels import from_files


@dataclass
class Written:
    name: str
    entity: str
    kind: str
    rows: int


@dataclass
class DropResult:
    out: Path
    profile: Profile
    files: list[Written] = field(default_factory=list)
    items_per_year: dict[int, int] = field(default_factory=dict)
    events: int = 0

    @property
    def items(self) -> int:
        return sum(self.items_per_year.values())

    def file(self, entity: str, year: int) -> Path:
        for w in self.files:
            if w.entity == entity and w.name.split(".")[0] == f"{entity}_{year}":
                return self.out / w.name
        raise KeyError((entity, year))


def county_styles(year_index: int) -> tuple[Style, Style]:
    """Three years, three export habits: a GB18030 CSV from an old registry, an Excel export,
    a UTF-8 CSV from the new system (its event history saved again by Excel, with a BOM)."""
    k = year_index % 3
    if k == 0:
        return (
            Style("csv", "gb18030", "zh", "zh", "%Y年%-m月%-d日", " %-H:%M", crlf=True),
            Style("csv", "gb18030", "zh", "zh", "%Y/%-m/%-d", " %-H:%M:%S", crlf=True),
        )
    if k == 1:
        return (
            Style(
                "xlsx",
                headers="zh",
                values="zh",
                excel_dates=True,
                relabel={"real_name": from_files().vocab_map("yes_no")},
            ),
            Style("xlsx", headers="zh", values="zh", date_fmt="%Y-%m-%d", time_fmt="T%H:%M"),
        )
    return (
        Style("csv", "utf-8", "en", "codes", "%Y-%m-%d", " %H:%M:%S"),
        Style("csv", "utf-8-sig", "zh", "zh", "%Y/%m/%d", " %H:%M"),
    )


def province_styles(year_index: int) -> tuple[Style, Style]:
    if year_index % 2 == 0:
        return (
            Style("csv", "utf-8", "en", "codes", "%Y-%m-%d", " %H:%M:%S"),
            Style("csv", "utf-8", "en", "codes", "%Y-%m-%d", "T%H:%M:%S"),
        )
    return Style("parquet"), Style("parquet")


def _ext(style: Style) -> str:
    return {"csv": ".csv", "xlsx": ".xlsx", "parquet": ".parquet"}[style.fmt]


def villages_frame(geo: Geography, profile: Profile, rng: np.random.Generator) -> pl.DataFrame:
    base = pl.DataFrame(
        {
            "village_code": [str(int(c)) for c in geo.village_code],
            "village_name": geo.village_name,
            "town_code": [str(int(geo.town_code[t])) for t in geo.village_town],
            "town_name": [geo.town_name[t] for t in geo.village_town],
            "kind": np.where(geo.village_kind == COMMUNITY, "community", "village"),
            "population": geo.population.astype(np.int64),
        }
    )
    if profile.kind != "county":
        return base
    # the county's register is delivered per year, populations drifting slightly
    growth = rng.normal(0.0, 0.008, size=geo.n_villages)
    frames = []
    for t, year in enumerate(profile.years):
        pop = np.maximum(1, np.round(geo.population * (1.0 + growth) ** t)).astype(np.int64)
        frames.append(
            base.with_columns(pl.Series("population", pop), pl.lit(year, pl.Int64).alias("year"))
        )
    return pl.concat(frames)


def cadres_frame(cad: cadres_mod.Cadres) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "cadre_id": cad.cadre_id,
            "cadre_name": cad.cadre_name,
            "unit_name": [cad.units[i] for i in cad.unit_index],
            "post": cad.post,
            "town_code": cad.town_code,
        },
        schema={
            "cadre_id": pl.String,
            "cadre_name": pl.String,
            "unit_name": pl.String,
            "post": pl.String,
            "town_code": pl.String,
        },
    )


def write_drop(
    out: Path,
    profile: Profile,
    total: int,
    seed: int,
    exclude_month: tuple[int, int] | None = None,
    advance: Callable[[int], None] | None = None,
) -> DropResult:
    rng = np.random.Generator(np.random.PCG64(seed))
    geo = geography.build(rng, profile)
    cad = cadres_mod.build(rng, geo, lean=profile.kind != "county")
    proc = Process(profile, geo, cad, rng, total)
    result = DropResult(out=out, profile=profile)
    county = profile.kind == "county"

    if county:
        vstyle = Style("xlsx", headers="zh", values="zh")
        cstyle = Style("csv", "utf-8", "zh", "zh")
    else:
        vstyle = Style("parquet")
        cstyle = Style("csv", "utf-8", "en", "codes")
    for entity, style, frame in (
        ("villages", vstyle, villages_frame(geo, profile, rng)),
        ("cadres", cstyle, cadres_frame(cad)),
    ):
        name = entity + _ext(style)
        rows = write_table(out / name, entity, style, frame)
        result.files.append(Written(name, entity, style.describe(), rows))

    open_sinks: list[Sink] = []
    handled: dict[int, Counter] = {}  # the county's nominations are drawn from these
    current_year: int | None = None
    sink_c = sink_e = None

    def close_year() -> None:
        for s in open_sinks:
            s.close()
            result.files.append(Written(s.path.name, s.entity, s.style.describe(), s.rows))
        open_sinks.clear()

    try:
        for chunk in proc.run():
            if chunk.year != current_year:
                close_year()
                current_year = chunk.year
                yi = chunk.year - profile.first_year
                cs, es = county_styles(yi) if county else province_styles(yi)
                sink_c = open_sink(out / f"cases_{chunk.year}{_ext(cs)}", "cases", cs)
                open_sinks.append(sink_c)
                sink_e = open_sink(out / f"case_events_{chunk.year}{_ext(es)}", "case_events", es)
                open_sinks.append(sink_e)
                result.items_per_year.setdefault(chunk.year, 0)
            cases, events = chunk.cases, chunk.events
            n = cases.height
            if exclude_month == (chunk.year, chunk.month):
                cases, events = cases.head(0), events.head(0)
            assert sink_c is not None and sink_e is not None
            sink_c.write(cases)
            sink_e.write(events)
            result.items_per_year[chunk.year] += cases.height
            result.events += events.height
            if county:
                handled.setdefault(chunk.year, Counter()).update(nominations_mod.assigned_counts(events))
            if advance is not None:
                advance(n)
        close_year()
    except BaseException:
        for s in open_sinks:
            s.abort()
        raise
    if county:  # an extra file: the files above stay as they were
        name = "nominations.csv"
        style = Style("csv", "utf-8", "zh", "zh")
        frame = nominations_mod.nominations_frame(seed, cad, handled)
        rows = write_table(out / name, "nominations", style, frame)
        result.files.append(Written(name, "nominations", style.describe(), rows))
        years = sorted(handled)
        for entity, frame in (  # the working registers (issue 11), from their own streams
            ("surveys", registers_mod.surveys_frame(seed, geo, years)),
            ("information_adoptions", registers_mod.adoptions_frame(seed, years)),
        ):
            name = f"{entity}.csv"
            rows = write_table(out / name, entity, style, frame)
            result.files.append(Written(name, entity, style.describe(), rows))
    return result
