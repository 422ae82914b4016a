"""Verdicts that agree with the statistics (issue 10, part 4).

A red badge only where the figure misses its target and its 95% interval says the miss is
real; otherwise amber 待观察 with the reason; a met target green (pipelines.stats.verdicts).
A year-over-year change with a zero on one side shown as counts ("6 → 0"). Every target in a
seed. Sentences under the rankings whose numbers are counted here again from the marts.

Worked values are by hand or from an independent formula (scipy's binomial tail: the exact
interval excludes a value exactly when the one-sided exact test at 2.5% rejects it)."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import pytest
from scipy.stats import binom

from pipelines.paths import SEEDS_DIR
from pipelines.stats import verdicts
from pipelines.stats.rates import binomial_ci, rate_ratio_ci
from pipelines.stats.verdicts import (
    CHANGE_NOT_SIGNIFICANT,
    FEW_ITEMS,
    GAP_NOT_SIGNIFICANT,
    MET,
    MISSED,
    UNKNOWN,
    WATCH,
    change_verdict,
    rate_verdict,
    summarise_ranking,
)
from tests.support import as_text, find


def seed_rows(name: str) -> list[dict[str, str]]:
    with open(SEEDS_DIR / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def seed_value(name: str, key: str, key_column: str = "parameter") -> float:
    return next(float(r["value"]) for r in seed_rows(name) if r[key_column] == key)


def badges(component: Any) -> list[Any]:
    """Every badge in a rendered tree."""
    if isinstance(component, list | tuple):
        return [b for child in component for b in badges(child)]
    found = [component] if type(component).__name__ == "Badge" else []
    children = getattr(component, "children", None)
    if children is not None and not isinstance(children, str):
        found += badges(children)
    return found


def badge_of(card: Any) -> tuple[str, str]:
    (badge,) = badges(card)
    return badge.children, badge.color


# ---------------------------------------------------------------------------------------------
# The exact binomial interval
# ---------------------------------------------------------------------------------------------


def test_binomial_interval_worked_values() -> None:
    # Clopper & Pearson's textbook values: 5 of 10 → 0.187–0.813.
    low, high = binomial_ci(5, 10)
    assert low == pytest.approx(0.1871, abs=5e-5) and high == pytest.approx(0.8129, abs=5e-5)
    # 0 of 10: the upper limit solves (1 − p)^10 = 0.025, so p = 1 − 0.025^(1/10) = 0.3085.
    assert binomial_ci(0, 10) == (0.0, pytest.approx(1 - 0.025 ** 0.1))
    # 10 of 10: the lower limit solves p^10 = 0.025.
    assert binomial_ci(10, 10) == (pytest.approx(0.025 ** 0.1), 1.0)
    assert binomial_ci(0, 0) is None
    with pytest.raises(ValueError):
        binomial_ci(4, 3)


@pytest.mark.parametrize("x, n", [(657, 704), (4, 186), (2, 3), (890, 943)])
def test_binomial_interval_limits_are_the_exact_tails(x: int, n: int) -> None:
    """The limits are where each one-sided binomial tail is 2.5% (scipy's binomial, not the
    Beta quantiles the code uses)."""
    low, high = binomial_ci(x, n)
    assert binom.sf(x - 1, n, low) == pytest.approx(0.025, abs=1e-9)  # P(X ≥ x | low)
    assert binom.cdf(x, n, high) == pytest.approx(0.025, abs=1e-9)  # P(X ≤ x | high)


# ---------------------------------------------------------------------------------------------
# The rule
# ---------------------------------------------------------------------------------------------


def test_rates_against_a_target() -> None:
    # 4 repeat visits of 186 against "at most 2%": 2.2% misses, but P(X ≥ 4 | 2%) = 0.52,
    # so the interval reaches 2%: to watch, the gap is not significant.
    assert binom.sf(3, 186, 0.02) > 0.025
    verdict = rate_verdict(4, 186, 0.02, "max", 10)
    assert (verdict.status, verdict.reason) == (WATCH, GAP_NOT_SIGNIFICANT)
    assert verdict.low < 0.02 < verdict.high
    # 0 of 10 against "at least 95%": P(X ≤ 0 | 95%) = 0.05^10 ≈ 1e-13: a real miss.
    assert rate_verdict(0, 10, 0.95, "min", 10).status == MISSED
    # 2 of 3 against "at least 95%": P(X ≤ 2 | 95%) = 1 − 0.95³ = 0.143: too few to tell.
    assert 1 - 0.95 ** 3 > 0.025
    verdict = rate_verdict(2, 3, 0.95, "min", 10)
    assert (verdict.status, verdict.reason) == (WATCH, FEW_ITEMS)
    # 701 ceased of 978 closed against "at least 80%": P(X ≤ 701 | 80%) is tiny: real.
    assert binom.cdf(701, 978, 0.80) < 1e-9
    assert rate_verdict(701, 978, 0.80, "min", 10).status == MISSED
    # 657 of 704 on time against 95%: P(X ≤ 657 | 95%) just above 2.5%: to watch.
    assert binom.cdf(657, 704, 0.95) > 0.025
    assert rate_verdict(657, 704, 0.95, "min", 10).reason == GAP_NOT_SIGNIFICANT
    # Met stays met, however few the items; no target or no items: nothing to judge.
    assert rate_verdict(1, 1, 0.95, "min", 10).status == MET
    assert rate_verdict(0, 1, 0.01, "max", 10).status == MET
    assert rate_verdict(3, 4, None, None, 10).status == UNKNOWN
    assert rate_verdict(0, 0, 0.95, "min", 10).status == UNKNOWN
    # A weighted numerator may be fractional (satisfaction with "basically" below 1).
    assert rate_verdict(8.5, 10, 0.90, "min", 10).status == WATCH


def test_year_over_year_controls() -> None:
    # 33 → 39 repeat items: above last year; 39 | 72 ~ Bin(72, ½) under no change and
    # P(X ≥ 39) = 0.28 > 2.5%, so the rate-ratio interval includes 1: to watch.
    assert binom.sf(38, 72, 0.5) > 0.025
    rise = rate_ratio_ci(39, 33)
    assert rise.low < 1 < rise.high
    verdict = change_verdict(False, rise.low > 1, 39, 33, 10)
    assert (verdict.status, verdict.reason) == (WATCH, CHANGE_NOT_SIGNIFICANT)
    # 30 → 60: P(X ≥ 60 | 90, ½) = 0.0009: a real rise, red.
    assert binom.sf(59, 90, 0.5) < 0.025
    assert rate_ratio_ci(60, 30).low > 1
    assert change_verdict(False, True, 60, 30, 10).status == MISSED
    # 2 → 3: five items over the two years, under 10: too few items.
    assert change_verdict(False, False, 3, 2, 10).reason == FEW_ITEMS
    # At or below last year: controlled; no previous year: nothing to judge.
    assert change_verdict(True, False, 6, 6, 10).status == MET
    assert change_verdict(None, False, 6, None, 10).status == UNKNOWN


def test_ranking_summary_by_hand() -> None:
    # Five units: one too thin to rank, four ranked with P(top 10%) 0.05, 0.39, 0.85, 0.81.
    flags = [True, False, False, False, False]
    probabilities = [None, 0.05, 0.39, 0.85, 0.81]
    summary = summarise_ranking(flags, probabilities, threshold=0.8)
    assert summary == verdicts.RankingSummary(ranked=4, unranked=1, confidence=0.85,
                                              reaching=2)
    assert summarise_ranking([True, True], [None, None], 0.8).confidence is None
    assert summarise_ranking([False], [0.3]).reaching == 0


# ---------------------------------------------------------------------------------------------
# The cards, on hand-made rows (labels from the seed files: nothing is published)
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def page_modules(xinfang_home: Path):
    from dashboards.app import create_app

    create_app()
    from dashboards.pages import handling, overview

    return overview, handling


TARGETS = {r["indicator"]: {**r, "target_value": float(r["target_value"])
                            if r["target_value"] else None}
           for r in seed_rows("dashboard_targets")}


def change_row(indicator: str, count: int, prev: int) -> dict[str, Any]:
    """A row of fct_indicator_change for counts `prev` → `count`, from rate_ratio_ci."""
    ci = rate_ratio_ci(count, prev)
    minus = (lambda v: None if v is None else v - 1)
    return {"indicator": indicator, "count": count, "count_prev_year": prev,
            "rate_ratio": ci.ratio, "rate_ratio_low": ci.low, "rate_ratio_high": ci.high,
            "change": minus(ci.ratio), "change_low": minus(ci.low),
            "change_high": minus(ci.high),
            "is_significant_fall": ci.high is not None and ci.high < 1,
            "is_significant_rise": ci.low is not None and ci.low > 1}


def repeat_card(overview: Any, prev: int, count: int, lang: str = "zh") -> Any:
    """The overview's repeat-items card for `prev` → `count` (the flag as the mart sets it)."""
    row = {"repeat_petitions": count, "repeat_petitions_prev_year": prev,
           "is_repeat_controlled": count <= prev}
    return overview.indicator_card("repeat_petitions", row,
                                   change_row("repeat_petitions", count, prev),
                                   TARGETS["repeat_petitions"], 10, lang)


def test_a_rise_that_is_not_significant_is_amber_not_red(page_modules) -> None:
    overview, _ = page_modules
    card = repeat_card(overview, 33, 39)
    assert badge_of(card) == ("待观察 · 变化不显著", "warning")
    assert "同比判定" in badges(card)[0].title  # the badge's tooltip states the rule
    # The same kind of rise on more items is real: red.
    assert badge_of(repeat_card(overview, 30, 60)) == ("未控制", "danger")
    # 2 → 3: too few items; in English too.
    assert badge_of(repeat_card(overview, 2, 3, "en")) == ("To watch · Too few items", "warning")
    assert badge_of(repeat_card(overview, 33, 33)) == ("已控制", "success")


def test_a_change_from_or_to_zero_is_shown_as_counts(page_modules) -> None:
    from dashboards import figures

    overview, _ = page_modules
    changes = [change_row("collective_petitions", 0, 6), change_row("abnormal_petitions", 3, 0),
               change_row("repeat_petitions", 39, 33)]
    row = {"collective_petitions": 0, "collective_petitions_prev_year": 6,
           "is_collective_controlled": True, "abnormal_petitions": 3,
           "abnormal_petitions_prev_year": 0, "is_abnormal_controlled": False}
    card = overview.indicator_card("collective_petitions", row, changes[0],
                                   TARGETS["collective_petitions"], 10, "zh")
    text = as_text(card)
    assert "同比 6 → 0" in text and "−100" not in text and "∞" not in text
    assert "95%区间 " not in text  # no interval of percentages reaching −100%
    assert "显著下降" in text  # 6 → 0 is a significant fall: P(X = 0 | 6, ½) = 1/64 < 2.5%
    assert 0.5 ** 6 < 0.025 and badge_of(card) == ("已控制", "success")
    card = overview.indicator_card("abnormal_petitions", row, changes[1],
                                   TARGETS["abnormal_petitions"], 10, "zh")
    text = as_text(card)
    assert "同比 0 → 3" in text and "+∞" not in text and "95%区间 " not in text
    assert badge_of(card) == ("待观察 · 件数过少", "warning")

    figure = figures.rate_ratio_forest(changes, ["repeat_petitions", "collective_petitions",
                                                 "abnormal_petitions"], "zh")
    counted = [t for t in figure.data if t.mode == "text"]
    assert len(counted) == 1 and set(counted[0].text) == {"6 → 0", "0 → 3"}
    assert set(counted[0].x) == {1.0}
    drawn = [x for t in figure.data if t.mode != "text" for x in t.x]
    assert all(x is not None and 0 < x < 10 for x in drawn)  # no 0, no unbounded end
    lines = [t for t in figure.data if t.mode == "lines"]
    assert [t.y[0] for t in lines] == ["重复信访"]


def test_repeat_visit_share_and_handling_rates(page_modules) -> None:
    overview, handling = page_modules
    row = {"repeat_visit_share": 4 / 186, "visits": 186, "repeat_visits": 4}
    card = overview.share_card(row, TARGETS["repeat_visit_share"], 10, "zh")
    assert badge_of(card) == ("待观察 · 差距不显著", "warning")
    assert "95%区间 0.6%–5.4%" in as_text(card)  # Clopper–Pearson for 4 of 186
    assert binomial_ci(4, 186) == (pytest.approx(0.00589, abs=5e-5),
                                   pytest.approx(0.05414, abs=5e-5))

    # A town with 3 real-name items due for feedback, 2 on time: 66.7% against 95%.
    town = {"feedback_on_time_rate": 2 / 3, "feedback_on_time": 2, "feedback_due": 3,
            "ceased_rate": 701 / 978, "ceased": 701, "closed": 978,
            "satisfaction_rate": 0.85, "satisfaction_score": 17.0, "rated": 20}
    out = handling.rate_cards(town, None, TARGETS, 10, "zh")
    assert badge_of(find(out, "hq-card-feedback_on_time_rate")) == ("待观察 · 件数过少", "warning")
    assert badge_of(find(out, "hq-card-ceased_rate")) == ("未达标", "danger")
    # 17 of 20 satisfied against 90%: P(X ≤ 17 | 90%) = 0.32: to watch.
    assert binom.cdf(17, 20, 0.9) > 0.025
    assert badge_of(find(out, "hq-card-satisfaction_rate")) == ("待观察 · 差距不显著", "warning")
    assert "目标判定" in as_text(find(out, "hq-verdict-rule"))
    assert not badges(find(out, "hq-card-case_conversion_rate"))  # monitored, no target


def test_every_handling_rate_has_a_target_or_says_why_not() -> None:
    """Every rate on the handling page has a target in the seed, or a note saying it is only
    monitored; the ceased rate has one. No target is spelled in the code."""
    from dashboards.pages import handling

    for rate, _, _ in handling.RATES:
        target = TARGETS[rate]
        if target["target_value"] is None:
            assert target["direction"] == "" and target["note_zh"] and target["note_en"], rate
        else:
            assert target["direction"] in ("min", "max") and 0 < target["target_value"] < 1
    assert TARGETS["ceased_rate"]["direction"] == "min"
    assert TARGETS["ceased_rate"]["target_value"] is not None
    assert seed_value("dashboard_parameters", "verdict_min_items") > 0


# ---------------------------------------------------------------------------------------------
# On the demo warehouse: every card's verdict, and the sentences under the rankings
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def demo_pages(demo_warehouse: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XINFANG_HOME", str(demo_warehouse))
    from dashboards.app import create_app

    create_app()
    from dashboards.pages import cadres, handling, overview, villages

    return overview, handling, villages, cadres


def mart(sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    from pipelines.warehouse import connect

    with connect(require_build=True) as con:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def expected_change_color(count: int, prev: int) -> str:
    """Green at or below last year; red when P(X ≥ count | count + prev, ½) < 2.5% (the
    exact conditional test that the rate-ratio interval inverts); amber otherwise."""
    if count <= prev:
        return "success"
    return "danger" if binom.sf(count - 1, count + prev, 0.5) < 0.025 else "warning"


def expected_rate_color(x: float, n: int, target: float, direction: str) -> str:
    """Green when met; red when the one-sided exact test rejects the target at 2.5%."""
    value = x / n
    if (value >= target) if direction == "min" else (value <= target):
        return "success"
    tail = binom.cdf(round(x), n, target) if direction == "min" else binom.sf(round(x) - 1, n,
                                                                              target)
    return "danger" if tail < 0.025 else "warning"


@pytest.mark.parametrize("year, scope", [(2011, "county"), (2010, "county"),
                                         (2011, "320982103"), (2011, "320982112")])
def test_overview_cards_agree_with_an_exact_test(demo_pages, year: int, scope: str) -> None:
    overview = demo_pages[0]
    out = overview.update_content(year, scope, "zh")
    scope_type = "county" if scope == "county" else "town"
    (row,) = mart("select * from marts.fct_one_low_four_controls where scope_type = ? "
                  "and scope_code = ? and year = ?", [scope_type, scope, year])
    for code in ("petitions", "repeat_petitions", "skip_level_petitions",
                 "collective_petitions", "abnormal_petitions"):
        count, prev = row[code], row[f"{code}_prev_year"]
        text, color = badge_of(find(out, f"ov-card-{code}"))
        assert color == expected_change_color(count, prev), (code, count, prev, text)
        if color == "warning":
            assert text.endswith("件数过少" if count + prev < 10 else "变化不显著")
        if count == 0 or prev == 0:
            assert f"{prev:,} → {count:,}" in as_text(find(out, f"ov-card-{code}"))
    x, n = row["repeat_visits"], row["visits"]
    target = TARGETS["repeat_visit_share"]
    text, color = badge_of(find(out, "ov-card-repeat_visit_share"))
    assert color == expected_rate_color(x, n, target["target_value"], target["direction"]), \
        (x, n, text)


def test_the_demo_county_2011_has_no_red_badge_on_a_not_significant_change(demo_pages) -> None:
    """The case of the issue: repeat items 33 → 39 (interval −28% ~ +94%, 变化不显著) and
    repeat visits 4 of 186 (2.2% against 2%) were red; both are amber now."""
    overview = demo_pages[0]
    out = overview.update_content(2011, "county", "zh")
    assert badge_of(find(out, "ov-card-repeat_petitions")) == ("待观察 · 变化不显著", "warning")
    assert badge_of(find(out, "ov-card-repeat_visit_share")) == ("待观察 · 差距不显著",
                                                                 "warning")
    assert "同比 6 → 0" in as_text(find(out, "ov-card-collective_petitions"))
    counted = [t for t in find(out, "ov-forest").figure.data if t.mode == "text"]
    assert [list(t.text) for t in counted] == [["6 → 0"]]


@pytest.mark.parametrize("year", [2010, 2011])
def test_handling_cards_agree_with_an_exact_test(demo_pages, year: int) -> None:
    handling = demo_pages[1]
    out = handling.update_content(year, "county", "zh")
    (row,) = mart("select * from marts.fct_handling_performance where scope_type = 'county' "
                  "and year = ?", [year])
    judged = 0
    for rate, numerator, denominator in handling.RATES:
        target = TARGETS[rate]
        card = find(out, f"hq-card-{rate}")
        if target["target_value"] is None:
            assert not badges(card), rate
            continue
        n, x = row[denominator], row[numerator]
        assert x / n == pytest.approx(row[rate])
        text, color = badge_of(card)
        assert color == expected_rate_color(x, n, target["target_value"], target["direction"]), \
            (rate, x, n, text)
        judged += 1
    assert judged == 7


def test_ranking_sentences_count_what_the_marts_hold(demo_pages) -> None:
    _, _, villages, cadres = demo_pages
    decile = seed_value("ranking_parameters", "decile")
    threshold = seed_value("candidate_eligibility", "min_p_top_decile", "rule")
    min_items = seed_value("ranking_parameters", "min_cadre_items")
    min_weight = seed_value("ranking_parameters", "min_eb_weight")

    rows = mart("select cases_assigned, is_insufficient_data, p_top_decile "
                "from marts.fct_cadre_year where year = 2011")
    ranked = [r for r in rows if r["cases_assigned"] >= min_items]
    unranked = [r for r in rows if r["cases_assigned"] < min_items]
    assert [r["is_insufficient_data"] for r in unranked] == [True] * len(unranked)
    best = max(r["p_top_decile"] for r in ranked)
    reaching = sum(1 for r in ranked if r["p_top_decile"] >= threshold)
    assert reaching == 0 and len(ranked) == 75 and len(unranked) == 93  # as in the issue
    pct = f"{100 * best:.0f}%"
    for town in ("", "320982102"):  # the sentences speak of the whole county's ranking
        summary = as_text(find(cadres.update_content(2011, town, "zh"), "cd-ranking-summary"))
        assert (f"全县 {len(ranked)} 名干部参与排名；区分把握 {pct}"
                f"（最可能位列前{decile:.0%}者的概率）；无人达到 {threshold:.0%} 的候选门槛") \
            in summary
        assert f"{len(unranked)} 名干部未排名：包保件数少于 {min_items:.0f} 件" in summary
        assert "区分把握：在 1,000 次模拟排名中" in summary  # the definition, stated
    english = as_text(find(cadres.update_content(2011, "", "en"), "cd-ranking-summary"))
    assert f"Cadres ranked county-wide: {len(ranked)}; separation confidence {pct}" in english
    assert f"Cadres not ranked: {len(unranked)}, with fewer than {min_items:.0f} items" in english

    rows = mart("select v.is_insufficient_data, v.p_top_decile, v.petitions_per_1k_eb_weight "
                "from marts.fct_village_year as v where year = 2011")
    thin = [r for r in rows if r["petitions_per_1k_eb_weight"] < min_weight]
    ranked = [r for r in rows if r["petitions_per_1k_eb_weight"] >= min_weight]
    assert [r["is_insufficient_data"] for r in thin] == [True] * len(thin) and len(thin) == 3
    best = max(r["p_top_decile"] for r in ranked)
    summary = as_text(find(villages.update_content(2011, "", "petitions_per_1k", "zh"),
                           "vr-ranking-summary"))
    assert f"全县 {len(ranked)} 个村居参与排名；区分把握 {100 * best:.0f}%" in summary
    assert f"{len(thin)} 个村居未排名：每千人信访量的经验贝叶斯权重低于 {min_weight:g}" in summary
    assert not math.isnan(best)
