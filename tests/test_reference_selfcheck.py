"""Self-check of the reference implementation (tests/reference/contract.py): small hand-made drops
whose expected flags were worked out by hand from CONTRACT §3/§4, one test per edge. The drops go
through the real ingest, so the reference reads exactly what the warehouse reads."""

from __future__ import annotations

import csv
import hashlib
import time
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipelines import audit
from pipelines.ingest import ingest_paths
from tests.reference.contract import (
    Params,
    default_as_of,
    load_lake,
    nth_working_day_after,
    reference_marts,
    same_matter_pairs,
)
from tests.reference.random_drop import write_random_drop

HEADERS = {
    "cases": ["case_id", "received_at", "channel", "source", "petition_level", "jurisdiction_level",
              "skip_level", "headcount", "abnormal_behaviour", "petitioner_id", "accused_id", "category",
              "subject_code", "real_name", "related_case_id", "village_code"],
    "case_events": ["case_id", "event_type", "event_at", "cadre_id", "unit_name", "detail"],
    "villages": ["village_code", "village_name", "town_code", "town_name", "kind", "population", "year"],
    "cadres": ["cadre_id", "cadre_name", "unit_name", "post", "town_code"],
}


# the public marts' columns, typed in from CONTRACT §4 (ranking columns of §5 left out)
CONTRACT_COLUMNS = {
    "fct_cases": "case_id received_date village_code town_code channel headcount category subject_code "
                 "is_visit is_real_name is_repeat is_first_time is_skip_level is_to_province_or_central "
                 "is_collective is_abnormal is_in_sensitive_period closed_date days_to_close "
                 "is_closed_within_30d handle_due_date is_on_time is_lead is_shelved is_case_opened "
                 "satisfaction is_ceased is_accepted_on_time is_feedback_on_time lead_cadre_id "
                 "responsible_cadre_id",
    "fct_village_month": "village_code month_start petitions repeat_petitions skip_level_petitions "
                         "collective_petitions abnormal_petitions visits visit_person_times",
    "fct_village_year": "village_code year town_code population petitions repeat_petitions "
                        "skip_level_petitions collective_petitions abnormal_petitions petitions_per_1k "
                        "is_meets_standard",
    "fct_one_low_four_controls": "scope_type scope_code year petitions petitions_prev_year repeat_petitions "
                                 "repeat_petitions_prev_year skip_level_petitions skip_level_petitions_prev_year "
                                 "collective_petitions collective_petitions_prev_year abnormal_petitions "
                                 "abnormal_petitions_prev_year visits repeat_visits repeat_visit_share "
                                 "is_low_running is_repeat_controlled is_skip_level_controlled "
                                 "is_collective_controlled is_abnormal_controlled",
    "fct_handling_performance": "scope_type scope_code year petitions first_time_due "
                                "first_time_closed_within_30d first_time_closure_rate shelved shelved_share "
                                "leads cases_opened case_conversion_rate closed on_time on_time_due on_time_rate "
                                "accepted_on_time_rate feedback_on_time_rate rated satisfaction_score "
                                "satisfaction_rate ceased "
                                "ceased_rate real_name_share visit_share",
    "fct_cadre_year": "cadre_id year cases_as_lead cases_as_responsible closed on_time_rate ceased_rate "
                      "satisfaction_rate repeats_after_close escalations",
}
CONTRACT_COLUMNS = {k: v.split() for k, v in CONTRACT_COLUMNS.items()}


def C(case_id: str, at: str, **kw) -> dict:
    row = {"case_id": case_id, "received_at": at, "channel": "letter", "category": "accusation",
           "subject_code": "other", "real_name": "yes"}
    row.update(kw)
    return row


def E(case_id: str, kind: str, at: str, detail: str = "", cadre: str = "") -> dict:
    return {"case_id": case_id, "event_type": kind, "event_at": at, "detail": detail, "cadre_id": cadre}


def V(code: str, town: str, population: int, year: str = "") -> dict:
    return {"village_code": code, "village_name": f"村{code}", "town_code": town, "town_name": f"镇{town}",
            "kind": "village", "population": str(population), "year": year}


@pytest.fixture()
def drop(tmp_path, monkeypatch):
    """drop(("cases", rows), ("case_events", rows), ...) -> the lake; one file per delivery, each
    ingested on its own, so later arguments are later deliveries."""
    monkeypatch.setenv("XINFANG_HOME", str(tmp_path / "home"))
    folder = tmp_path / "drop"
    folder.mkdir()
    counter = iter(range(1, 1000))

    def make(*deliveries: tuple[str, list[dict]]) -> dict[str, pl.DataFrame]:
        for entity, rows in deliveries:
            path = folder / f"{entity}_{next(counter):03d}.csv"
            with open(path, "w", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, HEADERS[entity], lineterminator="\n")
                w.writeheader()
                w.writerows([{k: r.get(k, "") for k in HEADERS[entity]} for r in rows])
            result = ingest_paths([path], quiet=True)
            f = result.files[0]
            assert f.status == "loaded", f
            assert set(f.reasons) <= {"superseded_in_file"}, audit.read("quarantine")
            time.sleep(0.001)  # batch ids are stamped to the microsecond
        return load_lake()

    return make


def by_id(frame: pl.DataFrame) -> dict[str, dict]:
    return {r["case_id"]: r for r in frame.iter_rows(named=True)}


def col(frame: pl.DataFrame, name: str) -> dict[str, object]:
    return dict(zip(frame["case_id"], frame[name]))


# ---------------------------------------------------------------- definitions 2-5
def test_order_ties_broken_by_case_id_in_code_points(drop):
    lake = drop(("cases", [
        C("A9", "2010-05-05 10:00", petitioner_id="P1"),
        C("A10", "2010-05-05 10:00:00", petitioner_id="P1"),  # "A10" < "A9": A10 comes first
        C("B", "2010-06-01 09:00", petitioner_id="P2"),
        C("A", "2010-06-01 09:01", petitioner_id="P2"),  # later time wins over a lower case_id
        C("Z", "2010-07-01", petitioner_id="P3"),
        C("Y", "2010-07-01 00:00", petitioner_id="P3"),  # a bare date is midnight: a tie, Y sorts first
    ]))
    f = reference_marts(lake)["fct_cases"]
    assert col(f, "is_repeat") == {"A9": True, "A10": False, "B": False, "A": True, "Z": True, "Y": False}
    assert col(f, "is_first_time") == {k: not v for k, v in col(f, "is_repeat").items()}


def test_person_key_petitioner_else_accused_one_key_space(drop):
    lake = drop(("cases", [
        C("X1", "2010-01-01", petitioner_id="P1", accused_id="Q"),
        C("X2", "2010-02-01", accused_id="Q", real_name="no"),      # key Q; X1's key is P1
        C("X3", "2010-03-01", accused_id=" p1 ", real_name="no"),   # normalised: same key as X1
        C("X4", "2010-04-01", accused_id="Q", real_name="no"),      # same key as X2
        C("X5", "2010-05-01", real_name="no"),                       # no person key at all
        C("X6", "2010-06-01", real_name="no"),
        C("X7", "2010-07-01", petitioner_id="P1", subject_code="corruption"),  # other subject
    ]))
    f = reference_marts(lake)["fct_cases"]
    assert col(f, "is_repeat") == {"X1": False, "X2": False, "X3": True, "X4": True, "X5": False,
                                   "X6": False, "X7": False}


def test_repeat_window_in_calendar_days_across_leap_years(drop):
    lake = drop(("cases", [
        C("L1", "2008-02-28", petitioner_id="P1"), C("L2", "2009-02-28 08:00", petitioner_id="P1"),  # 366 days
        C("L3", "2008-03-01", petitioner_id="P2"), C("L4", "2009-03-01", petitioner_id="P2"),        # 365 days
        C("L5", "2011-03-01 23:59", petitioner_id="P3"), C("L6", "2012-02-29 00:01", petitioner_id="P3"),  # 365
        C("L7", "2011-02-28", petitioner_id="P4"), C("L8", "2012-02-29", petitioner_id="P4"),        # 366
    ]))
    f = reference_marts(lake)["fct_cases"]
    assert col(f, "is_repeat") == {"L1": False, "L2": False, "L3": False, "L4": True,
                                   "L5": False, "L6": True, "L7": False, "L8": False}
    # a shorter window from the parameters
    f = reference_marts(lake, params=Params(repeat_window_days=364))["fct_cases"]
    assert not any(col(f, "is_repeat").values())


def test_related_case_id_earlier_later_unknown_and_self(drop):
    lake = drop(("cases", [
        C("R1", "2008-05-05", petitioner_id="A", subject_code="labour_social"),
        C("R2", "2011-05-05", petitioner_id="B", related_case_id="R1"),  # earlier: repeat, no window
        C("R3", "2009-05-05", petitioner_id="C", related_case_id="R4"),  # names a later item: ignored
        C("R4", "2010-05-05", petitioner_id="D"),
        C("R5", "2010-06-05", petitioner_id="E", related_case_id="NOPE"),  # unknown: ignored
        C("R6", "2010-07-05", petitioner_id="F", related_case_id="R6"),    # itself: ignored
    ]))
    f = reference_marts(lake)["fct_cases"]
    assert col(f, "is_repeat") == {"R1": False, "R2": True, "R3": False, "R4": False, "R5": False, "R6": False}
    pairs = same_matter_pairs(lake)
    assert pairs.rows() == [("R2", "R1", "related_case_id")]


# ---------------------------------------------------------------- definition 6
def test_skip_level_derived_flag_overrides_and_same_matter_is_pairwise(drop):
    lake = drop(("cases", [
        # flag wins both ways
        C("F1", "2010-01-10", petitioner_id="S1", petition_level="province", skip_level="no"),
        C("F2", "2010-01-11", petitioner_id="S2", petition_level="county", skip_level="yes"),
        C("F3", "2010-01-12", petitioner_id="S3", petition_level="town", jurisdiction_level="village", skip_level="是"),
        # derived: earlier same-matter item lodged at (or below) the jurisdiction level
        C("D1", "2010-02-01", petitioner_id="S4", petition_level="village", jurisdiction_level="town"),
        C("D2", "2010-08-01", petitioner_id="S4", petition_level="city", jurisdiction_level="town"),
        C("D3", "2010-09-01", petitioner_id="S5", petition_level="city", jurisdiction_level="town"),
        # the earlier item was lodged above the later item's jurisdiction: still skip
        C("D4", "2010-02-01", petitioner_id="S6", petition_level="county", jurisdiction_level="county"),
        C("D5", "2010-03-01", petitioner_id="S6", petition_level="city", jurisdiction_level="town"),
        # chain: W3 is on the same matter as W2 only (W1 is 608 days before W3)
        C("W1", "2009-01-05", petitioner_id="S7", petition_level="county"),
        C("W2", "2009-11-05", petitioner_id="S7", petition_level="city"),
        C("W3", "2010-09-05", petitioner_id="S7", petition_level="city"),
        # related_case_id chain: K3 names K2 which names K1 (K1 lodged at county)
        C("K1", "2009-01-01", petitioner_id="S8", petition_level="county"),
        C("K2", "2009-02-01", petitioner_id="S9", petition_level="province", related_case_id="K1"),
        C("K3", "2012-02-01", petitioner_id="S10", petition_level="city", related_case_id="K2"),
        # to province or centre ignores the flag
        C("P1", "2010-09-06", petitioner_id="S11", petition_level="central", jurisdiction_level="village"),
        C("P2", "2010-09-07", petitioner_id="S12", petition_level="county", jurisdiction_level="town"),
    ]))
    f = reference_marts(lake)["fct_cases"]
    assert col(f, "is_skip_level") == {
        "F1": False, "F2": True, "F3": True, "D1": False, "D2": False, "D3": True, "D4": False, "D5": True,
        "W1": False, "W2": False, "W3": True, "K1": False, "K2": False, "K3": True, "P1": True, "P2": True,
    }
    assert {k for k, v in col(f, "is_to_province_or_central").items() if v} == {"F1", "K2", "P1"}


# ---------------------------------------------------------------- definitions 7-9
def test_collective_abnormal_and_headcount(drop):
    lake = drop(("cases", [
        C("H4", "2011-04-04", channel="visit", headcount="4"),
        C("H5", "2011-04-05", channel="来访", headcount="5"),
        C("H10", "2011-04-06", channel="letter", headcount="10"),
        C("H1", "2011-04-07", channel="visit", abnormal_behaviour="self_harm"),
        C("H0", "2011-04-08", channel="phone", abnormal_behaviour="围堵冲击机关"),
    ]))
    m = reference_marts(lake)
    f = m["fct_cases"]
    assert col(f, "is_collective") == {"H4": False, "H5": True, "H10": False, "H1": False, "H0": False}
    assert col(f, "is_abnormal") == {"H4": False, "H5": False, "H10": False, "H1": True, "H0": True}
    assert col(f, "headcount") == {"H4": 4, "H5": 5, "H10": 10, "H1": 1, "H0": 1}
    f4 = reference_marts(lake, params=Params(group_threshold=4))["fct_cases"]
    assert col(f4, "is_collective")["H4"] is True
    county = m["fct_handling_performance"].row(0, named=True)
    assert county["visit_share"] == pytest.approx(3 / 5)


def test_sensitive_period_bounds_inclusive(drop):
    stamps = {"S0228": ("2011-02-28 23:59", False), "S0229": ("2012-02-29", False),
              "S0301": ("2011-03-01 00:00", True), "S0315": ("2011-03-15 23:59:59", True),
              "S0316": ("2011-03-16", False), "S0924": ("2011-09-24 23:00", False),
              "S0925": ("2011/9/25", True), "S1008": ("2011年10月8日 18:00", True), "S1009": ("2011-10-09", False)}
    lake = drop(("cases", [C(k, at) for k, (at, _) in stamps.items()]))
    f = reference_marts(lake)["fct_cases"]
    assert col(f, "is_in_sensitive_period") == {k: want for k, (_, want) in stamps.items()}


# ---------------------------------------------------------------- definitions 10-11
def test_closed_days_to_close_and_within_30_days(drop):
    lake = drop(
        ("cases", [
            C("A", "2011-01-01 10:00"), C("B", "2011-01-01"), C("C", "2011-01-05"), C("D", "2011-02-01"),
            C("E", "2011-02-02"), C("F", "2011-01-20"), C("G", "2011-01-10"),
        ]),
        ("case_events", [
            E("A", "concluded", "2011-01-31 09:00"),  # 30 days
            E("B", "concluded", "2011-02-01"),        # 31 days
            E("C", "concluded", "2011-03-01"), E("C", "concluded", "2011-01-20"),  # the first one: 15 days
            E("F", "concluded", "2011-03-05"),        # after as_of: ignored
            E("G", "concluded", "2011-01-08"),        # before receipt: -2 days
        ]),
    )
    m = reference_marts(lake, as_of=date(2011, 3, 3))
    f = m["fct_cases"]
    assert col(f, "closed_date") == {"A": date(2011, 1, 31), "B": date(2011, 2, 1), "C": date(2011, 1, 20),
                                     "D": None, "E": None, "F": None, "G": date(2011, 1, 8)}
    assert col(f, "days_to_close") == {"A": 30, "B": 31, "C": 15, "D": None, "E": None, "F": None, "G": -2}
    # D: 02-01 + 30 = 03-03 <= as_of -> False; E: 03-04 > as_of -> null (can still succeed)
    assert col(f, "is_closed_within_30d") == {"A": True, "B": False, "C": True, "D": False, "E": None,
                                              "F": False, "G": True}
    county = m["fct_handling_performance"].row(0, named=True)
    assert (county["first_time_due"], county["first_time_closed_within_30d"]) == (6, 3)
    assert county["first_time_closure_rate"] == pytest.approx(0.5)
    assert county["closed"] == 4


# ---------------------------------------------------------------- definition 12
def test_handling_due_date_extension_cap_and_on_time(drop):
    lake = drop(
        ("cases", [C("X1", "2011-01-10"), C("X2", "2011-01-10"), C("X3", "2011-01-10 23:00"),
                   C("X4", "2011-03-01"), C("X5", "2011-03-02"), C("X6", "2011-03-01")]),
        ("case_events", [
            E("X1", "extended", "2011-02-20", "20"), E("X1", "延期", "2011-03-05", "20"),  # 40 -> capped 30
            E("X1", "concluded", "2011-04-10"),                                          # = due
            E("X2", "extended", "2011-02-20", "30"), E("X2", "extended", "2011-03-01", "5"),
            E("X2", "concluded", "2011-04-11"),                                          # due + 1
            E("X3", "extended", "2011-02-20", "10"), E("X3", "concluded", "2011-03-21 17:00"),
            E("X6", "extended", "2011-05-02", "5"),                                      # after as_of
        ]),
    )
    m = reference_marts(lake, as_of=date(2011, 4, 30))
    f = m["fct_cases"]
    assert col(f, "handle_due_date") == {
        "X1": date(2011, 4, 10), "X2": date(2011, 4, 10), "X3": date(2011, 3, 21),
        "X4": date(2011, 4, 30), "X5": date(2011, 5, 1), "X6": date(2011, 4, 30)}
    assert col(f, "is_on_time") == {"X1": True, "X2": False, "X3": True, "X4": False, "X5": None, "X6": False}
    county = m["fct_handling_performance"].row(0, named=True)
    assert (county["on_time"], county["on_time_due"]) == (2, 5)
    assert county["on_time_rate"] == pytest.approx(0.4)
    capped = reference_marts(lake, as_of=date(2011, 4, 30), params=Params(max_extension_days=40))["fct_cases"]
    assert col(capped, "handle_due_date")["X1"] == date(2011, 4, 20)


def test_accepted_on_time_within_15_days(drop):
    lake = drop(
        ("cases", [C("A15", "2010-07-01 18:00"), C("A16", "2010-07-01"), C("AEARLY", "2010-07-01"),
                   C("ATWO", "2010-07-01"), C("APEND", "2010-07-20")]),
        ("case_events", [
            E("A15", "accepted", "2010-07-16 23:00"), E("A16", "受理", "2010-07-17"),
            E("AEARLY", "accepted", "2010-06-30"),
            E("ATWO", "accepted", "2010-07-30"), E("ATWO", "accepted", "2010-07-02"),
        ]),
    )
    m = reference_marts(lake, as_of=date(2010, 7, 31))
    assert col(m["fct_cases"], "is_accepted_on_time") == {
        "A15": True, "A16": False, "AEARLY": False, "ATWO": True, "APEND": None}
    assert m["fct_handling_performance"].row(0, named=True)["accepted_on_time_rate"] == pytest.approx(2 / 4)


def test_working_days_with_adjusted_weekends():
    # National Day 2011: Oct 1-7 off, Sat Oct 8 and Sun Oct 9 are working days
    assert nth_working_day_after(date(2011, 9, 30), 1) == date(2011, 10, 8)
    assert nth_working_day_after(date(2011, 9, 30), 2) == date(2011, 10, 9)
    assert nth_working_day_after(date(2011, 9, 30), 15) == date(2011, 10, 26)
    assert nth_working_day_after(date(2011, 10, 7), 15) == date(2011, 10, 26)
    assert nth_working_day_after(date(2011, 10, 14), 1) == date(2011, 10, 17)
    # Spring Festival 2012: Jan 22-28 off, Sat Jan 21 and Sun Jan 29 worked
    assert nth_working_day_after(date(2012, 1, 20), 1) == date(2012, 1, 21)
    assert nth_working_day_after(date(2012, 1, 21), 1) == date(2012, 1, 29)


def test_feedback_on_time_in_working_days(drop):
    cases = [C(k, "2011-09-01") for k in ("ON", "LATE", "BEFORE", "SAME", "OPEN")] + [
        C("ANON", "2011-09-01", real_name="匿名")]
    events = [E(k, "concluded", "2011-09-30") for k in ("ON", "LATE", "BEFORE", "SAME", "ANON")] + [
        E("ON", "feedback", "2011-10-26 17:00"), E("LATE", "feedback", "2011-10-27"),
        E("BEFORE", "feedback", "2011-09-29"), E("SAME", "feedback", "2011-09-30"),
        E("ANON", "feedback", "2011-10-10"), E("OPEN", "feedback", "2011-10-10")]
    lake = drop(("cases", cases), ("case_events", events))
    want = {
        date(2011, 11, 30): {"ON": True, "LATE": False, "BEFORE": False, "SAME": True, "OPEN": None, "ANON": None},
        date(2011, 10, 26): {"ON": True, "LATE": False, "BEFORE": False, "SAME": True, "OPEN": None, "ANON": None},
        # due day 10-26 not reached: null unless already given; the 10-26 feedback is after as_of
        date(2011, 10, 25): {"ON": None, "LATE": None, "BEFORE": None, "SAME": True, "OPEN": None, "ANON": None},
    }
    for as_of, flags in want.items():
        m = reference_marts(lake, as_of=as_of)
        assert col(m["fct_cases"], "is_feedback_on_time") == flags, as_of
    county = reference_marts(lake, as_of=date(2011, 11, 30))["fct_handling_performance"].row(0, named=True)
    assert county["feedback_on_time_rate"] == pytest.approx(0.5)


# ---------------------------------------------------------------- definitions 13-16, "latest"
def test_disposition_lead_shelved_case_opened(drop):
    lake = drop(
        ("cases", [C(k, "2011-05-01") for k in ("L1", "L2", "L3", "L4", "L5", "L6")]),
        ("case_events", [
            E("L1", "disposed", "2011-05-10 10:00", "shelved"),
            E("L2", "disposed", "2011-05-10", "talk_inquiry"), E("L2", "disposed", "2011-05-10", "暂存待查"),
            E("L3", "disposed", "2011-05-10", "shelved"), E("L3", "disposed", "2011-05-11", "closed_no_action"),
            E("L4", "case_opened", "2011-05-20"),
            E("L5", "disposed", "2011-05-10", "preliminary_verification"), E("L5", "立案", "2011-05-20"),
            E("L6", "disposed", "2011-05-10", "shelved"),
        ]),
        ("case_events", [
            E("L1", "disposed", "2011-05-10 10:00", "talk_inquiry"),  # same time, later delivery wins
            E("L6", "disposed", "2011-05-10", "talk_inquiry"),
        ]),
        # the L6 shelved event delivered again, identical: still one event at its first delivery
        ("case_events", [E("L6", "disposed", "2011-05-10", "shelved")]),
    )
    assert lake["case_events"].filter(pl.col("case_id") == "L6").height == 2
    m = reference_marts(lake)
    f = m["fct_cases"]
    assert col(f, "is_lead") == {"L1": True, "L2": True, "L3": True, "L4": False, "L5": True, "L6": True}
    assert col(f, "is_shelved") == {"L1": False, "L2": True, "L3": False, "L4": False, "L5": False, "L6": False}
    assert col(f, "is_case_opened") == {"L1": False, "L2": False, "L3": False, "L4": True, "L5": True, "L6": False}
    county = m["fct_handling_performance"].row(0, named=True)
    assert (county["leads"], county["cases_opened"], county["shelved"]) == (5, 1, 1)
    assert county["case_conversion_rate"] == pytest.approx(0.2)
    assert county["shelved_share"] == pytest.approx(1 / 6)


def test_satisfaction_latest_rating_and_weight(drop):
    lake = drop(
        ("cases", [C(k, "2011-05-01") for k in ("S1", "S2", "S3", "S4", "S5")]),
        ("case_events", [
            E("S1", "rated", "2011-06-01", "satisfied"), E("S1", "rated", "2011-06-02", "dissatisfied"),
            E("S2", "评价", "2011-06-01", "基本满意"), E("S3", "rated", "2011-06-01", "satisfied"),
            E("S4", "rated", "2011-06-01 09:00", "dissatisfied"),
        ]),
        ("case_events", [E("S4", "rated", "2011-06-01 09:00", "satisfied")]),
    )
    m = reference_marts(lake)
    assert col(m["fct_cases"], "satisfaction") == {
        "S1": "dissatisfied", "S2": "basically_satisfied", "S3": "satisfied", "S4": "satisfied", "S5": None}
    county = m["fct_handling_performance"].row(0, named=True)
    assert county["rated"] == 4 and county["satisfaction_rate"] == pytest.approx(0.75)
    assert county["satisfaction_score"] == 3.0  # S2 (basically, weight 1), S3, S4
    half = reference_marts(lake, params=Params(basically_satisfied_weight=0.5))["fct_handling_performance"]
    assert half.row(0, named=True)["satisfaction_rate"] == pytest.approx(2.5 / 4)
    assert half.row(0, named=True)["satisfaction_score"] == 2.5


def test_ceased_counts_closed_items_only(drop):
    lake = drop(
        ("cases", [C("Q1", "2011-05-01"), C("Q2", "2011-05-01"), C("Q3", "2011-05-01")]),
        ("case_events", [E("Q1", "concluded", "2011-05-10"), E("Q1", "息访", "2011-05-20"),
                         E("Q2", "concluded", "2011-05-10"), E("Q3", "ceased", "2011-05-20")]),
    )
    m = reference_marts(lake)
    assert col(m["fct_cases"], "is_ceased") == {"Q1": True, "Q2": False, "Q3": True}
    county = m["fct_handling_performance"].row(0, named=True)
    assert (county["ceased"], county["closed"]) == (1, 2) and county["ceased_rate"] == pytest.approx(0.5)


def test_cadres_latest_assigned_per_role_with_ties(drop):
    lake = drop(
        ("cases", [C("A", "2011-05-01"), C("B", "2011-05-01")]),
        ("case_events", [
            E("A", "assigned", "2011-05-01", "lead", "K5"),
            E("A", "assigned", "2011-05-02", "lead", "K1"),
            E("A", "assigned", "2011-05-02", "responsible", "K3"),
            E("A", "交办", "2011-05-02", "包保责任人", "K4"),   # same time, later row of the same file
            E("B", "assigned", "2011-05-02", "lead", "K6"),
            E("B", "assigned", "2011-06-30", "lead", "K7"),     # after as_of
        ]),
        ("case_events", [E("A", "assigned", "2011-05-02", "lead", "K2")]),  # same time, later delivery
    )
    f = reference_marts(lake, as_of=date(2011, 6, 1))["fct_cases"]
    assert col(f, "lead_cadre_id") == {"A": "K2", "B": "K6"}
    assert col(f, "responsible_cadre_id") == {"A": "K4", "B": None}


# ---------------------------------------------------------------- definitions 17-18, villages by year
def test_village_standard_each_criterion(drop):
    villages = [V(f"V{i}", "T1", 1000) for i in range(1, 8)] + [V("V8", "T1", 10000), V("V9", "T1", 10000)]
    cases = (
        [C(f"a{i}", f"2011-01-0{i + 1}", village_code="V1") for i in range(3)]          # 3.0 per 1k: pass
        + [C(f"b{i}", f"2011-01-0{i + 1}", village_code="V2") for i in range(4)]        # 4.0: fail
        + [C(f"c{i}", f"2011-02-0{i + 1}", village_code="V8", petitioner_id="PC") for i in range(3)]  # 2 repeats
        + [C(f"d{i}", f"2011-02-0{i + 1}", village_code="V9", petitioner_id="PD") for i in range(4)]  # 3 repeats
        + [C("e", "2011-03-01", village_code="V3", petition_level="city")]                  # skip-level
        + [C("f", "2011-03-01", village_code="V4", channel="visit", headcount="5")]         # collective
        + [C("g", "2011-03-01", village_code="V5", abnormal_behaviour="incite")]            # abnormal
        + [C("h", "2011-03-01", village_code="V6", channel="visit", headcount="4")]         # nothing
    )
    lake = drop(("villages", villages), ("cases", cases))
    vy = reference_marts(lake)["fct_village_year"]
    got = {r["village_code"]: (r["petitions"], r["petitions_per_1k"], r["is_meets_standard"])
           for r in vy.iter_rows(named=True)}
    assert got == {"V1": (3, 3.0, True), "V2": (4, 4.0, False), "V3": (1, 1.0, False), "V4": (1, 1.0, False),
                   "V5": (1, 1.0, False), "V6": (1, 1.0, True), "V7": (0, 0.0, True),
                   "V8": (3, 0.3, True), "V9": (4, 0.4, False)}
    assert dict(zip(vy["village_code"], vy["repeat_petitions"]))["V8"] == 2


def test_villages_by_year_unknown_codes_and_dense_months(drop):
    lake = drop(
        ("villages", [V("V1", "T1", 1000), V("V1", "T2", 2000, "2011"), V("V2", "T1", 500, "2011")]),
        ("villages", [V("V1", "T1", 1500)]),  # a later delivery replaces V1's every-year row
        ("cases", [
            C("a", "2010-11-05", village_code="V1"), C("b", "2011-01-05", village_code="V1", channel="visit", headcount="3"),
            C("c", "2010-12-05", village_code="V2"), C("d", "2011-02-05", village_code="V2"),
            C("e", "2011-02-06", village_code="ZZ"), C("f", "2011-02-07"),
        ]),
    )
    m = reference_marts(lake, as_of=date(2011, 3, 31))
    f = m["fct_cases"]
    assert col(f, "town_code") == {"a": "T1", "b": "T2", "c": None, "d": "T1", "e": None, "f": None}
    assert col(f, "village_code") == {"a": "V1", "b": "V1", "c": "V2", "d": "V2", "e": "ZZ", "f": None}
    vy = m["fct_village_year"]
    assert vy.select("village_code", "year", "town_code", "population", "petitions").rows() == [
        ("V1", 2010, "T1", 1500, 1), ("V1", 2011, "T2", 2000, 1), ("V2", 2011, "T1", 500, 1)]
    vm = m["fct_village_month"]
    # Nov 2010 .. Mar 2011: V1 in 2 months of 2010 and 3 of 2011, V2 in the 3 months of 2011
    assert vm.height == 2 + 3 + 3
    assert vm.filter(pl.col("village_code") == "V2")["month_start"].to_list() == [
        date(2011, 1, 1), date(2011, 2, 1), date(2011, 3, 1)]
    b = vm.filter((pl.col("village_code") == "V1") & (pl.col("month_start") == date(2011, 1, 1))).row(0, named=True)
    assert (b["petitions"], b["visits"], b["visit_person_times"]) == (1, 1, 3)
    olfc = {(r["scope_code"], r["year"]): r["petitions"] for r in m["fct_one_low_four_controls"].iter_rows(named=True)}
    # c: V2 is not known in 2010 (unknown_village); e: code ZZ (unknown_village); f: no code
    assert olfc == {("county", 2010): 2, ("county", 2011): 4, ("T1", 2010): 1, ("T1", 2011): 1,
                    ("T2", 2010): 0, ("T2", 2011): 1, ("county_level", 2010): 0,
                    ("county_level", 2011): 1, ("unknown_village", 2010): 1,
                    ("unknown_village", 2011): 1}


def test_one_low_four_controls_previous_year(drop):
    lake = drop(
        ("villages", [V("V1", "T1", 1000), V("V2", "T2", 1000)]),
        ("cases", [
            C("a", "2010-01-05", village_code="V1", petitioner_id="P"),
            C("b", "2010-02-05", village_code="V1", channel="visit", headcount="6"),
            C("c", "2010-03-05", village_code="V2"), C("d", "2010-04-05", village_code="X"),
            C("e", "2011-01-05", village_code="V1", petitioner_id="P", channel="visit"),  # repeat visit
            C("f", "2011-02-05", village_code="V1", channel="visit"),
            C("g", "2011-03-05", village_code="V1", channel="visit", petition_level="city"),
            C("h", "2012-03-05", village_code="V1"),
        ]),
    )
    rows = {(r["scope_code"], r["year"]): r for r in reference_marts(lake)["fct_one_low_four_controls"].iter_rows(named=True)}
    assert set(rows) == {(s, y) for s in ("county", "T1", "T2", "county_level", "unknown_village")
                         for y in (2010, 2011, 2012)}
    # d (code X) is the only item of no town: unknown_village 2010, then 0 and 0
    assert [rows[("unknown_village", y)]["petitions"] for y in (2010, 2011, 2012)] == [1, 0, 0]
    assert rows[("unknown_village", 2011)]["is_low_running"] is True
    assert [rows[("county_level", y)]["petitions"] for y in (2010, 2011, 2012)] == [0, 0, 0]
    c10, c11, c12 = rows[("county", 2010)], rows[("county", 2011)], rows[("county", 2012)]
    assert c10["petitions"] == 4 and c10["petitions_prev_year"] is None and c10["is_low_running"] is None
    assert all(c10[k] is None for k in ("is_repeat_controlled", "is_skip_level_controlled",
                                        "is_collective_controlled", "is_abnormal_controlled",
                                        "repeat_petitions_prev_year", "abnormal_petitions_prev_year"))
    assert (c11["petitions"], c11["petitions_prev_year"], c11["is_low_running"]) == (3, 4, True)
    assert (c11["repeat_petitions"], c11["repeat_petitions_prev_year"], c11["is_repeat_controlled"]) == (1, 0, False)
    assert (c11["skip_level_petitions"], c11["is_skip_level_controlled"]) == (1, False)
    assert (c11["collective_petitions"], c11["collective_petitions_prev_year"], c11["is_collective_controlled"]) == (0, 1, True)
    assert (c11["visits"], c11["repeat_visits"]) == (3, 1) and c11["repeat_visit_share"] == pytest.approx(1 / 3)
    assert c12["repeat_visit_share"] is None and c12["is_low_running"] is True
    t2 = rows[("T2", 2011)]
    assert (t2["petitions"], t2["petitions_prev_year"], t2["is_low_running"]) == (0, 1, True)
    assert rows[("T2", 2012)]["petitions_prev_year"] == 0 and rows[("T1", 2010)]["petitions"] == 2
    hp = {(r["scope_code"], r["year"]): r for r in reference_marts(lake)["fct_handling_performance"].iter_rows(named=True)}
    assert set(hp) == set(rows)
    assert hp[("county", 2011)]["visit_share"] == pytest.approx(1.0)
    assert hp[("T2", 2011)]["visit_share"] is None and hp[("T2", 2011)]["petitions"] == 0


# ---------------------------------------------------------------- as_of and delivery rules
def test_as_of_default_and_cut_off(drop):
    lake = drop(
        ("cases", [C("A", "2012-06-01"), C("B", "2011-05-15 23:00"), C("C", "2011-05-16")]),
        ("cases", [C("A", "2011-05-01")]),  # the later delivery moves A back
        ("case_events", [E("A", "concluded", "2011-06-01"), E("GHOST", "concluded", "2013-01-01")]),
    )
    assert default_as_of(lake) == date(2011, 6, 1)  # not A's superseded date, not the ghost's event
    m = reference_marts(lake)
    assert m["fct_cases"]["case_id"].to_list() == ["A", "B", "C"]
    # no villages delivered: the county and its two no-town scopes, all items county_level
    olfc = m["fct_one_low_four_controls"]
    assert olfc.select("scope_code", "year", "petitions").rows() == [
        ("county", 2011, 3), ("county_level", 2011, 3), ("unknown_village", 2011, 0)]
    early = reference_marts(lake, as_of=date(2011, 5, 15))["fct_cases"]
    assert early["case_id"].to_list() == ["A", "B"]  # B at 23:00 on the as_of day is in
    assert col(early, "closed_date") == {"A": None, "B": None}
    late = reference_marts(lake, as_of=date(2012, 2, 10))
    assert late["fct_one_low_four_controls"]["year"].unique().sort().to_list() == [2011, 2012]
    assert late["fct_handling_performance"].filter(pl.col("year") == 2012)["petitions"].to_list() == [0, 0, 0]


def test_delivery_rules_latest_case_wins_identical_events_collapse(drop):
    lake = drop(
        ("cases", [C("A", "2011-01-01", petitioner_id="P"), C("B", "2011-02-01", petitioner_id="P"),
                   C("D", "2011-01-01"), C("D", "2011-01-02", subject_code="corruption")]),
        ("case_events", [E("A", "extended", "2011-02-01", "20"), E("A", "extended", "2011-02-01", "20"),
                         E("D", "extended", "2011-02-01", "10"), E("D", "extended", "2011-02-02", "10")]),
        ("case_events", [E("A", "extended", "2011-02-01", "20")]),
        ("cases", [C("B", "2011-02-01", petitioner_id="P", subject_code="corruption")]),
    )
    f = by_id(reference_marts(lake)["fct_cases"])
    assert f["B"]["subject_code"] == "corruption" and f["B"]["is_repeat"] is False
    assert f["D"]["received_date"] == date(2011, 1, 2) and f["D"]["subject_code"] == "corruption"
    assert f["A"]["handle_due_date"] == date(2011, 3, 22)  # 60 + 20 (one event, delivered three times)
    assert f["D"]["handle_due_date"] == date(2011, 3, 23)  # 60 + 10 + 10 (different events accumulate)


# ---------------------------------------------------------------- fct_cadre_year
def test_cadre_year_repeats_after_close_and_escalations(drop):
    lake = drop(
        ("cases", [
            C("I1", "2010-02-02", petitioner_id="P", subject_code="village_affairs"),
            C("I4", "2010-02-02 18:00", petitioner_id="P", subject_code="village_affairs", petition_level="city"),
            C("I2", "2010-03-01 15:00", petitioner_id="P", subject_code="village_affairs", petition_level="city"),
            C("I3", "2010-03-02", petitioner_id="P", subject_code="village_affairs", petition_level="province",
              skip_level="no"),
            C("I5", "2012-01-01", petitioner_id="Q", related_case_id="I1"),
            C("I6", "2011-03-05", petitioner_id="P", subject_code="village_affairs", petition_level="province"),
        ]),
        ("case_events", [
            E("I1", "assigned", "2010-02-03", "lead", "K1"), E("I1", "assigned", "2010-02-03", "responsible", "K1"),
            E("I4", "assigned", "2010-02-03", "responsible", "K1"),
            E("I2", "assigned", "2010-03-02", "lead", "K2"),
            E("I1", "concluded", "2010-03-01"),
        ]),
    )
    cy = {r["cadre_id"]: r for r in reference_marts(lake)["fct_cadre_year"].iter_rows(named=True)}
    assert set(cy) == {"K1", "K2"}
    k1 = cy["K1"]
    assert (k1["year"], k1["cases_as_lead"], k1["cases_as_responsible"], k1["closed"]) == (2010, 1, 2, 1)
    # after I1 closed (2010-03-01): I3 (03-02) and I5 (names I1); I2 came on the closed date itself
    assert k1["repeats_after_close"] == 2
    # later date and lodged above its jurisdiction: I2, I3 (its "no" flag ignored); I4 is the same day
    assert k1["escalations"] == 2
    assert k1["on_time_rate"] == pytest.approx(0.5)  # I1 on time, I4 open and overdue
    assert k1["ceased_rate"] == 0.0 and k1["satisfaction_rate"] is None
    k2 = cy["K2"]
    assert (k2["cases_as_lead"], k2["closed"], k2["repeats_after_close"], k2["escalations"]) == (1, 0, 0, 1)
    assert k2["ceased_rate"] is None and k2["on_time_rate"] == 0.0


# ---------------------------------------------------------------- the random drop
def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.iterdir()):
        h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


def test_random_drop_is_deterministic_loads_cleanly_and_adds_up(tmp_path, monkeypatch):
    monkeypatch.setenv("XINFANG_HOME", str(tmp_path / "home"))
    write_random_drop(tmp_path / "a", seed=7)
    write_random_drop(tmp_path / "b", seed=7)
    write_random_drop(tmp_path / "c", seed=8)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b") != _digest(tmp_path / "c")
    result = ingest_paths([tmp_path / "a"], quiet=True)
    assert [f.status for f in result.files] == ["loaded"] * 7
    assert sum(f.rows_quarantined for f in result.files) == 0
    lake = load_lake()
    m = reference_marts(lake)  # its time: benchmarks/timings.py
    f = m["fct_cases"]
    assert f.height == lake["cases"].height == 400 and f["case_id"].n_unique() == 400
    for name, frame in m.items():
        assert frame.columns == CONTRACT_COLUMNS[name], name
    # village months add up to village years; village years to towns; towns to at most the county
    vm = m["fct_village_month"].with_columns(pl.col("month_start").dt.year().cast(pl.Int64).alias("year"))
    by_year = vm.group_by("village_code", "year").agg(pl.col("petitions").sum()).sort("village_code", "year")
    assert by_year.rows() == m["fct_village_year"].select("village_code", "year", "petitions").sort("village_code", "year").rows()
    olfc = m["fct_one_low_four_controls"]
    county = olfc.filter(pl.col("scope_type") == "county")
    towns = olfc.filter(pl.col("scope_type") == "town").group_by("year").agg(pl.col("petitions").sum()).sort("year")
    assert (county.sort("year")["petitions"] >= towns["petitions"]).all()
    per_year = f.group_by(pl.col("received_date").dt.year().cast(pl.Int64).alias("year")).len().sort("year")
    assert county.sort("year")["petitions"].to_list() == per_year["len"].to_list()
    # every edge the drop promises is present
    edges = by_id(f)
    assert edges["E-LEAP-4"]["is_repeat"] and not edges["E-LEAP-2"]["is_repeat"]
    assert edges["E-TIE-9"]["is_repeat"] and not edges["E-TIE-10"]["is_repeat"]
    assert edges["E-CROSS-2"]["is_repeat"] and edges["E-SKIP-8"]["is_skip_level"]
    assert edges["E-LATEST"]["lead_cadre_id"] == "K03" and edges["E-LATEST"]["satisfaction"] == "dissatisfied"
    assert edges["E-EXT-1"]["is_on_time"] and not edges["E-EXT-2"]["is_on_time"]
    assert edges["E-FB-ON"]["is_feedback_on_time"] and edges["E-FB-LATE"]["is_feedback_on_time"] is False
    assert edges["E-PEND-10"]["is_on_time"] is None and edges["E-PEND-10"]["is_closed_within_30d"] is None
    assert edges["E-EARLY-EV"]["days_to_close"] == -2 and edges["E-UNK-1"]["town_code"] is None
    assert (m["fct_cadre_year"]["cases_as_lead"] + m["fct_cadre_year"]["cases_as_responsible"]).max() >= 10


def test_items_without_a_town_fall_in_the_no_town_scopes(drop):
    """Hand-worked (CONTRACT §4 "Scopes add up"): in 2011 village A1 of town T1 is known, A9
    only in 2010. Items: two in A1, one with no village code, one with the county's own code,
    one in A9 (not known in 2011) and one in a code nobody delivered. County 6 = T1 2 +
    county_level 2 + unknown_village 2."""
    lake = drop(
        ("villages", [V("A1", "T1", 1000), V("A9", "T9", 500, "2010")]),
        ("cases", [C("K1", "2011-03-20", village_code="A1"), C("K2", "2011-04-02", village_code="A1"),
                   C("K3", "2011-04-03"), C("K4", "2011-04-04", village_code="320982000000"),
                   C("K5", "2011-04-05", village_code="A9"), C("K6", "2011-04-06", village_code="ZZ")]),
    )
    m = reference_marts(lake)
    for mart in ("fct_one_low_four_controls", "fct_handling_performance"):
        rows = {(r["scope_type"], r["scope_code"]): r["petitions"]
                for r in m[mart].filter(pl.col("year") == 2011).iter_rows(named=True)}
        # T9 is not a scope: its only village is known in 2010, outside the years of data
        assert rows == {("county", "county"): 6, ("town", "T1"): 2,
                        ("no_town", "county_level"): 2, ("no_town", "unknown_village"): 2}, mart
