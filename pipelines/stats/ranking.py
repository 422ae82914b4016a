"""Rank units year by year from their screened indicators (`screening.screen_units`).

Within a year only units with enough information are ranked (K of them); the others keep
null ranks, probabilities and composite. For the ranked units the posteriors of the ranked
indicators go through the Monte Carlo of `ranks.monte_carlo_ranks`, seeded from
(mc_seed, year, unit type) so every year's result is reproducible on its own. An indicator
with no data at all in a year (no denominators) is left out of that year's composite and
the remaining weights renormalise.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

import numpy as np
import polars as pl

from pipelines.stats.ranks import BETA, Posterior, monte_carlo_ranks
from pipelines.stats.screening import IndicatorDefinition

RANKED_SCHEMA: dict[str, pl.DataType] = {
    "unit_id": pl.String(),
    "year": pl.Int32(),
    "is_insufficient_data": pl.Boolean(),
    "ranked_units": pl.Int64(),
    "composite_score": pl.Float64(),
    "rank_median": pl.Int64(),
    "rank_low": pl.Int64(),
    "rank_high": pl.Int64(),
    "p_top_decile": pl.Float64(),
    "p_bottom_decile": pl.Float64(),
}


def _seed(base: int, year: int, unit_type: str) -> list[int]:
    return [int(base), int(year), zlib.crc32(unit_type.encode("utf-8"))]


def _posterior(rows: pl.DataFrame, definition: IndicatorDefinition) -> Posterior:
    family = rows["posterior_family"][0]
    shape1 = rows["posterior_shape1"].cast(pl.Float64).fill_null(np.inf).to_numpy()
    shape2 = rows["posterior_shape2"].cast(pl.Float64).fill_null(np.inf).to_numpy()
    mean = rows["eb_estimate"].cast(pl.Float64).to_numpy()
    offset = None
    if family == BETA:
        offset = rows["logit_offset"].cast(pl.Float64).fill_null(0.0).to_numpy()
    scale = definition.scale if family != BETA else 1.0
    return Posterior(family, shape1, shape2, mean, offset, scale)


def rank_units(screened: pl.DataFrame, insufficient: pl.DataFrame,
               definitions: list[IndicatorDefinition], parameters: Mapping[str, float],
               unit_type: str) -> pl.DataFrame:
    """RANKED_SCHEMA rows for every unit × year of `insufficient` (unit_id, year,
    is_insufficient_data)."""
    ranked_defs = [d for d in definitions if d.is_ranked]
    draws = int(parameters.get("mc_draws", 1000))
    base_seed = int(parameters.get("mc_seed", 0))
    interval = float(parameters.get("rank_interval", 0.90))
    decile = float(parameters.get("decile", 0.10))
    floor = float(parameters.get("composite_floor", 0.01))
    frames = []
    for year in sorted(insufficient["year"].unique().to_list()):
        labels = insufficient.filter(pl.col("year") == year).sort("unit_id")
        sufficient_ids = labels.filter(~pl.col("is_insufficient_data"))["unit_id"].to_list()
        units = len(sufficient_ids)
        result = {
            "unit_id": labels["unit_id"].to_list(),
            "year": [int(year)] * labels.height,
            "is_insufficient_data": labels["is_insufficient_data"].to_list(),
            "ranked_units": [units] * labels.height,
        }
        empty: list[object] = [None] * labels.height
        for name in ("composite_score", "rank_median", "rank_low", "rank_high", "p_top_decile",
                     "p_bottom_decile"):
            result[name] = list(empty)
        if units:
            year_rows = screened.filter(
                (pl.col("year") == year) & pl.col("unit_id").is_in(sufficient_ids)
            )
            posteriors, specs = [], []
            for definition in ranked_defs:
                rows = year_rows.filter(pl.col("indicator") == definition.indicator).sort("unit_id")
                if rows.height != units or rows["eb_estimate"].null_count() == units:
                    continue
                if rows["eb_estimate"].null_count():
                    raise ValueError(f"{definition.indicator} {year}: some EB estimates missing")
                posteriors.append(_posterior(rows, definition))
                specs.append(definition.spec(floor))
            if posteriors:
                summary = monte_carlo_ranks(posteriors, specs, draws=draws,
                                            seed=_seed(base_seed, year, unit_type),
                                            interval=interval, decile=decile)
                position = {u: i for i, u in enumerate(sufficient_ids)}
                for row, unit in enumerate(result["unit_id"]):
                    i = position.get(unit)
                    if i is None:
                        continue
                    result["composite_score"][row] = float(summary.composite[i])
                    result["rank_median"][row] = int(summary.rank_median[i])
                    result["rank_low"][row] = int(summary.rank_low[i])
                    result["rank_high"][row] = int(summary.rank_high[i])
                    result["p_top_decile"][row] = float(summary.p_top_decile[i])
                    result["p_bottom_decile"][row] = float(summary.p_bottom_decile[i])
        frames.append(pl.DataFrame(result, schema=RANKED_SCHEMA))
    if not frames:
        return pl.DataFrame(schema=RANKED_SCHEMA)
    return pl.concat(frames, how="vertical")
