"""The office's working registers (issue 11, first slice): satisfaction surveys of 党务投诉公开
(满意度调查) and information adopted by a higher level (信息采用) — ingest with Chinese
headers, quarantine, the two marts on a hand-made drop, and the demo's calibration.

The hand-made drop, worked by hand:

- surveys of 2010: S1 county-wide, 50 satisfied of 54; S2 in town T1, 40 of 46. The county
  is both together: 90 of 100 = 0.9, exact 95% interval 0.823777–0.950995 (`exact_interval`
  below solves the tail equations); T1 alone is 40 of 46 = 0.869565;
- adoptions: 2010 two by the city (information) and one by the province (practice); 2011 one
  central (information). The 2010 total is 3, the 2011 total 1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from pipelines import audit, paths
from pipelines.ingest import ingest_paths
from tests.support import built_home, exact_interval, lake, query, write_csv

SURVEY_HEADER = ["调查编号", "年度", "调查日期", "调查范围", "受访人数", "满意人数"]
ADOPTION_HEADER = ["采用编号", "采用日期", "采用层级", "采用类型", "信息标题"]
TITLE = "关于王某某反映问题的处理情况"  # a title naming someone: never kept


# ---------------------------------------------------------------------------------------------
# Ingest
# ---------------------------------------------------------------------------------------------


def test_surveys_ingest_chinese_headers_and_quarantine(xinfang_home, tmp_path):
    rows = [
        ["S1", 2010, "2010-06-15", "全县", 54, 50],    # 2
        ["S2", 2010, "2010年9月1日", "T1", 46, 40],    # 3
        ["S3", 2010, "", "", 30, 0],                   # 4: scope defaults to county, none satisfied
        ["S4", 2010, "2010-07-01", "T1", 20, 21],      # 5: more satisfied than respondents
        ["S5", 2010, "2010-07-01", "T1", 0, 0],        # 6: no respondents
        ["S6", 2010, "2010-07-01", "T1", 20, -1],      # 7: a negative count
    ]
    f = write_csv(tmp_path / "surveys_2010.csv", SURVEY_HEADER, rows)
    result = ingest_paths([f], quiet=True)
    assert result.exit_code == 0
    (record,) = audit.read("load_ledger").to_dicts()
    assert (record["entity"], record["status"]) == ("surveys", "loaded")
    assert (record["rows_read"], record["rows_loaded"], record["rows_quarantined"]) == (6, 3, 3)
    q = audit.read("quarantine").sort("line_number")
    assert list(zip(q["line_number"], q["reason"], q["detail"], strict=True)) == [
        (5, "count_exceeds_total", "satisfied>respondents"),
        (6, "bad_number", "respondents"),
        (7, "bad_number", "satisfied"),
    ]
    assert json.loads(q["original_values"][0])["满意人数"] == "21"
    loaded = lake("surveys").sort("survey_id")
    assert loaded.select("survey_id", "year", "scope", "respondents", "satisfied").rows() == [
        ("S1", 2010, "全县", 54, 50),
        ("S2", 2010, "T1", 46, 40),
        ("S3", 2010, "county", 30, 0),
    ]
    assert loaded["surveyed_on"].dt.date().to_list() == [date(2010, 6, 15), date(2010, 9, 1), None]


def test_adoptions_ingest_level_kind_quarantine_and_no_title(xinfang_home, tmp_path):
    rows = [
        ["A1", "2010-03-01", "市", "信息", TITLE],          # 2
        ["A2", "2010-04-01", "省级", "经验做法", TITLE],    # 3: an alias
        ["A3", "2010-05-01", "中央", "practice", ""],       # 4
        ["A4", "2010-05-01", "县", "信息", TITLE],          # 5: the county adopts nothing upward
        ["A5", "2010-05-01", "市", "简报", ""],             # 6: bad kind
        ["A6", "", "市", "信息", ""],                        # 7: no date
    ]
    f = write_csv(tmp_path / "information_adoptions_2010.csv", ADOPTION_HEADER, rows)
    result = ingest_paths([f], quiet=True)
    assert result.exit_code == 0
    (record,) = audit.read("load_ledger").to_dicts()
    assert (record["entity"], record["status"]) == ("information_adoptions", "loaded")
    assert (record["rows_read"], record["rows_loaded"], record["rows_quarantined"]) == (6, 3, 3)
    q = audit.read("quarantine").sort("line_number")
    assert list(zip(q["line_number"], q["reason"], q["detail"], strict=True)) == [
        (5, "bad_vocabulary", "adopting_level"),
        (6, "bad_vocabulary", "kind"),
        (7, "missing_required", "adopted_on"),
    ]
    for original in q["original_values"]:  # the title is not kept in the quarantine either
        assert "信息标题" not in json.loads(original)
        assert TITLE not in original
    loaded = lake("information_adoptions").sort("adoption_id")
    assert "title" not in loaded.columns
    assert loaded.select("adoption_id", "adopting_level", "kind").rows() == [
        ("A1", "city", "information"),
        ("A2", "province", "practice"),
        ("A3", "central", "practice"),
    ]
    for file in paths.lake_dir("information_adoptions").glob("*.parquet"):
        assert TITLE.encode() not in file.read_bytes()


# ---------------------------------------------------------------------------------------------
# The marts on a hand-made drop
# ---------------------------------------------------------------------------------------------


def hand_made_drop(folder: Path) -> Path:
    folder.mkdir()
    write_csv(folder / "villages.csv", ["village_code", "village_name", "town_code", "town_name",
                                        "kind", "population"], [["V1", "一村", "T1", "一镇", "village", 5000]])
    write_csv(folder / "cadres.csv", ["cadre_id", "cadre_name", "unit_name"], [["C01", "干部01", "一镇纪委"]])
    write_csv(folder / "cases.csv", ["case_id", "received_at", "channel", "category", "subject_code",
                                     "real_name", "village_code"],
              [["K1", "2010-03-01", "letter", "accusation", "corruption", "yes", "V1"]])
    write_csv(folder / "surveys.csv", SURVEY_HEADER, [
        ["S1", 2010, "2010-06-15", "全县", 54, 50],
        ["S2", 2010, "2010-09-01", "T1", 46, 40],
    ])
    write_csv(folder / "information_adoptions.csv", ADOPTION_HEADER, [
        ["A1", "2010-03-01", "市", "信息", TITLE],
        ["A2", "2010-04-01", "市", "信息", ""],
        ["A3", "2010-05-01", "省", "经验做法", ""],
        ["A4", "2011-02-01", "中央", "信息", ""],
    ])
    return folder


@pytest.fixture(scope="module")
def registers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("registers")
    with built_home(hand_made_drop(root / "drop"), root / "home") as home:
        yield home


def test_survey_year_worked_by_hand(registers):
    rows = {r["scope_code"]: r for r in query("select * from marts.fct_survey_year")}
    assert set(rows) == {"county", "T1"}
    county = rows["county"]
    assert (county["scope_type"], county["year"], county["surveys"], county["respondents"],
            county["satisfied"]) == ("county", 2010, 2, 100, 90)
    assert county["satisfaction_rate"] == pytest.approx(0.9)
    low, high = exact_interval(90, 100)
    assert (low, high) == pytest.approx((0.823777, 0.950995), abs=1e-6)
    assert county["satisfaction_rate_low"] == pytest.approx(low, abs=1e-9)
    assert county["satisfaction_rate_high"] == pytest.approx(high, abs=1e-9)
    town = rows["T1"]
    assert (town["scope_type"], town["surveys"], town["respondents"], town["satisfied"]) == (
        "town", 1, 46, 40)
    assert town["satisfaction_rate"] == pytest.approx(40 / 46)
    assert (town["satisfaction_rate_low"], town["satisfaction_rate_high"]) == pytest.approx(
        exact_interval(40, 46), abs=1e-9)


def test_information_adoption_year_worked_by_hand(registers):
    rows = query("select year, adopting_level, kind, adoptions, is_total "
                 "from marts.fct_information_adoption_year order by year, is_total, adopting_level")
    assert [tuple(r.values()) for r in rows] == [
        (2010, "city", "information", 2, False),
        (2010, "province", "practice", 1, False),
        (2010, "all", "all", 3, True),
        (2011, "central", "information", 1, False),
        (2011, "all", "all", 1, True),
    ]


# ---------------------------------------------------------------------------------------------
# The demo drop
# ---------------------------------------------------------------------------------------------


def test_demo_registers_match_the_article():
    """The demo's own streams, drawn as `xinfang demo-data` draws them (default seed, the
    county): about 296 adoptions over 2009–2011 and a satisfaction of about 92.6%."""
    from pipelines.demo_data import geography
    from pipelines.demo_data import registers as registers_mod
    from pipelines.demo_data.profile import COUNTY

    seed = 20091
    geo = geography.build(np.random.Generator(np.random.PCG64(seed)), COUNTY)
    years = list(COUNTY.years)
    assert years == [2009, 2010, 2011]
    adoptions = registers_mod.adoptions_frame(seed, years)
    assert 250 <= adoptions.height <= 340
    assert set(adoptions["adopting_level"]) == {"city", "province", "central"}
    surveys = registers_mod.surveys_frame(seed, geo, years)
    assert (surveys["satisfied"] <= surveys["respondents"]).all()
    rate = surveys["satisfied"].sum() / surveys["respondents"].sum()
    assert 0.90 <= rate <= 0.95
    # the same seed draws the same files
    assert registers_mod.adoptions_frame(seed, years).equals(adoptions)
