"""和谐信访十件新事 · 先进个人评选 (issue 10, part 2): the nominations input (基层申报) and the
committee's decisions, the nominees' evidence, the proposed shortlist, the cadres page's
section and the workbook sheet.

A hand-made drop is delivered through `xinfang ingest` and built once for the module:

- C01 handles 20 items a year in 2010 and 2011, every one closed late (on time 0 of 20):
  beyond the 99.8% limit two years running, an accountability flag in 2011;
- fifteen cadres (GOOD: C02–C12, C15–C18) handle 12 items a year, all on time but one for
  every other cadre, 0 to 3 of them ceased, so their ranks differ; C14 handles 12 such items
  in 2010 only;
- C13 handles 5 items in 2011 and one in 2009. The 2011 evidence, worked by hand: 4 of 5
  on time (one closed after 100 days) → 0.8, exact 95% interval 0.283582–0.994949 (the p
  with 5p⁴ − 4p⁵ = 0.025, and 0.975^(1/5)); 2 of 5 closed items ceased → 0.4, 0.052745–
  0.853367 (`exact_interval` below solves the tail equations); 3 satisfied, 1 basically
  satisfied and 1
  dissatisfied of 5 rated → (3 + 1.0 × 1) / 5 = 0.8; one later item of the same petitioner
  and subject after a closed item (a repeat after close) and one, before the close, lodged
  at city level (an escalation). 5 items are fewer than min_cadre_items (10): not ranked;
- nominations for 2011 (Chinese headers and labels, aliases): C13, C01, C05, C14 (no items
  in 2011), C99 (not in the register); the committee's decisions follow in a second file,
  which supersedes the first for C13 and C05 and adds C06, selected with a reason given only
  for the not selected (kept as delivered, a warning). No nominations for 2010 (the shortlist), and in
  2009 neither nominations nor an eligible cadre.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from pipelines import audit, paths
from pipelines.ingest import ingest_paths
from pipelines.labels import from_files
from tests.support import built_home, exact_interval, lake, query, write_csv

LABELS = from_files()
NOMINATION_HEADER = ["年度", "干部编号", "姓名", "申报单位", "事迹类型", "事迹简述", "评选结果",
                     "未当选原因"]
FREE_TEXT = "调处一起十年积案，当事人王某某息访"  # a description naming someone: never kept
AWARD_COUNT = 10  # seeds/candidate_eligibility.csv
GOOD = [f"C{k:02d}" for k in (*range(2, 13), 15, 16, 17, 18)]


# ---------------------------------------------------------------------------------------------
# Ingest
# ---------------------------------------------------------------------------------------------


def test_nominations_ingest_chinese_headers_aliases_and_quarantine(xinfang_home, tmp_path):
    rows = [
        [2011, "C13", "某甲", "一镇纪委", "化解信访积案", FREE_TEXT, "", ""],       # 2: superseded by 9
        [2011, "C05", "", "一镇党委", "办实事", "", "落选", "名额限制"],             # 3: aliases
        [2011, "C99", "", "县纪委", "处置信访突发事件", "", "", ""],                  # 4: unknown cadre, kept
        [2011, "C07", "", "一镇", "飞檐走壁", FREE_TEXT, "", ""],                     # 5: bad deed type
        [2011, "C08", "", "一镇", "源头控减矛盾纠纷", "", "当选", "很好"],            # 6: bad reason
        [11, "C09", "", "一镇", "源头控减矛盾纠纷", "", "", ""],                       # 7: bad year
        [2011, "", "", "一镇", "源头控减矛盾纠纷", "", "", ""],                        # 8: no cadre
        [2011, "C13", "某甲", "一镇纪委", "化解疑难复杂信访", FREE_TEXT, "当选", ""],  # 9
    ]
    f = write_csv(tmp_path / "nominations_2011.csv", NOMINATION_HEADER, rows)
    result = ingest_paths([f], quiet=True)
    assert result.exit_code == 0
    (record,) = audit.read("load_ledger").to_dicts()
    assert (record["entity"], record["status"]) == ("nominations", "loaded")
    assert (record["rows_read"], record["rows_loaded"], record["rows_quarantined"]) == (8, 3, 5)
    assert "姓名" in record["message"]  # the name column is ignored, and said so
    q = audit.read("quarantine").sort("line_number")
    assert list(zip(q["line_number"], q["reason"], q["detail"], strict=True)) == [
        (2, "superseded_in_file", "kept line 9"),
        (5, "bad_vocabulary", "deed_type"),
        (6, "bad_vocabulary", "decision_reason"),
        (7, "bad_number", "year"),
        (8, "missing_required", "cadre_id"),
    ]
    assert json.loads(q.filter(pl.col("line_number") == 5)["original_values"][0])["事迹类型"] == "飞檐走壁"

    loaded = lake("nominations").sort("cadre_id")
    assert "description" not in loaded.columns
    assert loaded.select("year", "cadre_id", "nominating_unit", "deed_type", "decision",
                         "decision_reason").rows() == [
        (2011, "C05", "一镇党委", "serve_petitioners", "not_selected", "quota"),
        (2011, "C13", "一镇纪委", "resolve_difficult", "selected", None),
        (2011, "C99", "县纪委", "handle_emergency", None, None),
    ]
    # the description reaches no file under $XINFANG_HOME: not the lake, not the quarantine
    for path in paths.home().rglob("*"):
        if path.is_file():
            assert "十年积案".encode() not in path.read_bytes(), path


# ---------------------------------------------------------------------------------------------
# A hand-made drop, built once
# ---------------------------------------------------------------------------------------------

CASE_HEADER = ["case_id", "received_at", "channel", "category", "subject_code", "real_name",
               "petitioner_id", "petition_level", "village_code"]
EVENT_HEADER = ["case_id", "event_type", "event_at", "cadre_id", "detail"]


class Drop:
    def __init__(self) -> None:
        self.cases: list[list[object]] = []
        self.events: list[list[object]] = []

    def item(self, case_id: str, cadre: str | None, received: date, close_after: int | None,
             *, ceased: bool = False, rating: str | None = "satisfied",
             petitioner: str = "", level: str = "county") -> None:
        self.cases.append([case_id, received.isoformat(), "letter", "accusation", "corruption",
                           "yes", petitioner, level, "V1"])
        if cadre is not None:
            self.events.append([case_id, "assigned", received.isoformat(), cadre, "responsible"])
        if close_after is not None:
            closed = received + timedelta(days=close_after)
            self.events.append([case_id, "concluded", closed.isoformat(), "", ""])
            if ceased:
                self.events.append([case_id, "ceased", closed.isoformat(), "", ""])
            if rating:
                self.events.append([case_id, "rated", closed.isoformat(), "", rating])


def hand_made_drop(folder: Path) -> Path:
    drop = Drop()
    for year in (2010, 2011):
        for i in range(20):
            drop.item(f"A{year}-{i:02d}", "C01", date(year, 3, 1) + timedelta(days=i), 100,
                      ceased=i < 2)
        for k, cadre in enumerate(GOOD):
            for i in range(12):
                late = k % 2 == 1 and i == 0
                drop.item(f"B{year}-{cadre}-{i:02d}", cadre, date(year, 4, 1) + timedelta(days=i),
                          100 if late else 10, ceased=i < k % 4)
    for i in range(12):
        drop.item(f"D2010-{i:02d}", "C14", date(2010, 5, 1) + timedelta(days=i), 10, ceased=i < 1)
    # C13 in 2011: 4 of 5 on time, 2 of 5 ceased, ratings 3 / 1 / 1
    drop.item("E1", "C13", date(2011, 3, 1), 10, ceased=True, petitioner="320982199001011234")
    drop.item("E2", "C13", date(2011, 4, 1), 10, ceased=True, rating="basically_satisfied",
              petitioner="32098219850505432X")
    drop.item("E3", "C13", date(2011, 5, 2), 10, rating="dissatisfied")
    drop.item("E4", "C13", date(2011, 6, 1), 10)
    drop.item("E5", "C13", date(2011, 7, 1), 100)
    drop.item("R1", None, date(2011, 5, 1), None, rating=None, petitioner="320982199001011234")
    drop.item("X1", None, date(2011, 4, 5), None, rating=None, petitioner="32098219850505432X",
              level="city")
    drop.item("F2009", "C13", date(2009, 6, 1), 10)  # 2009: one item, nobody eligible

    folder.mkdir()
    write_csv(folder / "villages.csv", ["village_code", "village_name", "town_code", "town_name",
                                        "kind", "population"], [["V1", "一村", "T1", "一镇", "village", 5000]])
    write_csv(folder / "cadres.csv", ["cadre_id", "cadre_name", "unit_name"],
              [[f"C{k:02d}", f"干部{k:02d}", "一镇纪委"] for k in range(1, 19)])
    write_csv(folder / "cases.csv", CASE_HEADER, drop.cases)
    write_csv(folder / "case_events.csv", EVENT_HEADER, drop.events)
    write_csv(folder / "nominations_1.csv", NOMINATION_HEADER, [
        [2011, "C13", "", "一镇纪委", "化解信访积案", FREE_TEXT, "", ""],
        [2011, "C01", "", "一镇纪委", "处置突发事件", "", "", ""],
        [2011, "C05", "", "一镇党委", "为信访群众办实事", "", "", ""],
        [2011, "C14", "", "一镇党委", "源头控减矛盾纠纷", "", "", ""],
        [2011, "C99", "", "县纪委", "源头控减矛盾纠纷", "", "", ""],
    ])
    write_csv(folder / "nominations_2.csv", NOMINATION_HEADER, [  # the committee, later
        [2011, "C13", "", "一镇纪委", "化解疑难复杂信访", "", "当选", ""],
        [2011, "C05", "", "一镇党委", "为信访群众办实事", "", "未当选", "名额所限"],
        [2011, "C06", "", "一镇党委", "为信访群众办实事", "", "当选", "名额所限"],  # a reason too many
    ])
    return folder


@pytest.fixture(scope="module")
def selection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The hand-made drop delivered and built; $XINFANG_HOME points at it for the module's
    tests that use it (a test's own monkeypatch may point elsewhere for its duration)."""
    root = tmp_path_factory.mktemp("selection")
    with built_home(hand_made_drop(root / "drop"), root / "home") as home:
        yield home


def test_nominee_evidence_worked_by_hand(selection):
    rows = {r["cadre_id"]: r for r in query(
        "select * from marts.fct_nominee_evidence where year = 2011")}
    assert set(rows) == {"C01", "C05", "C06", "C13", "C14", "C99"}
    c13 = rows["C13"]
    assert (c13["cases_assigned"], c13["closed"], c13["on_time"], c13["on_time_due"]) == (5, 5, 4, 5)
    assert c13["on_time_rate"] == pytest.approx(0.8)
    assert exact_interval(4, 5) == pytest.approx((0.283582, 0.994949), abs=1e-6)
    assert (c13["on_time_rate_low"], c13["on_time_rate_high"]) == pytest.approx(exact_interval(4, 5), abs=1e-9)
    assert (c13["ceased"], c13["ceased_rate"]) == (2, pytest.approx(0.4))
    assert (c13["ceased_rate_low"], c13["ceased_rate_high"]) == pytest.approx(exact_interval(2, 5), abs=1e-9)
    assert exact_interval(2, 5) == pytest.approx((0.052745, 0.853367), abs=1e-6)
    assert (c13["rated"], c13["satisfaction_rate"]) == (5, pytest.approx(0.8))
    assert (c13["repeats_after_close"], c13["escalations"]) == (1, 1)
    assert c13["is_insufficient_data"] and c13["rank_median"] is None and c13["p_top_decile"] is None
    assert not c13["is_disqualified"] and not c13["is_without_items"] and c13["is_registered"]
    # the committee's later delivery superseded the nomination (the history stays in the lake)
    assert (c13["deed_type"], c13["decision"], c13["deliveries"]) == ("resolve_difficult", "selected", 2)
    assert (rows["C05"]["decision"], rows["C05"]["decision_reason"]) == ("not_selected", "quota")
    assert lake_rows_of("nominations") == 8
    # a nominee without items that year is listed, its evidence empty
    c14 = rows["C14"]
    assert c14["is_without_items"] and c14["is_registered"]
    assert (c14["cases_assigned"], c14["on_time_rate"], c14["rank_median"]) == (0, None, None)
    # a nominee not in the register is kept and flagged
    c99 = rows["C99"]
    assert not c99["is_registered"] and c99["is_without_items"] and c99["decision"] is None
    assert c99["deed_type"] == "reduce_at_source"


def lake_rows_of(entity: str) -> int:
    return sum(pl.read_parquet(f).height for f in paths.lake_dir(entity).glob("*.parquet"))


def test_an_accountability_flag_disqualifies(selection):
    (flag,) = query("select * from marts.fct_accountability_flags where unit_type = 'cadre'")
    assert (flag["unit_id"], flag["year"], flag["indicator"]) == ("C01", 2011, "on_time_rate")
    assert (flag["observed"], flag["denominator"]) == (0, 20)
    c01 = query("select * from marts.fct_nominee_evidence where cadre_id = 'C01'")[0]
    assert (c01["on_time"], c01["on_time_due"], c01["on_time_rate"]) == (0, 20, 0.0)
    # 0 of 20: the interval's lower end is exactly 0, the upper 1 − 0.025^(1/20)
    assert (c01["on_time_rate_low"], c01["on_time_rate_high"]) == pytest.approx(
        (0.0, 1 - 0.025 ** (1 / 20)), abs=1e-9)
    assert c01["accountability_flags"] == 1
    assert c01["is_disqualified"] and c01["disqualification_reason"] == "accountability_flag"
    assert not c01["is_candidate_eligible"] and c01["shortlist_order"] is None
    order = [r["cadre_id"] for r in query(
        "select cadre_id from marts.fct_nominee_evidence where year = 2011 order by nominee_order")]
    assert order[-1] == "C01"  # the disqualified come last
    assert not query("select * from marts.fct_cadre_shortlist where cadre_id = 'C01'")


def test_an_unknown_cadre_and_a_stray_reason_are_warnings_not_errors(selection):
    results = audit.read("quality_results")
    failed = results.filter(pl.col("status") == "fail")
    warned = sorted(n for n in failed["check_name"] if "nominations" in n)
    assert len(warned) == 2
    assert warned[1] == "relationships_stg_lake__nominations_cadre_id__cadre_id__ref_stg_lake__cadres_"
    assert warned[0].startswith("expression_is_true_stg_lake__nominations")  # C06's reason
    assert set(failed.filter(pl.col("check_name").is_in(warned))["severity"]) == {"warn"}
    c06 = query("select * from marts.fct_nominee_evidence where cadre_id = 'C06'")[0]
    assert (c06["decision"], c06["decision_reason"]) == ("selected", "quota")


def shortlist_expected(year: int, eligible_rows: list[dict]) -> list[str]:
    """The shortlist by the rule, computed here from fct_cadre_year: the eligible cadres by
    rank_median, then p_top_decile descending, then cadre_id; the first 2 × award_count."""
    ranked = sorted((r for r in eligible_rows if r["year"] == year and r["is_candidate_eligible"]),
                    key=lambda r: (r["rank_median"], -r["p_top_decile"], r["cadre_id"]))
    return [r["cadre_id"] for r in ranked[:2 * AWARD_COUNT]]


def overlaps_next(rows: list[dict]) -> int | None:
    """How many of the first award_count have a 90% rank interval overlapping that of the
    (award_count + 1)-th, computed here from the rows in shortlist order."""
    if len(rows) <= AWARD_COUNT:
        return None
    nxt = rows[AWARD_COUNT]
    return sum(1 for r in rows[:AWARD_COUNT]
               if r["rank_low"] <= nxt["rank_high"] and nxt["rank_low"] <= r["rank_high"])


def test_shortlist_of_a_year_without_nominations(selection):
    cadre_years = query("select * from marts.fct_cadre_year")
    shortlist = query("select * from marts.fct_cadre_shortlist where year = 2010 order by shortlist_order")
    expected = shortlist_expected(2010, cadre_years)
    # GOOD and C14 are eligible in 2010: 16, fewer than 2 × award_count
    assert sorted(expected) == sorted([*GOOD, "C14"])
    assert [r["cadre_id"] for r in shortlist] == expected
    assert [r["shortlist_order"] for r in shortlist] == list(range(1, 17))
    assert {r["eligible_cadres"] for r in shortlist} == {16}
    assert {r["overlapping_in_award_count"] for r in shortlist} == {overlaps_next(shortlist)}
    assert not query("select * from marts.fct_cadre_shortlist where year = 2009")


# ---------------------------------------------------------------------------------------------
# The page section and the sheet on the hand-made build
# ---------------------------------------------------------------------------------------------


def section_text(year: int, lang: str = "zh") -> str:
    from dashboards.app import create_app

    create_app()
    from dashboards.pages import cadres
    from tests.support import as_text, find

    return as_text(find(cadres.update_content(year, "", lang), "cd-selection"))


def test_section_shows_nominees_with_evidence_and_decisions(selection):
    text = section_text(2011)
    assert LABELS.text("text.selection_title") in text
    assert LABELS.text("text.selection_nominees_summary", nominees=6, selected=2, not_selected=1,
                       pending=3, disqualified=1) in text
    assert "干部13" in text and "80.0%（28%–99%）" in text and "40.0%（5%–85%）" in text
    assert LABELS.text("text.selection_disqualified", reason=LABELS.vocab(
        "disqualification_reason", "accountability_flag")) in text
    assert LABELS.vocab("selection_note", "without_items") in text  # C14
    assert LABELS.vocab("selection_note", "unregistered") in text and "C99" not in text
    assert LABELS.vocab("award_decision", "not_selected") + "：" + LABELS.vocab("decision_reason", "quota") in text
    english = section_text(2011, "en")
    assert "80.0% (28%–99%)" in english and "Disqualified: Accountability flag" in english


def test_section_shows_the_shortlist_and_how_well_its_top_is_told_apart(selection):
    shortlist = query("select * from marts.fct_cadre_shortlist where year = 2010 order by shortlist_order")
    n = overlaps_next(shortlist)
    text = section_text(2010)
    assert LABELS.text("text.selection_no_nominations", length=16, awards=AWARD_COUNT) in text
    key = "text.selection_separated" if n == 0 else "text.selection_overlapping"
    assert LABELS.text(key, awards=AWARD_COUNT, next=AWARD_COUNT + 1, overlapping=n) in text
    # with neither nominations nor an eligible cadre: what is missing and whom to ask
    empty = section_text(2009)
    assert LABELS.text("text.selection_none", min_items=10) in empty
    assert "xinfang" not in empty  # no shell command


def test_sheet_lists_nominees_else_the_shortlist_else_why(selection, tmp_path):
    from pipelines import export

    def sheet(year: int) -> pl.DataFrame:
        return export.read_workbook_data(year).frames["selection"]

    def header(source: str) -> str:
        (column,) = [c for c in export.SELECTION.columns if c.source == source]
        return export.header(column, LABELS)

    nominees = sheet(2011)
    assert nominees[header("cadre_id")].to_list() == [r["cadre_id"] for r in query(
        "select cadre_id from marts.fct_nominee_evidence where year = 2011 order by nominee_order")]
    assert set(nominees[header("selection_basis")]) == {LABELS.vocab("selection_basis", "nominated")}
    c13 = nominees.filter(pl.col(header("cadre_id")) == "C13").row(0, named=True)
    assert c13[header("on_time_rate_low")] == pytest.approx(100 * exact_interval(4, 5)[0], abs=1e-6)
    assert c13[header("deed_type")] == "化解疑难复杂信访" and c13[header("decision")] == "当选"
    c99 = nominees.filter(pl.col(header("cadre_id")) == "C99").row(0, named=True)
    assert c99[header("selection_note")] == LABELS.vocab("selection_note", "unregistered")

    shortlist = sheet(2010)
    assert len(shortlist) == 16
    assert set(shortlist[header("selection_basis")]) == {LABELS.vocab("selection_basis", "shortlisted")}

    # 2009: neither nominations nor an eligible cadre; the sheet says so under its header
    assert sheet(2009).is_empty()
    workbook = openpyxl.load_workbook(export.export_workbook(2009, tmp_path, quiet=True))
    note = workbook[LABELS.text("sheet.selection")].cell(row=2, column=1).value
    assert note == LABELS.text("export.empty_with_rule", none=LABELS.text("text.selection_sheet_none"),
                               rule=LABELS.text("definition.sheet.selection"))


# ---------------------------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------------------------


def test_demo_nominations_each_year_decided_but_the_last(ranked_demo):
    nominees = query("select * from marts.fct_nominee_evidence order by year, nominee_order")
    by_year: dict[int, list[dict]] = {}
    for r in nominees:
        by_year.setdefault(r["year"], []).append(r)
    assert sorted(by_year) == [2009, 2010, 2011]
    for year, rows in by_year.items():
        assert 12 <= len(rows) <= 15
        assert all(r["is_registered"] for r in rows)
        assert len({r["deed_type"] for r in rows}) > 1 and len({r["nominating_unit"] for r in rows}) > 1
        decided = [r for r in rows if r["decision"]]
        if year < 2011:
            assert len(decided) == len(rows)
            assert sum(r["decision"] == "selected" for r in rows) == AWARD_COUNT
        else:
            assert not decided
    assert any(r["is_without_items"] for r in nominees)


def test_demo_shortlist_is_twice_the_award_count_in_rank_order(ranked_demo):
    cadre_years = query("select * from marts.fct_cadre_year")
    for year in (2009, 2010, 2011):
        shortlist = query(f"select * from marts.fct_cadre_shortlist where year = {year} "
                          "order by shortlist_order")
        assert len(shortlist) == 2 * AWARD_COUNT
        assert [r["cadre_id"] for r in shortlist] == shortlist_expected(year, cadre_years)
        assert {r["overlapping_in_award_count"] for r in shortlist} == {overlaps_next(shortlist)}


def test_demo_page_section_and_sheet(ranked_demo):
    nominees = query("select n.*, d.cadre_name from marts.fct_nominee_evidence as n "
                     "left join marts.dim_cadre as d using (cadre_id) where n.year = 2010")
    text = section_text(2010)
    assert LABELS.text("text.selection_nominees_summary", nominees=len(nominees),
                       selected=AWARD_COUNT, not_selected=len(nominees) - AWARD_COUNT, pending=0,
                       disqualified=0) in text
    assert all(r["cadre_name"] in text for r in nominees)
    from pipelines import export

    frame = export.read_workbook_data(2010).frames["selection"]
    assert frame[export.header(export.Column("cadre_id"), LABELS)].to_list() == [
        r["cadre_id"] for r in sorted(nominees, key=lambda r: r["nominee_order"])]


def test_a_cadre_named_to_account_for_a_sensitive_period_escalation_is_disqualified(tmp_path):
    """对号: an item lodged at the province on 2011-03-10 (in the sensitive period 03-01 to
    03-15 of seeds/sensitive_periods.csv) names its lead C1 and responsible cadre C2; both
    were nominated in 2011 and are disqualified for it; C3, nominated with an ordinary item,
    is not. The same item is the row of fct_escalation_accountability."""
    folder = tmp_path / "drop"
    folder.mkdir()
    write_csv(folder / "villages.csv", ["village_code", "village_name", "town_code", "town_name",
                                        "kind", "population"], [["V1", "一村", "T1", "一镇", "village", 5000]])
    write_csv(folder / "cadres.csv", ["cadre_id", "cadre_name", "unit_name"],
              [[f"C{k}", f"干部{k}", "一镇纪委"] for k in (1, 2, 3)])
    write_csv(folder / "cases.csv", CASE_HEADER, [
        ["P1", "2011-03-10", "visit", "appeal", "land_compensation", "yes", "", "province", "V1"],
        ["Q1", "2011-03-10", "letter", "appeal", "land_compensation", "yes", "", "county", "V1"],
        ["Q2", "2011-06-10", "letter", "appeal", "land_compensation", "yes", "", "province", "V1"],
    ])
    write_csv(folder / "case_events.csv", EVENT_HEADER, [
        ["P1", "assigned", "2011-03-10", "C1", "lead"],
        ["P1", "assigned", "2011-03-10", "C2", "responsible"],
        ["Q1", "assigned", "2011-03-10", "C3", "responsible"],
        ["Q2", "assigned", "2011-06-10", "C3", "lead"],  # to the province, but not in a period
    ])
    write_csv(folder / "nominations.csv", NOMINATION_HEADER, [
        [2011, f"C{k}", "", "一镇纪委", "化解信访积案", "", "", ""] for k in (1, 2, 3)])
    with built_home(folder, tmp_path / "home"):
        evidence = {r["cadre_id"]: (r["is_disqualified"], r["disqualification_reason"])
                    for r in query("select * from marts.fct_nominee_evidence")}
        escalations = query("select case_id, lead_cadre_id, responsible_cadre_id "
                            "from marts.fct_escalation_accountability")
    assert evidence == {"C1": (True, "escalation_accountability"),
                        "C2": (True, "escalation_accountability"), "C3": (False, None)}
    assert escalations == [{"case_id": "P1", "lead_cadre_id": "C1", "responsible_cadre_id": "C2"}]
