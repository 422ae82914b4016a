"""The office's working registers (issue 11): satisfaction surveys of 党务投诉公开 and the
information adopted by a higher level (信息采用). Drawn from generators of their own, so the
other files of the drop are unchanged.

Calibrated by the generating process, not by written-in totals, to the county's article:
about 296 adoptions over 2009–2011 (a Poisson number each month, mean 296 / 36) and a
satisfaction of about 92.6% (each survey's respondents drawn, its satisfied drawn
binomially with p = 0.926).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import polars as pl

from pipelines.demo_data.geography import Geography

SURVEY_STREAM = 1101  # the surveys' own random stream beside the drop's seed
ADOPTION_STREAM = 1102  # the adoptions' own random stream
SATISFIED_P = 0.926  # chance a respondent is satisfied
RESPONDENTS = (40, 120)  # per survey, both ends included
COUNTY_SURVEYS = 2  # county-wide surveys a year (one per half-year)
ADOPTIONS_PER_MONTH = 296 / 36
LEVELS = {"city": 0.55, "province": 0.35, "central": 0.10}
KINDS = {"information": 0.8, "practice": 0.2}
TITLES = (  # invented wording; names no one
    "{year}年信访工作动态",
    "镇村两级矛盾纠纷排查化解做法",
    "党务投诉公开工作经验",
    "信访积案化解工作情况",
    "和谐信访示范村居创建情况",
)


def surveys_frame(seed: int, geo: Geography, years: list[int]) -> pl.DataFrame:
    """Each year: the county-wide surveys and one survey in each town of the first county."""
    rng = np.random.Generator(np.random.PCG64([seed, SURVEY_STREAM]))
    towns = [str(int(code)) for code, county in zip(geo.town_code, geo.town_county, strict=True)
             if county == 0]
    rows: list[dict] = []
    for year in years:
        scopes = ["county"] * COUNTY_SURVEYS + towns
        for i, scope in enumerate(scopes):
            respondents = int(rng.integers(RESPONDENTS[0], RESPONDENTS[1] + 1))
            month = 6 if scope == "county" and i == 0 else int(rng.integers(1, 13))
            if scope == "county" and i == 1:
                month = 12
            rows.append({
                "survey_id": f"DC{year}{i + 1:03d}",
                "year": year,
                "surveyed_on": datetime(year, month, int(rng.integers(1, 29))),
                "scope": scope,
                "respondents": respondents,
                "satisfied": int(rng.binomial(respondents, SATISFIED_P)),
            })
    return pl.DataFrame(rows, schema={
        "survey_id": pl.String, "year": pl.Int64, "surveyed_on": pl.Datetime("us"),
        "scope": pl.String, "respondents": pl.Int64, "satisfied": pl.Int64,
    }).with_columns(pl.lit(True).alias("_date_only"))


def adoptions_frame(seed: int, years: list[int]) -> pl.DataFrame:
    """A Poisson number of adoptions each month, each with a level, a kind and a title."""
    rng = np.random.Generator(np.random.PCG64([seed, ADOPTION_STREAM]))
    rows: list[dict] = []
    for year in years:
        n_year = 0
        for month in range(1, 13):
            for _ in range(int(rng.poisson(ADOPTIONS_PER_MONTH))):
                n_year += 1
                level = str(rng.choice(list(LEVELS), p=list(LEVELS.values())))
                kind = str(rng.choice(list(KINDS), p=list(KINDS.values())))
                title = TITLES[int(rng.integers(len(TITLES)))].format(year=year)
                rows.append({
                    "adoption_id": f"XX{year}{n_year:04d}",
                    "adopted_on": datetime(year, month, int(rng.integers(1, 29))),
                    "adopting_level": level,
                    "kind": kind,
                    "title": title,
                })
    return pl.DataFrame(rows, schema={
        "adoption_id": pl.String, "adopted_on": pl.Datetime("us"), "adopting_level": pl.String,
        "kind": pl.String, "title": pl.String,
    }).with_columns(pl.lit(True).alias("_date_only"))
