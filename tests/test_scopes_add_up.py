"""CONTRACT §4 "Scopes add up": in every mart with a scope, for every count column and every
period, the county equals the sum of its towns and the two no-town scopes (县直 county_level,
未落地 unknown_village). Summed here in Python from the published demo build, independently
of the warehouse's own gate (expectations/_scopes.py)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from pipelines.warehouse import connect

MARTS = {
    "fct_one_low_four_controls": "year",
    "fct_handling_performance": "year",
    "fct_scope_month": "month_start",
}


@pytest.mark.parametrize("mart", sorted(MARTS))
def test_county_is_the_sum_of_its_scopes(mart: str, ranked_demo: Path) -> None:
    period = MARTS[mart]
    with connect(require_build=True) as con:
        counts = [name for (name, kind, *_) in con.sql(f"describe marts.{mart}").fetchall()
                  if kind in ("BIGINT", "INTEGER") and name != period]
        rows = con.sql(f"select * from marts.{mart}").pl().to_dicts()
    assert "petitions" in counts and len(counts) >= 6
    kinds = {(r["scope_type"], r["scope_code"]) for r in rows}
    assert {("no_town", "county_level"), ("no_town", "unknown_village")} <= kinds
    county: dict[object, dict[str, int]] = {}
    summed: dict[object, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        if r["scope_type"] == "county":
            county[r[period]] = r
        else:
            for c in counts:
                summed[r[period]][c] += r[c] or 0
    assert county and set(county) == set(summed)
    for key, row in county.items():
        for c in counts:
            assert (row[c] or 0) == summed[key][c], (mart, key, c)


def test_the_demo_has_county_level_and_unknown_village_items(ranked_demo: Path) -> None:
    """The demo drop carries both kinds of no-town item in every year (its 2011: 153 items
    without a village code and 80 with the county's own code, 320982000000)."""
    with connect(require_build=True) as con:
        rows = con.sql(
            "select scope_code, year, petitions from marts.fct_one_low_four_controls "
            "where scope_type = 'no_town' order by year, scope_code").fetchall()
        towns_2011 = con.sql(
            "select sum(petitions) from marts.fct_one_low_four_controls "
            "where scope_type = 'town' and year = 2011").fetchall()[0][0]
    by = {(code, year): n for code, year, n in rows}
    assert by[("county_level", 2011)] == 153 + 80
    assert by[("county_level", 2011)] + by[("unknown_village", 2011)] + towns_2011 == 1023
