"""The demo county end to end: demo drop → ingest → build → publish, then the promises of
issues 2 and 3 on it: a second ingest changes nothing, no raw identity anywhere under
$XINFANG_HOME, every file's rows add up, and the marts reproduce the article's figures."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines import audit, paths
from pipelines.build import build_warehouse
from pipelines.ingest import ingest_paths
from pipelines.ingest.read import detect_encoding
from pipelines.warehouse import connect
from tests.support import THIN_TOWN, THIN_VILLAGES_FILE

ID_OR_PHONE = re.compile(r"\d{17}[\dXx]|1[3-9]\d{9}")


@pytest.fixture()
def demo(demo_build, ranked_demo):
    """The session's demo warehouse (conftest `demo_build`), $XINFANG_HOME pointed at it for
    one test (`ranked_demo`): read it, don't change it."""
    return {"home": demo_build.home, "inbox": demo_build.inbox, "build": demo_build.build_id}


def counts_of_every_table() -> dict[str, int]:
    with connect(require_build=True) as con:
        tables = con.sql(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('staging', 'marts') order by all"
        ).fetchall()
        return {f"{s}.{t}": con.sql(f'select count(*) from {s}."{t}"').fetchall()[0][0] for s, t in tables}


def mart(name: str) -> pl.DataFrame:
    with connect(require_build=True) as con:
        return con.sql(f"select * from marts.{name} order by all").pl()


def test_every_file_adds_up(demo):
    ledger = audit.read("load_ledger")
    # the demo's 11 files (cases, events, villages, cadres, nominations, the two registers) and
    # the thin villages' one (conftest `demo_build`)
    assert ledger.height == 11 + 1 and set(ledger["status"]) == {"loaded"}
    thin = ledger.filter(pl.col("file_name").str.ends_with("/" + THIN_VILLAGES_FILE))
    assert thin["rows_loaded"].to_list() == [3]
    assert (ledger["rows_read"] == ledger["rows_loaded"] + ledger["rows_quarantined"]).all()
    assert ledger.filter(pl.col("entity") == "cases")["rows_loaded"].sum() == 3600


def test_second_ingest_loads_nothing_and_counts_stay(demo_build, demo_home_copy):
    # this test ingests and builds again: on a copy of the session's demo warehouse
    demo = {"home": demo_home_copy, "inbox": demo_build.inbox, "build": demo_build.build_id}
    before_counts = counts_of_every_table()
    before_cases = mart("fct_cases")
    before_lake = sorted(p.relative_to(demo["home"]) for p in (demo["home"] / "lake").rglob("*.parquet"))
    assert before_counts["marts.fct_cases"] == 3600 and before_counts["staging.stg_lake__cases"] == 3600
    result = ingest_paths([demo["inbox"]], quiet=True)
    assert {f.status for f in result.files} == {"duplicate"}
    assert sum(f.rows_loaded for f in result.files) == 0
    after_lake = sorted(p.relative_to(demo["home"]) for p in (demo["home"] / "lake").rglob("*.parquet"))
    assert after_lake == before_lake
    second = build_warehouse()
    assert second != demo["build"]
    assert counts_of_every_table() == before_counts
    assert mart("fct_cases").equals(before_cases)


def raw_identities(inbox: Path) -> set[str]:
    found: set[str] = set()
    for f in inbox.iterdir():
        if f.suffix == ".csv":
            text = f.read_bytes().decode(detect_encoding(f).replace("-sig", ""), errors="replace")
        else:
            import fastexcel

            text = fastexcel.read_excel(str(f)).load_sheet(0, dtypes="string").to_polars().write_csv()
        found |= {m.upper() for m in ID_OR_PHONE.findall(text)}
    return found


def tokens_in(text: str) -> set[str]:
    return {m.upper() for m in ID_OR_PHONE.findall(text)}


def test_no_raw_identity_anywhere_under_home(demo):
    needles = raw_identities(demo["inbox"])
    assert len(needles) > 1000  # the demo's ID numbers and phone numbers
    leaks: dict[str, set[str]] = {}
    for f in demo["home"].rglob("*"):
        if not f.is_file():
            continue
        hit = tokens_in(f.read_bytes().decode("latin-1")) & needles
        if f.suffix == ".parquet":
            hit |= tokens_in(pl.read_parquet(f).write_csv()) & needles
        if f.suffix == ".duckdb":
            con = duckdb.connect(str(f), read_only=True)
            try:
                for schema, table in con.sql(
                    "select table_schema, table_name from information_schema.tables "
                    "where table_type = 'BASE TABLE'"
                ).fetchall():
                    text = con.sql(f'select * from "{schema}"."{table}"').pl().write_csv()
                    hit |= tokens_in(text) & needles
            finally:
                con.close()
        if hit:
            leaks[str(f)] = hit
    assert leaks == {}


def test_demo_reproduces_the_articles_figures(demo):
    county = mart("fct_handling_performance").filter(pl.col("scope_type") == "county").sort("year")
    controls = mart("fct_one_low_four_controls").filter(pl.col("scope_type") == "county").sort("year")
    leads, opened = county["leads"].sum(), county["cases_opened"].sum()
    assert 426 * 0.95 <= leads <= 426 * 1.05
    assert 143 * 0.95 <= opened <= 143 * 1.05
    assert controls["repeat_visits"].sum() / controls["visits"].sum() < 0.02
    closure = county["first_time_closed_within_30d"].sum() / county["first_time_due"].sum()
    assert 0.93 <= closure <= 0.97
    assert county["shelved"].sum() / county["petitions"].sum() < 0.01
    # the demo's own villages (the session warehouse adds THIN_VILLAGES_CSV's, in THIN_TOWN)
    villages_2011 = mart("fct_village_year").filter(
        (pl.col("year") == 2011) & (pl.col("town_code") != THIN_TOWN))
    assert villages_2011.height == 274
    assert villages_2011["is_meets_standard"].mean() >= 0.95
    # 畅信疏访: letters outnumber visits, with a rising share; real-name share rising
    assert (county["letters"] > county["visits"]).all()
    letter_share = (county["letters"] / county["petitions"]).to_list()
    assert letter_share == sorted(letter_share)
    assert county["real_name_share"].to_list() == sorted(county["real_name_share"].to_list())
    for column in ("skip_level_petitions", "collective_petitions", "abnormal_petitions"):
        series = controls[column].to_list()
        assert series == sorted(series, reverse=True) and series[-1] < series[0], column
    assert controls["is_low_running"].to_list()[1:] == [True, True]


@pytest.mark.characterisation
def test_readme_worked_example_prints_the_documented_figures(demo_home_copy):
    """Characterisation: the README's "warehouse" column was copied from this query's output
    on a demo build. They are the plain demo's figures, so the thin villages the session
    warehouse adds are first taken out of the only mart of the query they change
    (fct_village_year), in a copy of the published build."""
    from pipelines import build
    from pipelines.warehouse import query_frame

    db = build.build_db_path(build.published_build_id())
    db.chmod(0o644)
    con = duckdb.connect(str(db))
    try:
        con.execute(f"delete from marts.fct_village_year where town_code = '{THIN_TOWN}'")
    finally:
        con.close()

    readme = (paths.REPO_ROOT / "README.md").read_text(encoding="utf-8")
    sql = re.search(r"```sql\n(.*?)\n```", readme, re.DOTALL).group(1)
    columns, rows = query_frame(sql)
    assert columns == ["measure", "warehouse", "article"]
    documented = dict(re.findall(r"^\| ([^|]+?) \| ([^|]+?) \| [^|]+ \|$", readme, re.MULTILINE))
    for measure, value, _ in rows:
        assert documented[measure] == value, measure
