"""`xinfang demo-data`: determinism, the file mix, identities, the calibration against the
Dafeng figures, damaged deliveries, and the bounded-memory scale run.

The figures are computed here from the written files, with a small reader and SQL of the
test's own (not the warehouse's code), following CONTRACT §3.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import subprocess
import sys
import threading
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from pipelines import seeds
from pipelines.demo_data import write_demo
from pipelines.demo_data.identity import is_valid_id
from pipelines.errors import UsageError
from pipelines.labels import from_files

REPO = Path(__file__).resolve().parent.parent
COUNTY_FILES = {
    "villages.xlsx",
    "cadres.csv",
    "cases_2009.csv",
    "cases_2010.xlsx",
    "cases_2011.csv",
    "case_events_2009.csv",
    "case_events_2010.xlsx",
    "case_events_2011.csv",
    "nominations.csv",
    "surveys.csv",
    "information_adoptions.csv",
}
DATE_RE = re.compile(
    r"^(?:\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日)"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
NAME_PHONE_RE = re.compile(r"^[\u4e00-\u9fff]{2,3} 1[3-9]\d{9}$")


# ---------------------------------------------------------------- fixtures
@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("XINFANG_HOME", str(tmp_path / "home"))


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    """The default drop, written once for the module."""
    out = tmp_path_factory.mktemp("drop")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XINFANG_HOME", str(tmp_path_factory.mktemp("home")))
        write_demo(out=out, quiet=True)
    return out


# ---------------------------------------------------------------- an independent reader
def _text(path: Path) -> str:
    raw = path.read_bytes()
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _header_map(entity: str) -> dict[str, str]:
    out = {}
    for col in seeds.input_columns(entity):
        out[col.name] = col.name
        out[col.label_zh] = col.name
    return out


def _parse_dates(expr: pl.Expr) -> pl.Expr:
    g = expr.str.extract_groups(
        r"^(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
    )
    parts = [g.struct.field(str(i)) for i in range(1, 7)]
    text = pl.concat_str(
        [
            parts[0],
            pl.lit("-"),
            parts[1].str.zfill(2),
            pl.lit("-"),
            parts[2].str.zfill(2),
            pl.lit(" "),
            parts[3].fill_null("0").str.zfill(2),
            pl.lit(":"),
            parts[4].fill_null("00"),
            pl.lit(":"),
            parts[5].fill_null("00"),
        ]
    )
    return text.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S")


def read_entity(path: Path, entity: str) -> pl.DataFrame:
    """A delivered file as English columns and codes; dates parsed."""
    if path.suffix == ".xlsx":
        frame = pl.read_excel(path, infer_schema_length=None)
        frame = frame.with_columns(
            pl.col(c).dt.strftime("%Y-%m-%d %H:%M:%S")
            if frame.schema[c] == pl.Datetime
            else pl.col(c).cast(pl.String)
            for c in frame.columns
        )
    elif path.suffix == ".parquet":
        frame = pl.read_parquet(path)
        frame = frame.with_columns(
            pl.col(c).dt.strftime("%Y-%m-%d %H:%M:%S")
            if frame.schema[c] == pl.Datetime
            else pl.col(c).cast(pl.String)
            for c in frame.columns
        )
    else:
        frame = pl.read_csv(io.StringIO(_text(path)), infer_schema=False)
    frame = frame.rename(_header_map(entity), strict=False)
    exprs = []
    for col in seeds.input_columns(entity):
        if col.name not in frame.columns:
            continue
        e = pl.col(col.name)
        if col.value_type == "datetime":
            e = _parse_dates(e)
        elif col.vocabulary:
            e = e.str.to_lowercase().replace_strict(seeds.vocabulary(col.vocabulary), default=None)
        elif col.value_type in ("positive_integer", "count", "year"):
            e = e.cast(pl.Int64)
        exprs.append(e.alias(col.name))
    out = frame.select(exprs)
    if entity == "case_events":
        detail = {}
        for vocab in ("assign_role", "disposition", "rating"):
            detail.update(seeds.vocabulary(vocab))
        out = out.with_columns(
            pl.col("detail").str.to_lowercase().replace_strict(detail, default=pl.col("detail"))
        )
    return out


def read_drop(folder: Path, entity: str) -> pl.DataFrame:
    files = sorted(
        p
        for p in folder.iterdir()
        if p.name.split(".")[0].rsplit("_", 1)[0] == entity or p.stem == entity
    )
    return pl.concat([read_entity(p, entity) for p in files], how="diagonal_relaxed")


# ---------------------------------------------------------------- the figures, per CONTRACT §3
FLAGS_SQL = """
with c as (
  select *, cast(received_at as date) as d, year(received_at) as y,
    coalesce(nullif(upper(trim(petitioner_id)), ''), nullif(upper(trim(accused_id)), '')) as pkey,
    list_position(['village','town','county','city','province','central'], coalesce(petition_level, 'county')) as pr,
    list_position(['village','town','county','city','province','central'], coalesce(jurisdiction_level, 'county')) as jr
  from cases),
same_matter as (  -- j precedes i and is on the same matter
  select i.case_id as i_id, j.pr as j_pr
  from c i join c j
    on (j.received_at < i.received_at or (j.received_at = i.received_at and j.case_id < i.case_id))
   and (j.case_id = i.related_case_id
        or (j.pkey = i.pkey and j.subject_code = i.subject_code and i.d - j.d <= 365))),
flags as (
  select c.*,
    exists (select 1 from same_matter s where s.i_id = c.case_id) as is_repeat,
    case when skip_level = 'yes' then true when skip_level = 'no' then false
         else pr > jr and not exists (select 1 from same_matter s where s.i_id = c.case_id and s.j_pr <= c.jr)
    end as is_skip,
    channel = 'visit' and coalesce(headcount, 1) >= 5 as is_collective,
    coalesce(abnormal_behaviour, '') <> '' as is_abnormal
  from c),
closed as (select case_id, min(cast(event_at as date)) as closed_date from events where event_type = 'concluded' group by 1),
disposed as (select case_id, arg_max(detail, event_at) as disposition from events where event_type = 'disposed' group by 1),
opened as (select distinct case_id from events where event_type = 'case_opened'),
as_of as (select greatest((select max(cast(received_at as date)) from cases),
                          (select max(cast(event_at as date)) from events)) as a)
select flags.*, closed.closed_date,
  case when closed.closed_date is not null then closed.closed_date - flags.d <= 30
       when flags.d + 30 <= (select a from as_of) then false end as within_30,
  disposed.case_id is not null as is_lead,
  coalesce(disposed.disposition = 'shelved', false) as is_shelved,
  disposed.case_id is not null and opened.case_id is not null as is_case_opened
from flags left join closed using (case_id) left join disposed using (case_id)
  left join opened using (case_id)
"""


def item_flags(cases: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    con = duckdb.connect()
    con.register("cases", cases)
    con.register("events", events)
    try:
        return con.sql(FLAGS_SQL).pl()
    finally:
        con.close()


@pytest.fixture(scope="module")
def figures(county):
    cases = read_drop(county, "cases")
    events = read_drop(county, "case_events")
    villages = read_drop(county, "villages")
    return cases, events, villages, item_flags(cases, events)


# ---------------------------------------------------------------- the drop itself
def test_file_mix(county):
    names = {p.name for p in county.iterdir()}
    assert names == COUNTY_FILES  # no temporaries left behind
    gb = (county / "cases_2009.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gb.decode("utf-8")
    assert gb.decode("gb18030").startswith("信访件编号,收件日期,信访方式")
    assert b"\r\n" in gb
    ev9 = (county / "case_events_2009.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        ev9.decode("utf-8")
    bom = (county / "case_events_2011.csv").read_bytes()
    assert bom.startswith(codecs.BOM_UTF8)
    assert bom[3:].decode("utf-8").startswith("信访件编号,环节,时间")
    plain = (county / "cases_2011.csv").read_bytes()
    assert not plain.startswith(codecs.BOM_UTF8)
    assert plain.decode("utf-8").startswith("case_id,received_at,channel,")
    assert (county / "cadres.csv").read_bytes().decode("utf-8").startswith("干部编号,姓名,单位")

    wb = openpyxl.load_workbook(county / "villages.xlsx", read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    assert list(rows[0]) == [
        "村居代码",
        "村居名称",
        "镇区代码",
        "镇区名称",
        "类型",
        "户籍人口",
        "年度",
    ]
    assert {r[4] for r in rows[1:]} == {"村", "社区"}
    wb = openpyxl.load_workbook(county / "cases_2010.xlsx", read_only=True)
    rows = wb.active.iter_rows(values_only=True)
    header = next(rows)
    assert header[:3] == ("信访件编号", "收件日期", "信访方式")
    first = next(rows)
    assert isinstance(first[1], datetime)  # a real Excel date cell
    assert isinstance(first[9] or "", str)  # ID numbers stay text


def test_geography_and_cadres(county):
    villages = read_entity(county / "villages.xlsx", "villages").filter(pl.col("year") == 2011)
    assert villages["town_code"].n_unique() == 14
    assert 250 <= villages.height <= 310
    assert 680_000 <= villages["population"].sum() <= 760_000
    assert villages["population"].min() < 1000 and villages["population"].max() > 5000
    assert villages["village_code"].str.contains(r"^320982\d{6}$").all()
    assert (villages["village_code"].str.slice(0, 9) == villages["town_code"]).all()
    assert villages["village_name"].str.contains(r"(村|社区)$").all()
    cadres = read_entity(county / "cadres.csv", "cadres")
    assert 150 <= cadres.height <= 250
    assert (
        cadres["cadre_id"].str.contains(r"^C\d{4}$").all() and cadres["cadre_id"].is_unique().all()
    )
    events = read_drop(county, "case_events")
    assigned = events.filter(pl.col("event_type") == "assigned")
    assert assigned["cadre_id"].is_in(cadres["cadre_id"].implode()).all()
    assert set(assigned["detail"].unique()) == {"lead", "responsible"}


def test_vocabularies_match_seeds(county):
    cases = read_drop(county, "cases")
    for col in seeds.input_columns("cases"):
        if col.vocabulary and col.name in cases.columns:
            raw = cases[col.name]
            assert raw.null_count() == 0 or not col.required, col.name
    # every raw value mapped: a label the seeds do not know would have become null
    raw = pl.read_csv(io.StringIO(_text(county / "cases_2009.csv")), infer_schema=False)
    assert raw["信访方式"].null_count() == 0
    assert cases["channel"].null_count() == 0 and cases["category"].null_count() == 0
    assert cases["real_name"].null_count() == 0 and cases["subject_code"].null_count() == 0
    assert set(cases["channel"].unique()) == set(from_files().vocab_map("channel"))
    events = read_drop(county, "case_events")
    assert events["event_type"].null_count() == 0
    known = {
        "accepted",
        "assigned",
        "extended",
        "disposed",
        "case_opened",
        "concluded",
        "feedback",
        "rated",
        "published",
        "ceased",
        "review_requested",
    }
    assert known <= set(events["event_type"].unique())
    ext = events.filter(pl.col("event_type") == "extended")["detail"].cast(pl.Int64)
    assert ext.is_between(1, 30).all()


def test_dates_in_accepted_forms(county):
    for name in (
        "cases_2009.csv",
        "cases_2011.csv",
        "case_events_2009.csv",
        "case_events_2011.csv",
    ):
        frame = pl.read_csv(io.StringIO(_text(county / name)), infer_schema=False)
        col = frame.columns[1] if name.startswith("cases") else frame.columns[2]
        bad = frame.filter(~pl.col(col).str.contains(DATE_RE.pattern))
        assert bad.height == 0, (name, bad.head(3))
    wb = openpyxl.load_workbook(county / "case_events_2010.xlsx", read_only=True)
    for row in list(wb.active.iter_rows(min_row=2, values_only=True))[:2000]:
        assert DATE_RE.match(row[2]), row
    # several forms across files, none with two-digit years
    assert "年" in _text(county / "cases_2009.csv")
    assert re.search(
        r"\n[^,]*,[^,]*,\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}:\d{2}",
        _text(county / "case_events_2009.csv"),
    )
    assert "T" in str(
        next(
            openpyxl.load_workbook(
                county / "case_events_2010.xlsx", read_only=True
            ).active.iter_rows(min_row=2, max_row=2, values_only=True)
        )[2]
    )


def test_identities_look_real(county):
    cases = read_drop(county, "cases")
    values = pl.concat([cases["petitioner_id"], cases["accused_id"]]).drop_nulls().to_list()
    ids = [v for v in values if len(v) == 18]
    others = [v for v in values if len(v) != 18]
    assert len(ids) > 1000 and len(others) > 100
    assert all(is_valid_id(v) for v in ids)
    assert sum(v.startswith("320982") for v in ids) / len(ids) > 0.7
    for v in ids[:500]:
        date(int(v[6:10]), int(v[10:12]), int(v[12:14]))  # a real birth date
        assert 1925 <= int(v[6:10]) <= 1992
    assert all(NAME_PHONE_RE.match(v) for v in others)
    # the check digit rule itself, on the standard's worked example
    assert is_valid_id("11010519491231002X") and not is_valid_id("110105194912310021")
    anonymous = cases.filter(pl.col("real_name") == "no")
    assert anonymous["petitioner_id"].null_count() == anonymous.height
    assert anonymous["accused_id"].is_not_null().mean() > 0.6
    real = cases.filter(pl.col("real_name") == "yes")
    assert real["petitioner_id"].is_not_null().all()


def test_case_ids_unique_and_events_attached(county):
    cases = read_drop(county, "cases")
    events = read_drop(county, "case_events")
    assert cases["case_id"].is_unique().all()
    assert cases["case_id"].str.contains(r"^DF20(09|10|11)-\d{6}$").all()
    assert events["case_id"].is_in(cases["case_id"].implode()).all()
    assert cases.height == 3600
    # related items name earlier items (or last year's, outside the drop)
    rel = cases.filter(pl.col("related_case_id").is_not_null()).join(
        cases.select(
            pl.col("case_id").alias("related_case_id"), pl.col("received_at").alias("earlier")
        ),
        on="related_case_id",
        how="left",
    )
    assert rel.height > 20
    assert (rel["earlier"].is_null() | (rel["earlier"] <= rel["received_at"])).all()
    assert (
        rel.filter(pl.col("earlier").is_null())["related_case_id"].str.starts_with("DF2008-").all()
    )
    # handling history is in order: nothing before receipt
    first = events.group_by("case_id").agg(pl.col("event_at").min().alias("first_event"))
    joined = cases.join(first, on="case_id")
    assert (joined["first_event"].dt.date() >= joined["received_at"].dt.date()).all()
    assert events["event_at"].max() < datetime(2012, 1, 1)


# ---------------------------------------------------------------- calibration (CONTRACT §3)
def test_calibration_three_year_totals(figures):
    _cases, _events, _villages, f = figures
    leads = int(f["is_lead"].sum())
    opened = int(f["is_case_opened"].sum())
    assert abs(leads - 426) <= 0.05 * 426, leads
    assert abs(opened - 143) <= 0.05 * 143, opened
    visits = f.filter(pl.col("channel") == "visit")
    assert visits["is_repeat"].sum() / visits.height < 0.02
    assert f["is_repeat"].sum() > 30  # repeat petitioners exist
    first_time = f.filter(~pl.col("is_repeat") & pl.col("within_30").is_not_null())
    assert 0.93 <= first_time["within_30"].mean() <= 0.97
    assert f["is_shelved"].sum() / f.height < 0.01
    assert f["is_shelved"].sum() > 0


def test_calibration_trends(figures):
    _cases, _events, _villages, f = figures
    y = (
        f.group_by("y")
        .agg(
            items=pl.len(),
            letters=(pl.col("channel") == "letter").sum(),
            visits=(pl.col("channel") == "visit").sum(),
            real=(pl.col("real_name") == "yes").mean(),
            collective=pl.col("is_collective").sum(),
            skip=pl.col("is_skip").sum(),
            abnormal=pl.col("is_abnormal").sum(),
        )
        .sort("y")
        .with_columns(letter_share=pl.col("letters") / pl.col("items"))
    )
    assert y["y"].to_list() == [2009, 2010, 2011]
    items = y["items"].to_list()
    assert items[0] > items[1] > items[2] and 1000 <= items[2] and items[0] <= 1450
    assert (y["letters"] > y["visits"]).all()
    assert y["letter_share"].diff().drop_nulls().min() > 0
    real = y["real"].to_list()
    assert real[0] < real[1] < real[2] and 0.6 <= real[0] and real[2] <= 0.8
    for col in ("collective", "skip", "abnormal"):
        s = y[col].to_list()
        assert s[0] >= s[1] >= s[2] and s[0] > s[2], (col, s)
        assert s[0] / items[0] < 0.03, (col, s)
    assert set(f["channel"].unique()) >= {
        "letter",
        "visit",
        "phone",
        "online",
        "sms",
        "email",
        "fax",
        "weibo",
        "qq",
        "other",
    }


def test_calibration_model_villages_2011(figures):
    _cases, _events, villages, f = figures
    v = villages.filter(pl.col("year") == 2011)
    per = (
        f.filter(pl.col("y") == 2011)
        .group_by("village_code")
        .agg(
            n=pl.len(),
            rep=pl.col("is_repeat").sum(),
            skip=pl.col("is_skip").sum(),
            coll=pl.col("is_collective").sum(),
            abn=pl.col("is_abnormal").sum(),
        )
    )
    vv = v.join(per, on="village_code", how="left").fill_null(0)
    meets = (
        (vv["n"] * 1000 / vv["population"] <= 3.0)
        & (vv["rep"] <= 2)
        & (vv["skip"] == 0)
        & (vv["coll"] == 0)
        & (vv["abn"] == 0)
    )
    assert meets.mean() >= 0.95, meets.mean()
    assert (~meets).sum() >= 3  # hot spots exist: a ranking has something to find
    rates = vv["n"] * 1000 / vv["population"]
    assert rates.max() > 3 * rates.median()
    # some items carry no village code, or a county organ's
    assert f.filter(pl.col("y") == 2011)["village_code"].is_null().sum() > 50
    assert not f["village_code"].drop_nulls().is_in(v["village_code"].implode()).all()


# ---------------------------------------------------------------- determinism and usage
def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes(county, tmp_path):
    again = tmp_path / "again"
    write_demo(out=again, quiet=True)
    assert _digests(again) == _digests(county)
    other = tmp_path / "other"
    write_demo(out=other, seed=7, quiet=True)
    d1, d2 = _digests(county), _digests(other)
    assert d1.keys() == d2.keys()
    assert all(d1[k] != d2[k] for k in d1)


def test_small_n_keeps_the_county(tmp_path):
    result = write_demo(out=tmp_path / "small", cases=500, quiet=True)
    assert result.profile.kind == "county"
    cases = read_drop(tmp_path / "small", "cases")
    assert cases.height == 500 and cases["case_id"].is_unique().all()


def test_usage_errors(tmp_path, monkeypatch):
    with pytest.raises(UsageError):
        write_demo(out=tmp_path / "x", broken="melted", quiet=True)
    with pytest.raises(UsageError):
        write_demo(out=tmp_path / "x", cases=0, quiet=True)
    with pytest.raises(UsageError):
        write_demo(out=tmp_path / "x", cases=10_000_001, quiet=True)
    with pytest.raises(UsageError):
        write_demo(out=tmp_path / "x", seed=-1, quiet=True)
    home = tmp_path / "home"
    with pytest.raises(UsageError):
        write_demo(out=home / "inbox", quiet=True)
    with pytest.raises(UsageError):
        write_demo(out=home, quiet=True)
    assert not home.exists()
    # the default target is the inbox, from $XINFANG_INBOX
    monkeypatch.setenv("XINFANG_INBOX", str(tmp_path / "inbox"))
    write_demo(cases=50, quiet=True)
    assert (tmp_path / "inbox" / "cases_2011.csv").exists()


def test_cli_entry_point(tmp_path):
    env = dict(os.environ, XINFANG_HOME=str(tmp_path / "home"))
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pipelines.cli import main; main()",
            "demo-data",
            "--cases",
            "60",
            "--out",
            str(tmp_path / "cli"),
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "cases_2009.csv" in run.stdout
    bad = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pipelines.cli import main; main()",
            "demo-data",
            "--broken",
            "nope",
            "--out",
            str(tmp_path / "cli"),
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2 and "nope" in bad.stderr and "Traceback" not in bad.stderr


# ---------------------------------------------------------------- damaged deliveries
@pytest.mark.parametrize("kind", ["truncated", "encoding", "missing-month", "duplicate", "shifted"])
def test_broken_deliveries(tmp_path, kind):
    good = tmp_path / "good"
    bad = tmp_path / "bad"
    write_demo(out=good, cases=400, quiet=True)
    write_demo(out=bad, cases=400, broken=kind, quiet=True)
    g, b = _digests(good), _digests(bad)
    if kind == "truncated":
        data = (bad / "cases_2011.csv").read_bytes()
        assert not data.endswith(b"\n")
        assert (good / "cases_2011.csv").read_bytes().startswith(data)
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        assert len(rows[-1]) < len(rows[0]) and all(len(r) == len(rows[0]) for r in rows[:-1])
        assert {k for k in g if g[k] != b[k]} == {"cases_2011.csv"}
    elif kind == "encoding":
        data = (bad / "cases_2009.csv").read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        assert not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8))
        assert data.decode("utf-16-le") == (good / "cases_2009.csv").read_bytes().decode("gb18030")
        assert {k for k in g if g[k] != b[k]} == {"cases_2009.csv"}
    elif kind == "missing-month":
        cases = read_drop(bad, "cases")
        months = cases["received_at"].dt.strftime("%Y-%m").unique().to_list()
        assert "2010-06" not in months and len(months) == 35
        full = read_drop(good, "cases")
        assert full.filter(pl.col("received_at").dt.strftime("%Y-%m") == "2010-06").height > 0
        assert cases.height < full.height
        events = read_drop(bad, "case_events")
        assert events["case_id"].is_in(cases["case_id"].implode()).all()
    elif kind == "duplicate":
        extra = set(b) - set(g)
        assert extra == {"cases_2011 - 副本.csv", "case_events_2011 - 副本.csv"}
        assert b["cases_2011 - 副本.csv"] == g["cases_2011.csv"]
        assert b["case_events_2011 - 副本.csv"] == g["case_events_2011.csv"]
    elif kind == "shifted":
        frame = pl.read_csv(bad / "cases_2011.csv", infer_schema=False)
        orig = pl.read_csv(good / "cases_2011.csv", infer_schema=False)
        assert frame.columns == orig.columns and frame.height == orig.height
        assert frame["channel"].null_count() == frame.height
        assert frame["source"].to_list() == orig["channel"].to_list()


# ---------------------------------------------------------------- scale
def run_measured(argv: list[str], env: dict[str, str], cwd: Path, log: Path,
                 timeout: float = 300) -> tuple[int, float]:
    """Run `argv` in a fresh process; its exit code and its own peak resident memory in MB,
    from the rusage wait4 returns for that pid (not RUSAGE_CHILDREN, which reports the largest
    child this test process ever had). Output goes to `log`, so no pipe can fill up; after
    `timeout` seconds the process is killed."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss / 1024  # Linux: kilobytes


def test_scale_run_bounded_memory(tmp_path):
    out = tmp_path / "scale"
    env = dict(os.environ, XINFANG_HOME=str(tmp_path / "home"))
    log = tmp_path / "demo-data.log"
    code, peak_mb = run_measured(
        [sys.executable, "-c", "from pipelines.cli import main; main()", "demo-data",
         "--cases", "200000", "--out", str(out)],
        env, REPO, log,
    )
    assert code == 0, log.read_text(encoding="utf-8", errors="replace")
    assert peak_mb < 900, peak_mb
    names = sorted(p.name for p in out.iterdir())
    assert not any(n.endswith(".xlsx") for n in names)
    assert {n.rsplit(".", 1)[1] for n in names if n.startswith("cases_")} == {"csv", "parquet"}
    scan = pl.concat(
        [
            pl.scan_csv(out / n, infer_schema=False).select("case_id")
            if n.endswith(".csv")
            else pl.scan_parquet(out / n).select("case_id")
            for n in names
            if n.startswith("cases_")
        ]
    )
    counts = scan.select(pl.len().alias("n"), pl.col("case_id").n_unique().alias("u")).collect()
    assert counts["n"][0] == 200_000 and counts["u"][0] == 200_000
    villages = pl.read_parquet(out / "villages.parquet")
    assert 15_000 <= villages.height <= 25_000
    years = sorted(int(n[6:10]) for n in names if n.startswith("cases_"))
    assert years == list(range(2016, 2026))


def test_scale_mode_is_deterministic_too(tmp_path):
    a = write_demo(out=tmp_path / "a", cases=25_000, quiet=True)
    write_demo(out=tmp_path / "b", cases=25_000, quiet=True)
    assert a.profile.kind == "province" and a.items == 25_000
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    events = pl.read_parquet(tmp_path / "a" / "case_events_2017.parquet")
    assert events.schema["event_at"] == pl.Datetime("us")
    cases = pl.concat(
        [read_entity(p, "cases") for p in sorted((tmp_path / "a").glob("cases_*"))],
        how="diagonal_relaxed",
    )
    assert cases["case_id"].str.contains(r"^JS20(1[6-9]|2[0-5])-\d{8}$").all()
    assert cases["received_at"].dt.year().is_between(2016, 2025).all()
