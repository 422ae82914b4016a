"""The real-data lane (issue 6): three public sets of real complaints, loaded through the
shipped source mappings, built, and checked against what their READMEs count.

The data stay outside the repository: ../shared/realdata beside it, or $XINFANG_REALDATA.
Without them every test here is skipped and the reason is printed (pytest -ra). Nothing of the
data is copied into the repository: expected values are counts, and whatever a test needs
from the files (ids, titles, phone numbers) it reads from them at run time.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from pipelines import audit
from pipelines.build import build_warehouse
from pipelines.ingest import ingest_paths
from pipelines.ingest.mapping import MAPPINGS_DIR
from pipelines.ingest.read import file_format
from pipelines.warehouse import connect

REALDATA = Path(os.environ.get("XINFANG_REALDATA") or Path(__file__).resolve().parents[2] / "shared" / "realdata")
WENZHENG = REALDATA / "cn-wenzheng-tipdm2020"
SHANGLUO = REALDATA / "cn-shangluo-mayor-mailbox"
LA311 = REALDATA / "la311-hackforla"

pytestmark = pytest.mark.skipif(
    not all(p.is_dir() for p in (WENZHENG, SHANGLUO, LA311)),
    reason=f"real data not found at {REALDATA} (set XINFANG_REALDATA to the folder holding "
           "cn-wenzheng-tipdm2020, cn-shangluo-mayor-mailbox and la311-hackforla)",
)

# (file, mapping output) -> (rows read, rows loaded, quarantined by reason); docs/realdata.md
WZ_FILES = {
    "fj3_messages_votes": {"cases": (4326, 4326, {})},
    "fj4_messages_replies": {"cases": (2816, 2816, {}), "concluded": (2816, 2816, {}), "feedback": (2816, 2816, {})},
    "test_messages_unlabelled": {"cases": (2801, 2801, {})},
}
EXPECTED = {
    **{(f"{stem}.{ext}", out): v for stem, outs in WZ_FILES.items() for ext in ("csv", "xlsx") for out, v in outs.items()},
    **{(name, out): v for name in ("shangluo_mailbox_2021-04-14.csv",) for out, v in {
        "cases": (829, 820, {"missing_required": 9}),
        "concluded": (829, 819, {"missing_required": 9, "bad_date": 1}),
        "feedback": (829, 819, {"missing_required": 9, "bad_date": 1}),
    }.items()},
    **{(name, out): v for name in ("shangluo_mailbox_2022-05-13.csv",) for out, v in {
        "cases": (1179, 1170, {"missing_required": 9}),
        "concluded": (1179, 1166, {"missing_required": 9, "bad_date": 4}),
        "feedback": (1179, 1166, {"missing_required": 9, "bad_date": 4}),
    }.items()},
    ("la311_2017-12-27_to_31.csv", "cases"): (9999, 9999, {}),
    ("la311_2017-12-27_to_31.csv", "concluded"): (9739, 9739, {}),
    ("la311_2018-01-01_to_04.csv", "cases"): (10000, 10000, {}),
    ("la311_2018-01-01_to_04.csv", "concluded"): (9711, 9711, {}),
    ("la311_2018-12-27_to_31_enriched.csv", "cases"): (10000, 10000, {}),
    ("la311_2018-12-27_to_31_enriched.csv", "concluded"): (9568, 9566, {"bad_date": 2}),
    ("la311_2020-01-01_to_03.csv", "cases"): (10000, 10000, {}),
    ("la311_2020-01-01_to_03.csv", "concluded"): (9723, 9705, {"missing_required": 18}),
    ("la311_2020-01-01_to_03_altformat.csv", "cases"): (10000, 10000, {}),
    ("la311_2020-01-01_to_03_altformat.csv", "concluded"): (9723, 9705, {"missing_required": 18}),
}
REFUSED = {"fj1_category_taxonomy.csv", "fj1_category_taxonomy.xlsx"}  # a topic list, not messages
WZ_CSV = {"fj3": "fj3_messages_votes.csv", "fj4": "fj4_messages_replies.csv", "test": "test_messages_unlabelled.csv"}
LA_FORMATS = ["%m/%d/%Y %I:%M:%S %p", "%Y-%m-%d %H:%M:%S", "%m/%d/%y %H:%M"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """All three sets loaded in delivery order (the 问政 CSVs, then the same files as XLSX;
    the mailbox's two snapshots; the five 311 extracts), then one build."""
    root = tmp_path_factory.mktemp("realdata")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XINFANG_HOME", str(root / "home"))
        runs = {}
        for name, folder in (("message_board", WENZHENG), ("mayor_mailbox", SHANGLUO), ("city_311", LA311)):
            runs[name] = ingest_paths([folder], mapping=MAPPINGS_DIR / f"{name}.yaml", quiet=True)
        build_id = build_warehouse()
        yield {"home": root / "home", "runs": runs, "build": build_id}


def query(sql: str, params: list | None = None) -> pl.DataFrame:
    with connect(require_build=True) as con:
        return con.sql(sql, params=params).pl()


def mailbox(name: str) -> pl.DataFrame:
    frame = pl.read_csv(SHANGLUO / name, infer_schema=False)
    frame = frame.rename({frame.columns[0]: "mail_id"})  # letter_id in the first snapshot
    return frame.with_columns((pl.lit("SL-") + pl.col("url").str.extract(r"leadermailid=(\d+)", 1)).alias("case_id"))


def la311(name: str) -> pl.DataFrame:
    frame = pl.read_csv(LA311 / name, infer_schema=False)
    frame.columns = [c.lower() for c in frame.columns]

    def parsed(col: str) -> pl.Expr:
        return pl.coalesce([pl.col(col).str.strptime(pl.Datetime("us"), f, strict=False) for f in LA_FORMATS])

    return frame.with_columns((pl.lit("LA-") + pl.col("srnumber")).alias("case_id"),
                              parsed("createddate").alias("created"), parsed("closeddate").alias("closed"))


def quarantined_ids(mapping_output: str, reason: str) -> set[str]:
    ledger = audit.read("load_ledger").filter(pl.col("mapping_output") == mapping_output)
    q = audit.read("quarantine").filter(pl.col("batch_id").is_in(ledger["batch_id"].to_list()) & (pl.col("reason") == reason))
    return {json.loads(v)["case_id"] for v in q["original_values"]}


# ---------------------------------------------------------------- every file, every row
def test_every_file_is_read_and_every_record_adds_up(warehouse):
    ledger = audit.read("load_ledger")
    delivered = {p.name for p in REALDATA.rglob("*") if p.is_file() and file_format(p)}
    assert {Path(f).name for f in ledger["file_name"]} == delivered  # every data file was read
    assert (ledger["rows_read"] == ledger["rows_loaded"] + ledger["rows_quarantined"]).all()

    refused = ledger.filter(pl.col("status") == "refused")
    assert {Path(f).name for f in refused["file_name"]} == REFUSED
    assert warehouse["runs"]["message_board"].exit_code == 2  # a refused file is exit status 2
    assert warehouse["runs"]["mayor_mailbox"].exit_code == warehouse["runs"]["city_311"].exit_code == 0

    q = audit.read("quarantine")
    got = {}
    for r in ledger.filter(pl.col("status") == "loaded").iter_rows(named=True):
        reasons = Counter(q.filter(pl.col("batch_id") == r["batch_id"])["reason"].to_list())
        assert sum(reasons.values()) == r["rows_quarantined"]
        got[(Path(r["file_name"]).name, r["mapping_output"].split("/")[1])] = (r["rows_read"], r["rows_loaded"], dict(reasons))
    assert got == EXPECTED
    # the primary output of each file read every source row the READMEs count
    assert sum(v[0] for (f, out), v in EXPECTED.items() if out == "cases" and f.endswith(".csv")) == \
        9943 + 829 + 1179 + 49999


def test_case_counts_after_the_build(warehouse):
    counts = dict(query("select left(case_id, 3), count(*) from marts.fct_cases group by 1").iter_rows())
    letters = pl.concat([mailbox("shangluo_mailbox_2021-04-14.csv"), mailbox("shangluo_mailbox_2022-05-13.csv")])
    dated = letters.filter(pl.col("query_date").is_not_null())["case_id"].n_unique()
    assert counts == {"WZ-": 9943, "SL-": dated, "LA-": 39999}
    staged = query("select count(*) as n, count(distinct case_id) as ids from staging.stg_lake__cases").row(0)
    assert staged[0] == staged[1] == sum(counts.values())


# ---------------------------------------------------------------- the mailbox's two deliveries
def test_second_mailbox_delivery_replaces_edited_letters(warehouse):
    first = mailbox("shangluo_mailbox_2021-04-14.csv")
    second = mailbox("shangluo_mailbox_2022-05-13.csv")
    both = first.join(second, on="case_id", suffix="_2")
    edited = both.filter(
        pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"{c}_2")) for c in ("query", "reply", "reply_date")])
    )
    assert edited.height == 38 + 17 + 2  # README: letters, replies and reply dates changed
    ids = edited.filter(pl.col("query_date").is_not_null())["case_id"].to_list()

    later = audit.read("load_ledger").filter(
        pl.col("file_name").str.ends_with("shangluo_mailbox_2022-05-13.csv") & (pl.col("mapping_output") == "mayor_mailbox/cases")
    )["batch_id"].item()
    rows = query("select case_id, batch_id from staging.stg_lake__cases where case_id in (select unnest(?::varchar[]))", [ids])
    assert rows.height == len(ids) == rows["case_id"].n_unique()  # replaced, not duplicated
    assert set(rows["batch_id"]) == {later}  # each edited letter is the later delivery's row
    assert query("select count(*) from marts.fct_cases where case_id in (select unnest(?::varchar[]))", [ids]).item() == len(ids)

    # a changed reply date is a new `concluded` event (events accumulate, CONTRACT §2.4); the
    # item stays closed at its first conclusion (§3.10)
    moved = both.filter(pl.col("reply_date").ne_missing(pl.col("reply_date_2")))
    assert moved.height == 2
    for r in moved.iter_rows(named=True):
        events = query(
            "select event_date from staging.stg_lake__case_events where case_id = ? and event_type = 'concluded' order by 1",
            [r["case_id"]],
        )["event_date"].to_list()
        old, new = date.fromisoformat(r["reply_date"]), date.fromisoformat(r["reply_date_2"])
        assert events == sorted([old, new])
        closed = query("select closed_date from marts.fct_cases where case_id = ?", [r["case_id"]]).item()
        assert closed == min(old, new)

    # letters the later snapshot no longer carries stay as last delivered
    gone = set(first["case_id"]) - set(second["case_id"])
    assert len(gone) == 3
    assert query("select count(*) from marts.fct_cases where case_id in (select unnest(?::varchar[]))", [list(gone)]).item() == 3


# ---------------------------------------------------------------- 311: declared date formats
def test_311_dates_are_parsed_with_the_declared_formats(warehouse):
    alt = la311("la311_2020-01-01_to_03_altformat.csv")
    first = alt.row(0, named=True)
    assert first["createddate"] == "1/1/20 0:05"  # the trap: a guesser reads year 1
    altformat_batch = audit.read("load_ledger").filter(
        pl.col("file_name").str.ends_with("altformat.csv") & (pl.col("mapping_output") == "city_311/cases")
    )["batch_id"].item()
    row = query("select received_at, batch_id from staging.stg_lake__cases where case_id = ?", [first["case_id"]]).row(0)
    assert row == (datetime(2020, 1, 1, 0, 5), altformat_batch)  # year 2020, from the later delivery
    old = la311("la311_2017-12-27_to_31.csv").row(0, named=True)
    assert old["createddate"] == "12/31/2017 11:59:58 PM"
    got = query("select received_at from staging.stg_lake__cases where case_id = ?", [old["case_id"]]).item()
    assert got == datetime(2017, 12, 31, 23, 59, 58)
    span = query(
        "select min(received_date), max(received_date), min(closed_date), count(closed_date) "
        "from marts.fct_cases where case_id like 'LA-%'"
    ).row(0)
    assert span[:2] == (date(2017, 12, 27), date(2020, 1, 3))
    assert span[2] >= date(2017, 12, 27) and span[3] > 38000


def test_311_duplicate_delivery_counts_once(warehouse):
    alt = la311("la311_2020-01-01_to_03_altformat.csv")
    ids = alt["case_id"].to_list()
    got = query(
        "select count(*), count(distinct case_id) from staging.stg_lake__cases where case_id in (select unnest(?::varchar[]))", [ids]
    ).row(0)
    assert got == (10000, 10000)
    # a close time delivered twice (2020-01-02 08:43:00 and 1/2/20 8:43) is one event
    events = query(
        "select count(*) from staging.stg_lake__case_events where case_id = ? and event_type = 'concluded'", [ids[0]]
    ).item()
    assert events == 1


# ---------------------------------------------------------------- replies before their letter
def test_replies_dated_before_their_letter_are_quarantined_not_accepted(warehouse):
    letters = pl.concat([mailbox("shangluo_mailbox_2021-04-14.csv"), mailbox("shangluo_mailbox_2022-05-13.csv")])
    early = set(letters.filter(pl.col("reply_date") < pl.col("query_date"))["case_id"])
    assert len(early) == 4  # README: three by a year (a typo), one by 7 days
    for output in ("mayor_mailbox/concluded", "mayor_mailbox/feedback"):
        assert quarantined_ids(output, "bad_date") == early
    q = audit.read("quarantine").filter(pl.col("reason") == "bad_date")
    assert set(q["detail"]) >= {"event_at before query_date", "event_at before CreatedDate"}
    # the letters themselves are loaded, and open
    rows = query("select case_id, closed_date from marts.fct_cases where case_id in (select unnest(?::varchar[]))", [list(early)])
    assert rows.height == 4 and rows["closed_date"].null_count() == 4

    closed_late = la311("la311_2018-12-27_to_31_enriched.csv").filter(
        (pl.col("status") == "Closed") & (pl.col("closed").dt.date() < pl.col("created").dt.date())
    )
    assert quarantined_ids("city_311/concluded", "bad_date") == set(closed_late["case_id"])
    # nothing in the warehouse concludes before it was received
    assert query(
        "select count(*) from staging.stg_lake__case_events e join staging.stg_lake__cases c using (case_id) "
        "where e.event_date < c.received_date"
    ).item() == 0


# ---------------------------------------------------------------- repeat posters
def test_repeat_detection_finds_the_boards_repeat_posters(warehouse):
    posts = pl.concat([
        pl.read_csv(WENZHENG / "csv" / name, infer_schema=False).select(
            (pl.lit(f"WZ-{tag}-") + pl.col("留言编号")).alias("case_id"), pl.col("留言用户").alias("user"))
        for tag, name in WZ_CSV.items()
    ])
    flags = query("select case_id, is_repeat from marts.fct_cases where case_id like 'WZ-%'")
    per_user = posts.join(flags, on="case_id").group_by("user").agg(
        pl.len().alias("items"), pl.col("is_repeat").sum().alias("repeats")
    )
    frequent = per_user.filter(pl.col("items") >= 5)
    assert frequent.height > 50 and (frequent["repeats"] > 0).all()  # every frequent poster is found
    top = per_user.sort("items", "user", descending=[True, False])
    assert (per_user["repeats"] <= per_user["items"] - 1).all()  # a poster's first item is first-time
    assert per_user.filter(pl.col("items") == 1)["repeats"].sum() == 0  # no repeat without a repeat poster
    assert per_user.filter(pl.col("repeats") > 0).height > per_user.filter(pl.col("items") > 1).height / 2
    # the person key is one keyed hash per poster, not the board's user id
    keys = query(
        "select count(distinct petitioner_key), max(length(petitioner_key)) from staging.stg_lake__cases "
        "where case_id in (select unnest(?::varchar[]))",
        [posts.filter(pl.col("user") == top["user"][0])["case_id"].to_list()],
    ).row(0)
    assert keys == (1, 64)


# ---------------------------------------------------------------- privacy
def test_no_free_text_or_raw_identity_under_home(warehouse):
    """Titles, bodies and replies are read by the mappings' rules only, and user ids are hashed:
    none of them reaches the lake, the audit records or the build."""
    needles: set[str] = set()
    for name in WZ_CSV.values():
        frame = pl.read_csv(WENZHENG / "csv" / name, infer_schema=False)
        needles |= set(frame["留言用户"].value_counts(sort=True)["留言用户"].head(5))
        needles |= {t.strip() for t in frame["留言主题"].head(5)}
    for name in ("shangluo_mailbox_2021-04-14.csv", "shangluo_mailbox_2022-05-13.csv"):
        frame = mailbox(name)
        needles |= {t.strip() for t in frame["title"].head(5)}
        text = "\n".join(frame["query"].drop_nulls()) + "\n".join(frame["reply"].drop_nulls())
        needles |= set(re.findall(r"(?<!\d)1[3-9]\d{9}(?!\d)", text)[:10])  # phone numbers in letters
    needles = {n for n in needles if len(n) >= 6}
    assert len(needles) > 20
    raw = [n.encode() for n in needles]
    for p in warehouse["home"].rglob("*"):
        if not p.is_file():
            continue
        data = p.read_bytes()
        assert not [n for n in raw if n in data], p
        if p.suffix == ".parquet":
            text = pl.read_parquet(p).write_csv()
            assert not [n for n in needles if n in text], p
