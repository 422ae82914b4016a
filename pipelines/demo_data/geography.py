"""Counties, towns and villages with populations and an underlying petition-rate multiplier.

Codes follow the national statistical division codes: county 320982, town 320982101,
community 320982101001, village 320982101201.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.demo_data import names
from pipelines.demo_data.profile import Profile

VILLAGE, COMMUNITY = 0, 1
COUNTY_CODE = 320982
COUNTY_POPULATION = 720_000
# Neighbouring and farther counties, as birthplace prefixes of ID numbers of people from elsewhere.
OTHER_REGIONS = np.array(
    [
        320902,
        320903,
        320921,
        320922,
        320923,
        320924,
        320925,
        320981,
        321002,
        320602,
        320102,
        321283,
        340104,
        370102,
        310104,
        410105,
    ],
    dtype=np.int64,
)


@dataclass
class Geography:
    county_code: np.ndarray  # (C,) int, 6 digits
    county_name: list[str]
    town_code: np.ndarray  # (T,) int, 9 digits
    town_name: list[str]
    town_county: np.ndarray  # (T,) county index
    village_code: np.ndarray  # (V,) int, 12 digits
    village_name: list[str]
    village_town: np.ndarray  # (V,) town index
    village_kind: np.ndarray  # (V,) VILLAGE | COMMUNITY
    population: np.ndarray  # (V,) int
    mult: np.ndarray  # (V,) underlying rate multiplier, mean about 1
    hot: np.ndarray  # (V,) bool

    @property
    def n_villages(self) -> int:
        return int(self.village_code.shape[0])

    @property
    def n_counties(self) -> int:
        return int(self.county_code.shape[0])

    @property
    def village_county(self) -> np.ndarray:
        return self.town_county[self.village_town]


def _populations(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    """Villages: a few hundred to several thousand residents; communities (town seats) larger."""
    n = kind.shape[0]
    median = np.where(kind == COMMUNITY, 4200.0, 2300.0)
    pop = median * np.exp(rng.normal(0.0, 0.5, size=n))
    return np.clip(pop, 320, 12_000)


def _multipliers(
    rng: np.random.Generator, profile: Profile, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Gamma-distributed underlying rates (so villages really differ) and a few hot spots."""
    shape = 5.0
    mult = rng.gamma(shape, 1.0 / shape, size=n)
    n_hot = max(1, round(profile.hot_share * n))
    hot_idx = rng.choice(n, size=n_hot, replace=False)
    hot = np.zeros(n, dtype=bool)
    hot[hot_idx] = True
    lo, hi = profile.hot_multiplier
    mult[hot_idx] = np.maximum(mult[hot_idx], 1.0) * rng.uniform(lo, hi, size=n_hot)
    return mult, hot


def _villages_of_town(
    rng: np.random.Generator, town_code: int, n_communities: int, n_villages: int
) -> tuple[list[int], list[str], list[int]]:
    taken: set[str] = set()
    comm = names.unique_place_names(
        rng, n_communities, names.PLACE_FIRST, names.PLACE_SECOND, "社区", taken
    )
    vill = names.unique_place_names(
        rng, n_villages, names.PLACE_FIRST, names.PLACE_SECOND, "村", taken
    )
    codes = [town_code * 1000 + 1 + i for i in range(n_communities)]
    codes += [town_code * 1000 + 201 + i for i in range(n_villages)]
    kinds = [COMMUNITY] * n_communities + [VILLAGE] * n_villages
    return codes, comm + vill, kinds


def _assemble(
    rng: np.random.Generator,
    profile: Profile,
    county_codes: list[int],
    county_names: list[str],
    towns: list[tuple[int, str, int]],
    village_rows: list[tuple[int, str, int, int]],
) -> Geography:
    kind = np.array([r[3] for r in village_rows], dtype=np.int8)
    pop = _populations(rng, kind)
    mult, hot = _multipliers(rng, profile, kind.shape[0])
    return Geography(
        county_code=np.array(county_codes, dtype=np.int64),
        county_name=county_names,
        town_code=np.array([t[0] for t in towns], dtype=np.int64),
        town_name=[t[1] for t in towns],
        town_county=np.array([t[2] for t in towns], dtype=np.int64),
        village_code=np.array([r[0] for r in village_rows], dtype=np.int64),
        village_name=[r[1] for r in village_rows],
        village_town=np.array([r[2] for r in village_rows], dtype=np.int64),
        village_kind=kind,
        population=pop,
        mult=mult,
        hot=hot,
    )


def county(rng: np.random.Generator, profile: Profile) -> Geography:
    """14 towns and about 280 villages and communities, about 720,000 residents."""
    n_towns = 14
    taken: set[str] = set()
    town_names = names.unique_place_names(
        rng, n_towns, names.TOWN_FIRST, names.TOWN_SECOND, "镇", taken
    )
    towns: list[tuple[int, str, int]] = []
    rows: list[tuple[int, str, int, int]] = []
    for t in range(n_towns):
        code = COUNTY_CODE * 1000 + 101 + t
        towns.append((code, town_names[t], 0))
        n_comm = int(rng.integers(1, 4))
        n_vill = int(rng.integers(15, 22))
        codes, vnames, kinds = _villages_of_town(rng, code, n_comm, n_vill)
        rows += [(c, nm, t, k) for c, nm, k in zip(codes, vnames, kinds)]
    geo = _assemble(rng, profile, [COUNTY_CODE], ["县"], towns, rows)
    # scale to the county's registered population
    geo.population = np.maximum(
        300, np.round(geo.population * COUNTY_POPULATION / geo.population.sum())
    ).astype(np.int64)
    return geo


def province(rng: np.random.Generator, profile: Profile) -> Geography:
    """13 prefectures, about 100 counties, 1,400 towns and 20,000 villages and communities."""
    county_codes: list[int] = []
    county_names: list[str] = []
    towns: list[tuple[int, str, int]] = []
    rows: list[tuple[int, str, int, int]] = []
    county_taken: set[str] = set()
    for city in range(1, 14):
        n_counties = int(rng.integers(7, 10))
        cnames = names.unique_place_names(
            rng, n_counties, names.PLACE_FIRST, names.TOWN_SECOND, "县", county_taken
        )
        for k in range(n_counties):
            ccode = 320000 + city * 100 + 2 + k
            c_idx = len(county_codes)
            county_codes.append(ccode)
            county_names.append(cnames[k])
            n_towns = int(rng.integers(11, 18))
            town_taken: set[str] = set()
            tnames = names.unique_place_names(
                rng, n_towns, names.TOWN_FIRST, names.TOWN_SECOND, "镇", town_taken
            )
            for t in range(n_towns):
                tcode = ccode * 1000 + 101 + t
                t_idx = len(towns)
                towns.append((tcode, tnames[t], c_idx))
                n_comm = int(rng.integers(1, 4))
                n_vill = int(rng.integers(8, 17))
                codes, vnames, kinds = _villages_of_town(rng, tcode, n_comm, n_vill)
                rows += [(c, nm, t_idx, kd) for c, nm, kd in zip(codes, vnames, kinds)]
    geo = _assemble(rng, profile, county_codes, county_names, towns, rows)
    geo.population = np.round(geo.population).astype(np.int64)
    return geo


def build(rng: np.random.Generator, profile: Profile) -> Geography:
    return county(rng, profile) if profile.kind == "county" else province(rng, profile)
