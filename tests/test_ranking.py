"""Rankings on the demo drop (issue 4): every ranking column filled for ranked units, thin
villages labelled instead of ranked, ordered rank intervals, probabilities in [0, 1], and an
independent recomputation from the marts' own counts — petitions_per_1k_eb exactly (CONTRACT
§5), the insufficient-data labels, and every funnel position — plus the decisions and
their evidence."""

from __future__ import annotations

import csv
import math

import numpy as np
import polars as pl
import pytest
from scipy.stats import binom, chi2, norm, poisson

from pipelines.paths import SEEDS_DIR
from pipelines.warehouse import connect
from tests.support import THIN_TOWN  # the thin villages' town (conftest `demo_build`)

VILLAGE_RATES = {  # indicator → numerator column of fct_village_year (per resident)
    "petitions_per_1k": "petitions",
    "repeat_petitions_per_1k": "repeat_petitions",
    "skip_level_petitions_per_1k": "skip_level_petitions",
    "collective_petitions_per_1k": "collective_petitions",
    "abnormal_petitions_per_1k": "abnormal_petitions",
}
VILLAGE_PROPORTIONS = ("first_time_closure_rate", "satisfaction_rate")
CADRE_INDICATORS = ("on_time_rate", "ceased_rate", "satisfaction_rate", "repeats_per_closed",
                    "escalations_per_item")
RANK_COLUMNS = ("composite_score", "rank_median", "rank_low", "rank_high", "p_top_decile",
                "p_bottom_decile")
POSITIONS = {"within", "above_95", "above_998", "below_95", "below_998"}


def mart(sql: str) -> pl.DataFrame:
    with connect(require_build=True) as con:
        return con.sql(sql).pl()


def seed_value(name: str, key: str, key_column: str = "parameter") -> float:
    with open(SEEDS_DIR / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return next(float(r["value"]) for r in csv.DictReader(fh) if r[key_column] == key)


def ranking_columns(indicators) -> list[str]:
    return [f"{i}_{suffix}" for i in indicators for suffix in ("eb", "z", "funnel")]


# ----------------------------------------------------------------------------- filled, ordered


@pytest.mark.parametrize("table, indicators", [
    ("fct_village_year", (*VILLAGE_RATES, *VILLAGE_PROPORTIONS)),
    ("fct_cadre_year", CADRE_INDICATORS),
])
def test_every_ranking_column_is_filled_for_ranked_units(ranked_demo, table, indicators):
    frame = mart(f"select * from marts.{table}")
    ranked = frame.filter(~pl.col("is_insufficient_data"))
    assert ranked.height > 0
    for column in (*ranking_columns(indicators), *RANK_COLUMNS, "ranked_units"):
        assert ranked[column].null_count() == 0, column
    for column in ranking_columns(indicators):
        if column.endswith("_funnel"):
            assert set(frame[column].unique()) <= POSITIONS
    unranked = frame.filter(pl.col("is_insufficient_data"))
    for column in RANK_COLUMNS:
        assert unranked[column].null_count() == unranked.height, column
    assert (ranked["rank_low"] <= ranked["rank_median"]).all()
    assert (ranked["rank_median"] <= ranked["rank_high"]).all()
    assert (ranked["rank_low"] >= 1).all() and (ranked["rank_high"] <= ranked["ranked_units"]).all()
    for column in ("p_top_decile", "p_bottom_decile"):
        assert ranked[column].is_between(0, 1).all()
    per_year = ranked.group_by("year").agg(
        pl.len().alias("k"), pl.col("ranked_units").first(), pl.col("p_top_decile").sum(),
        pl.col("p_bottom_decile").sum(),
    )
    for row in per_year.iter_rows(named=True):
        decile = math.ceil(0.1 * row["k"] - 1e-9)
        assert row["ranked_units"] == row["k"]
        # every draw puts exactly ⌈0.1K⌉ units in each decile
        assert row["p_top_decile"] == pytest.approx(decile, abs=1e-6)
        assert row["p_bottom_decile"] == pytest.approx(decile, abs=1e-6)


def test_thin_villages_are_labelled_not_ranked(ranked_demo):
    thin = mart(f"select * from marts.fct_village_year where town_code = '{THIN_TOWN}'")
    assert thin.height == 3 * 3  # three villages × three years
    assert thin["is_insufficient_data"].all()
    for column in RANK_COLUMNS:
        assert thin[column].null_count() == thin.height
    # …but they still have their EB estimates and funnel positions (pulled to the county).
    assert thin["petitions_per_1k_eb"].null_count() == 0
    assert (thin["petitions_per_1k_eb_weight"] < 0.2).all()


# ----------------------------------------------------------------------------- recomputation


def marshall(events: list[float], residents: list[float]) -> tuple[list[float], list[float]]:
    """CONTRACT §5, written out again: m, s², N̄, A, w and 1000·(m + w(O/N − m))."""
    k = len(residents)
    total = sum(residents)
    m = sum(events) / total
    s2 = sum(n * (o / n - m) ** 2 for o, n in zip(events, residents, strict=True)) / total
    a = max(0.0, s2 - m / (total / k))
    weights = [a / (a + m / n) if a > 0 else 0.0 for n in residents]
    estimates = [1000 * (m + w * (o / n - m))
                 for o, n, w in zip(events, residents, weights, strict=True)]
    return estimates, weights


def test_petitions_per_1k_eb_and_insufficient_labels_recomputed(ranked_demo):
    frame = mart("select * from marts.fct_village_year order by year, village_code")
    min_weight = seed_value("ranking_parameters", "min_eb_weight")
    for (year,), group in frame.group_by(["year"], maintain_order=True):
        estimates, weights = marshall(group["petitions"].cast(pl.Float64).to_list(),
                                      group["population"].cast(pl.Float64).to_list())
        np.testing.assert_allclose(group["petitions_per_1k_eb"].to_numpy(), estimates,
                                   rtol=1e-12, atol=0, err_msg=str(year))
        np.testing.assert_allclose(group["petitions_per_1k_eb_weight"].to_numpy(), weights,
                                   rtol=1e-12, atol=1e-15)
        expected = [w < min_weight for w in weights]
        assert group["is_insufficient_data"].to_list() == expected


def test_cadre_insufficient_labels_recomputed(ranked_demo):
    frame = mart("select cases_assigned, is_insufficient_data from marts.fct_cadre_year")
    minimum = seed_value("ranking_parameters", "min_cadre_items")
    assert (frame["is_insufficient_data"] == (frame["cases_assigned"] < minimum)).all()
    assert frame["is_insufficient_data"].any() and not frame["is_insufficient_data"].all()


def _positions(kind: str, observed: np.ndarray, n: np.ndarray, theta0: float
               ) -> tuple[list[str], np.ndarray]:
    """An independent reading of the funnel (Spiegelhalter 2005, ranking-methods.md §2):
    z on the stabilising scale, 10% winsorised φ, χ² test, DerSimonian–Laird τ²; with τ² > 0
    the position is |z_adj| against 1.96 / 3.09, else the exact one-sided tail test of the
    count (P(X ≥ O) at most, or P(X ≤ O) below, 2.5% / 0.1%), the same as the interpolated limits read
    with the one-count convention."""
    has = n > 0
    if kind == "rate":
        expected = theta0 * n
        has = has & (expected > 0)
        diff = np.where(has, np.sqrt(np.divide(observed, expected, where=has, out=np.ones_like(n)))
                        - 1, np.nan)
        se = np.where(has, 1 / (2 * np.sqrt(np.where(has, expected, 1))), np.nan)
    else:
        y = np.divide(observed, n, where=has, out=np.zeros_like(n))
        diff = np.where(has, np.arcsin(np.sqrt(y)) - np.arcsin(np.sqrt(theta0)), np.nan)
        se = np.where(has, 1 / (2 * np.sqrt(np.where(has, n, 1))), np.nan)
    z = diff[has] / se[has]
    if z.size == 0:  # nothing observed or nothing expected (θ₀ = 0): nothing can stand out
        return ["within"] * n.size, np.zeros(n.size)
    low, high = np.percentile(z, [10, 90])
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    units = z.size
    tau2 = 0.0
    if units * phi > chi2.ppf(0.95, units - 1):
        w = 1 / se[has] ** 2
        tau2 = max(0.0, (units * phi - (units - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    out = []
    z_adj = np.where(has, diff / np.sqrt(se**2 + tau2), 0.0)
    for i in range(n.size):
        if not has[i]:
            out.append("within")
            continue
        if tau2 > 0:
            zi = z_adj[i]
            for name, cut in (("above_998", norm.ppf(0.999)), ("above_95", norm.ppf(0.975))):
                if zi > cut:
                    out.append(name)
                    break
            else:
                if zi < -norm.ppf(0.999):
                    out.append("below_998")
                elif zi < -norm.ppf(0.975):
                    out.append("below_95")
                else:
                    out.append("within")
            continue
        o = round(float(observed[i]))
        if kind == "rate":
            upper, lower = poisson.sf(o - 1, theta0 * n[i]), poisson.cdf(o, theta0 * n[i])
        else:
            upper, lower = binom.sf(o - 1, n[i], theta0), binom.cdf(o, n[i], theta0)
        if upper <= 0.001:
            out.append("above_998")
        elif upper <= 0.025:
            out.append("above_95")
        elif lower < 0.001:
            out.append("below_998")
        elif lower < 0.025:
            out.append("below_95")
        else:
            out.append("within")
    return out, z_adj


def test_village_funnel_positions_recomputed_from_the_marts_counts(ranked_demo):
    frame = mart("select * from marts.fct_village_year order by year, village_code")
    checked = 0
    for (year,), group in frame.group_by(["year"], maintain_order=True):
        population = group["population"].cast(pl.Float64).to_numpy()
        cases = {
            name: ("rate", group[column].cast(pl.Float64).to_numpy(), population)
            for name, column in VILLAGE_RATES.items()
        }
        due = group["first_time_due"].cast(pl.Float64).to_numpy()
        rated = group["rated"].cast(pl.Float64).to_numpy()
        cases["first_time_closure_rate"] = (
            "proportion", group["first_time_closed_within_30d"].cast(pl.Float64).to_numpy(), due)
        cases["satisfaction_rate"] = (
            "proportion", np.round(group["satisfaction_rate"].fill_null(0).to_numpy() * rated, 9),
            rated)
        for indicator, (kind, observed, n) in cases.items():
            theta0 = observed.sum() / n.sum()
            expected, z = _positions(kind, observed, n, theta0)
            got = group[f"{indicator}_funnel"].to_list()
            mismatched = [i for i, (a, b) in enumerate(zip(expected, got, strict=True)) if a != b]
            assert not mismatched, (year, indicator, [(expected[i], got[i]) for i in mismatched])
            np.testing.assert_allclose(group[f"{indicator}_z"].to_numpy(), z, atol=1e-9)
            checked += len(got)
    assert checked == frame.height * 7


def test_every_screened_position_lies_within_its_limits_definition(ranked_demo):
    # Villages and cadres (cadre targets come from their case mix): each stored position
    # agrees with the stored limits — strict comparisons of the value under τ² limits, and
    # with the exact limits a count O is beyond the upper limit when (O − 1)/n reaches it.
    frames = []
    with connect(require_build=True) as con:
        for table in ("int_village_indicators_screened", "int_cadre_indicators_screened"):
            frames.append(con.sql(f"select * from intermediate.{table}").pl())
    screened = pl.concat(frames)
    value_scale = pl.when(pl.col("family") == "rate").then(pl.col("scale")).otherwise(1.0)
    high_value = pl.when(pl.col("is_overdispersed")).then(pl.col("funnel_value")).otherwise(
        (pl.col("observed") - 1) / pl.col("exposure") * value_scale)
    exact = ~pl.col("is_overdispersed")
    recomputed = screened.with_columns(
        pl.when((high_value > pl.col("limit_998_high"))
                | (exact & (high_value >= pl.col("limit_998_high")))).then(pl.lit("above_998"))
        .when((high_value > pl.col("limit_95_high"))
              | (exact & (high_value >= pl.col("limit_95_high")))).then(pl.lit("above_95"))
        .when(pl.col("funnel_value") < pl.col("limit_998_low")).then(pl.lit("below_998"))
        .when(pl.col("funnel_value") < pl.col("limit_95_low")).then(pl.lit("below_95"))
        .otherwise(pl.lit("within")).alias("expected")
    )
    bad = recomputed.filter(pl.col("expected") != pl.col("funnel_position"))
    assert bad.height == 0, bad.select("unit_id", "year", "indicator", "funnel_position",
                                       "expected").head()
    assert (screened["limit_998_low"] <= screened["limit_95_low"]).fill_null(True).all()
    assert (screened["limit_95_high"] <= screened["limit_998_high"]).fill_null(True).all()


def test_ranks_reproduce_from_the_screened_posteriors(ranked_demo):
    from pipelines.seeds import read_seed
    from pipelines.stats.ranking import rank_units
    from pipelines.stats.screening import parameters_from_rows, read_definitions

    with connect(require_build=True) as con:
        screened = con.sql("select * from intermediate.int_village_indicators_screened").pl()
        stored = con.sql("select village_code as unit_id, year, rank_median, rank_low, "
                         "rank_high, p_top_decile, p_bottom_decile, is_insufficient_data "
                         "from marts.fct_village_year order by year, unit_id").pl()
    definitions = read_definitions(read_seed("ranking_indicators"), "village")
    parameters = parameters_from_rows(read_seed("ranking_parameters"))
    labels = stored.select("unit_id", pl.col("year").cast(pl.Int32), "is_insufficient_data")
    again = rank_units(screened, labels, definitions, parameters, "village").sort(
        "year", "unit_id")
    for column in ("rank_median", "rank_low", "rank_high", "p_top_decile", "p_bottom_decile"):
        assert again[column].to_list() == stored[column].to_list(), column


# ----------------------------------------------------------------------------- decisions


def test_model_village_list_is_the_standard_without_under_registration(ranked_demo):
    villages = mart("select * from marts.fct_village_year")
    listed = mart("select year, village_code, list_order from marts.fct_model_village_list")
    expected = villages.filter(pl.col("is_meets_standard") & ~pl.col("is_under_registration_signal"))
    assert set(zip(listed["year"], listed["village_code"], strict=True)) == set(
        zip(expected["year"], expected["village_code"], strict=True))
    assert (villages["is_model_village"] == (
        villages["is_meets_standard"] & ~villages["is_under_registration_signal"])).all()
    for (year,), group in listed.group_by(["year"]):
        assert sorted(group["list_order"].to_list()) == list(range(1, group.height + 1))


def test_under_registration_flags_carry_the_numbers_that_raised_them(ranked_demo):
    flags = mart("select * from marts.fct_under_registration_flags")
    villages = mart("select year, village_code, is_under_registration_signal "
                    "from marts.fct_village_year where is_under_registration_signal")
    assert flags.height == villages.height
    minimum = seed_value("ranking_parameters", "under_registration_min_above_items")
    for row in flags.iter_rows(named=True):
        assert row["above_county_petitions"] >= minimum
        assert row["above_county_petitions_per_1k"] > row["above_county_limit"] - 1e-12 or (
            (row["above_county_petitions"] - 1) * 1000 / row["population"]
            > row["above_county_limit"])
        assert row["above_county_petitions_per_1k_funnel"] in ("above_95", "above_998")
        assert row["local_petitions_per_1k_eb"] <= row["county_local_petitions_per_1k"] + 1e-12


def test_accountability_flags_are_persistent_and_beyond_998(ranked_demo):
    flags = mart("select * from marts.fct_accountability_flags")
    assert flags.height > 0  # the demo has a village well above the county two years running
    for row in flags.iter_rows(named=True):
        bad = "above_998" if row["direction"] == "lower" else "below_998"
        assert row["funnel_position"] == bad and row["funnel_position_prev_year"] == bad
        assert row["years_beyond"] >= 2
        if row["direction"] == "lower":
            assert row["value"] > row["limit_998"] and row["value_prev_year"] > row[
                "limit_998_prev_year"]
        else:
            assert row["value"] < row["limit_998"]
    counted = flags.group_by("unit_type", "unit_id", "year").len()
    villages = mart("select village_code as unit_id, year, accountability_flags "
                    "from marts.fct_village_year where accountability_flags > 0")
    assert villages["accountability_flags"].sum() == counted.filter(
        pl.col("unit_type") == "village")["len"].sum()


def test_advanced_candidates_follow_the_seed_rules(ranked_demo):
    cadres = mart("select * from marts.fct_cadre_year")
    candidates = mart("select * from marts.fct_cadre_candidates")
    threshold = seed_value("candidate_eligibility", "min_p_top_decile", "rule")
    most = seed_value("candidate_eligibility", "max_candidates", "rule")
    assert (candidates["p_top_decile"] >= threshold).all()
    for (year,), group in candidates.group_by(["year"]):
        assert group.height <= most
        ordered = group.sort("candidate_order")
        assert ordered["p_top_decile"].to_list() == sorted(ordered["p_top_decile"], reverse=True)
    eligible_above = cadres.filter(pl.col("is_candidate_eligible")
                                   & (pl.col("p_top_decile") >= threshold))
    assert candidates.height == min(eligible_above.height, candidates.height)
    assert set(candidates["cadre_id"]) <= set(eligible_above["cadre_id"])
    assert cadres.filter(pl.col("is_advanced_candidate")).height == candidates.height
