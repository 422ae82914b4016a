"""The dbt marts agree, value for value, with an independent implementation of CONTRACT §3–§4
(tests/reference/contract.py, written from the contract text alone) on random drops that
nobody tuned the models to: edges of every definition, two seeds, default and explicit as_of."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest

from pipelines.build import build_warehouse
from pipelines.ingest import ingest_paths
from pipelines.warehouse import connect
from tests.reference.contract import load_lake, reference_marts
from tests.reference.random_drop import write_random_drop

KEYS = {
    "fct_cases": ["case_id"],
    "fct_village_month": ["village_code", "month_start"],
    "fct_village_year": ["village_code", "year"],
    "fct_one_low_four_controls": ["scope_type", "scope_code", "year"],
    "fct_handling_performance": ["scope_type", "scope_code", "year"],
    "fct_cadre_year": ["cadre_id", "year"],
}


def published(mart: str, columns: list[str]) -> pl.DataFrame:
    with connect(require_build=True) as con:
        return con.sql(f"select {', '.join(columns)} from marts.{mart}").pl()


def differences(mart: str, ours: pl.DataFrame, theirs: pl.DataFrame) -> list[str]:
    keys = KEYS[mart]
    ours = ours.sort(keys)
    theirs = theirs.sort(keys)
    problems = []
    if ours.height != theirs.height:
        only_ours = ours.join(theirs, on=keys, how="anti").select(keys).head(5).to_dicts()
        only_theirs = theirs.join(ours, on=keys, how="anti").select(keys).head(5).to_dicts()
        return [f"{mart}: {ours.height} rows vs reference {theirs.height}; only dbt {only_ours}, only reference {only_theirs}"]
    for column in theirs.columns:
        a, b = ours.get_column(column).to_list(), theirs.get_column(column).to_list()
        for i, (x, y) in enumerate(zip(a, b)):
            same = (x is None and y is None) or (
                x is not None and y is not None
                and (math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) if isinstance(y, float) else x == y)
            )
            if not same:
                key = {k: ours.get_column(k)[i] for k in keys}
                problems.append(f"{mart}.{column} at {key}: dbt {x!r}, reference {y!r}")
                break
    return problems


@pytest.mark.parametrize("seed,as_of", [(11, None), (23, "2012-03-10")])
def test_marts_match_the_independent_reference(tmp_path, monkeypatch, seed, as_of):
    monkeypatch.setenv("XINFANG_HOME", str(tmp_path / "home"))
    drop = tmp_path / "drop"
    write_random_drop(drop, seed=seed, n_cases=400)
    assert ingest_paths([drop], quiet=True).exit_code == 0
    build_warehouse(as_of=as_of)
    expected = reference_marts(load_lake(), as_of=date.fromisoformat(as_of) if as_of else None)
    problems = []
    for mart in KEYS:
        theirs = expected[mart]
        assert theirs.height > 0, mart
        problems += differences(mart, published(mart, theirs.columns), theirs)
    assert not problems, "\n".join(problems)
