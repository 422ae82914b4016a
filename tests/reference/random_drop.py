"""A small random drop in the contract's input formats (CONTRACT §2), built to hit the edges of
§3: leap years, ties, anonymous items, related_case_id links, skip-level flags, headcounts,
sensitive-period bounds, extensions over the cap, 30/31-day closures, pending items, tied
"latest" events, events before their case, unknown villages, village rows with and without a
year, a town with items in one year only, and cadres with many items.

Deterministic per seed; no wall clock. Files (ingested in code-point order of their names):
  cadres.csv, case_events_1.csv, case_events_2.csv, cases_1.csv, cases_2_zh.csv (Chinese
  headers and labels, UTF-8 with BOM; replaces some cases), villages_1.csv, villages_2.csv.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path

START = date(2008, 1, 1)
END = date(2012, 9, 28)  # the last event of the drop is dated END (default as_of)

CASE_COLUMNS = ["case_id", "received_at", "channel", "source", "petition_level", "jurisdiction_level",
                "skip_level", "headcount", "abnormal_behaviour", "petitioner_id", "accused_id",
                "accused_rank", "category", "subject_code", "real_name", "related_case_id",
                "village_code"]
CASE_COLUMNS_ZH = ["信访件编号", "收件日期", "信访方式", "来源", "信访层级", "管辖层级", "是否越级", "人数",
                   "异常行为", "信访人身份", "被反映人身份", "被反映人职级", "问题类别", "问题领域", "是否实名",
                   "关联件编号", "村居代码"]
EVENT_COLUMNS = ["case_id", "event_type", "event_at", "cadre_id", "unit_name", "detail"]
VILLAGE_COLUMNS = ["village_code", "village_name", "town_code", "town_name", "kind", "population", "year"]
CADRE_COLUMNS = ["cadre_id", "cadre_name", "unit_name", "post", "town_code"]

ZH = {
    "channel": {"letter": "来信", "visit": "来访", "phone": "来电", "online": "网络", "sms": "短信",
                "email": "电子邮件", "fax": "传真", "weibo": "微博", "qq": "QQ", "other": "其他"},
    "source": {"direct": "本级受理", "referred": "上级转办"},
    "level": {"village": "村", "town": "镇", "county": "县", "city": "市", "province": "省", "central": "中央"},
    "yes_no": {"yes": "是", "no": "否"},
    "real_name": {"yes": "实名", "no": "匿名"},
    "abnormal_behaviour": {"beijing_non_reception": "进京非接待场所", "besiege_office": "围堵冲击机关",
                           "block_vehicle": "拦截车辆", "illegal_gathering": "非法聚集",
                           "dangerous_items": "携带危险物品", "stay_make_trouble": "滞留滋事",
                           "self_harm": "自伤自残", "incite": "煽动串联", "no_representatives": "不推选代表",
                           "other": "其他"},
    "accused_rank": {"county_level": "县处级", "section_level": "乡科级", "general": "一般干部",
                     "village_cadre": "农村干部", "other": "其他"},
    "category": {"accusation": "检举控告", "appeal": "申诉", "suggestion": "批评建议",
                 "out_of_scope": "业务范围外", "no_content": "无实质内容"},
    "subject_code": {"land_compensation": "征地补偿", "demolition": "城市拆迁", "rural_funds": "惠农资金",
                     "village_affairs": "村务财务", "work_style": "干部作风", "corruption": "贪污贿赂",
                     "law_litigation": "涉法涉诉", "labour_social": "劳动社保", "environment": "环境保护",
                     "other": "其他"},
}
ZH_FIELD_VOCAB = {"channel": "channel", "source": "source", "petition_level": "level",
                  "jurisdiction_level": "level", "skip_level": "yes_no", "abnormal_behaviour": "abnormal_behaviour",
                  "accused_rank": "accused_rank", "category": "category", "subject_code": "subject_code",
                  "real_name": "real_name"}

TOWNS = {"T01": "东镇", "T02": "西镇", "T03": "南镇", "T04": "北镇"}
VILLAGES = {  # code: (town, population, kind)
    "V001": ("T01", 1200, "village"), "V002": ("T01", 3800, "village"), "V003": ("T01", 6500, "community"),
    "V004": ("T01", 300, "village"), "V005": ("T02", 2500, "village"), "V006": ("T02", 4900, "village"),
    "V007": ("T02", 3000, "community"), "V008": ("T02", 650, "village"), "V009": ("T03", 8100, "village"),
    "V010": ("T03", 700, "village"), "V011": ("T03", 5800, "community"), "V012": ("T04", 400, "village"),
}
UNKNOWN_VILLAGES = ["V999", "X-01"]
CADRES = [f"K{i:02d}" for i in range(1, 9)]
SUBJECTS = ["land_compensation", "demolition", "rural_funds", "village_affairs", "work_style",
            "corruption", "law_litigation", "labour_social", "environment", "other"]
CHANNELS = ["letter", "visit", "phone", "online", "sms", "email", "fax", "weibo", "qq", "other"]
CHANNEL_WEIGHTS = [35, 30, 10, 15, 2, 2, 1, 2, 2, 1]
LEVELS = ["village", "town", "county", "city", "province", "central"]
ABNORMAL = list(ZH["abnormal_behaviour"])
DISPOSITIONS = ["talk_inquiry", "preliminary_verification", "shelved", "closed_no_action",
                "transferred_investigation"]
RATINGS = ["satisfied", "basically_satisfied", "dissatisfied"]


def _ts(d: date, rng: random.Random | None = None, style: str | None = None) -> str:
    """A date in one of the accepted spellings, sometimes with a time."""
    style = style or (rng.choice(["date", "date", "dt", "dts", "slash"]) if rng else "date")
    if style == "date":
        return d.isoformat()
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    h, m, s = (rng.randrange(7, 19), rng.randrange(60), rng.randrange(60)) if rng else (9, 0, 0)
    return f"{d.isoformat()} {h:02d}:{m:02d}" + (f":{s:02d}" if style == "dts" else "")


def _dt(text: str) -> datetime:
    t = text.replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-")
    day, _, clock = t.partition(" ")
    y, mo, d = (int(x) for x in day.split("-"))
    parts = [int(x) for x in clock.split(":")] if clock else []
    return datetime(y, mo, d, *parts)


class _Drop:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.cases: list[dict] = []
        self.events1: list[dict] = []
        self.events2: list[dict] = []
        self.replacements: list[dict] = []

    # ------------------------------------------------------------ helpers
    def case(self, case_id: str, received: str, **kw) -> dict:
        row = {c: "" for c in CASE_COLUMNS}
        row.update(case_id=case_id, received_at=received, channel="letter", category="accusation",
                   subject_code="other", real_name="yes")
        row.update({k: ("" if v is None else str(v)) for k, v in kw.items()})
        self.cases.append(row)
        return row

    def event(self, case_id: str, event_type: str, at: str, cadre_id: str = "", detail: str = "",
              file: int = 1, unit_name: str = "") -> dict:
        row = {"case_id": case_id, "event_type": event_type, "event_at": at, "cadre_id": cadre_id,
               "unit_name": unit_name, "detail": str(detail)}
        (self.events1 if file == 1 else self.events2).append(row)
        return row

    def rand_date(self, lo: date = START, hi: date = END - timedelta(days=3)) -> date:
        return lo + timedelta(days=self.rng.randrange((hi - lo).days + 1))

    # ------------------------------------------------------------ hand-placed edges
    def edges(self) -> None:
        ev = self.event
        # leap years: 366 days apart (across 2008-02-29) is not a repeat, 365 is
        self.case("E-LEAP-1", "2008-02-28", petitioner_id="LEAP-P1", subject_code="land_compensation", village_code="V001")
        self.case("E-LEAP-2", "2009-02-28 08:00", petitioner_id="LEAP-P1", subject_code="land_compensation", village_code="V001")
        self.case("E-LEAP-3", "2008-03-01", petitioner_id="LEAP-P2", subject_code="demolition", village_code="V002")
        self.case("E-LEAP-4", "2009-03-01", petitioner_id="LEAP-P2", subject_code="demolition", village_code="V002")
        self.case("E-LEAP-5", "2011-03-01 23:59", petitioner_id="LEAP-P3", subject_code="rural_funds", village_code="V005")
        self.case("E-LEAP-6", "2012-02-29 00:01", petitioner_id="LEAP-P3", subject_code="rural_funds", village_code="V005")
        self.case("E-LEAP-7", "2011-02-28", petitioner_id="LEAP-P4", subject_code="rural_funds", village_code="V005")
        self.case("E-LEAP-8", "2012-02-29", petitioner_id="LEAP-P4", subject_code="rural_funds", village_code="V005")
        # ties in received_at: "E-TIE-10" < "E-TIE-9" in code points, so E-TIE-9 is the repeat
        self.case("E-TIE-9", "2010-05-05 10:00", petitioner_id="TIE-P", subject_code="work_style", village_code="V003")
        self.case("E-TIE-10", "2010-05-05 10:00:00", petitioner_id="TIE-P", subject_code="work_style", village_code="V003")
        # anonymous items matched on the accused; one key space for petitioners and accused
        self.case("E-ANON-1", "2010-06-01", accused_id="ACC-77", real_name="no", subject_code="corruption", village_code="V006")
        self.case("E-ANON-2", "2010-11-20", accused_id="ACC-77", real_name="no", subject_code="corruption", village_code="V006")
        self.case("E-ANON-3", "2010-12-01", petitioner_id="PX", accused_id="ACC-77", subject_code="corruption", village_code="V006")
        self.case("E-CROSS-1", "2009-04-01", petitioner_id="CROSS-1", subject_code="environment", village_code="V007")
        self.case("E-CROSS-2", "2009-09-01", accused_id="cross-1 ", real_name="no", subject_code="environment", village_code="V007")
        # related_case_id: to an earlier item (other subject, years later), a later one, an unknown one, itself
        self.case("E-REL-1", "2008-05-05", petitioner_id="REL-A", subject_code="labour_social", village_code="V008")
        self.case("E-REL-2", "2011-05-05", petitioner_id="REL-B", subject_code="other", related_case_id="E-REL-1", village_code="V008")
        self.case("E-REL-3", "2009-05-05", petitioner_id="REL-C", related_case_id="E-REL-4", village_code="V008")
        self.case("E-REL-4", "2010-05-05", petitioner_id="REL-D", village_code="V008")
        self.case("E-REL-5", "2010-06-05", petitioner_id="REL-E", related_case_id="NO-SUCH-CASE", village_code="V008")
        self.case("E-REL-6", "2010-07-05", petitioner_id="REL-F", related_case_id="E-REL-6", village_code="V008")
        # skip level: the flag overrides both ways; derived with/without an earlier lower-level item
        self.case("E-SKIP-1", "2010-01-10", petitioner_id="SK-1", petition_level="city", jurisdiction_level="county", skip_level="no", village_code="V009")
        self.case("E-SKIP-2", "2010-01-11", petitioner_id="SK-2", petition_level="county", jurisdiction_level="county", skip_level="yes", village_code="V009")
        self.case("E-SKIP-3", "2010-02-01", petitioner_id="SK-3", petition_level="town", jurisdiction_level="town", subject_code="demolition", village_code="V009")
        self.case("E-SKIP-4", "2010-08-01", petitioner_id="SK-3", petition_level="province", jurisdiction_level="town", subject_code="demolition", village_code="V009")
        self.case("E-SKIP-5", "2010-09-01", petitioner_id="SK-5", petition_level="city", jurisdiction_level="town", subject_code="demolition", village_code="V009")
        # chain: E-SKIP-8 is on the same matter as E-SKIP-7 only (pairwise, not through it to E-SKIP-6)
        self.case("E-SKIP-6", "2009-01-05", petitioner_id="SK-6", petition_level="county", subject_code="law_litigation", village_code="V011")
        self.case("E-SKIP-7", "2009-11-05", petitioner_id="SK-6", petition_level="city", subject_code="law_litigation", village_code="V011")
        self.case("E-SKIP-8", "2010-09-05", petitioner_id="SK-6", petition_level="city", subject_code="law_litigation", village_code="V011")
        self.case("E-SKIP-9", "2010-09-06", petitioner_id="SK-9", petition_level="central", jurisdiction_level="village", village_code="V011")
        # headcount 4 and 5 on a visit, 10 on a letter
        self.case("E-HEAD-4", "2011-04-04", channel="visit", headcount=4, village_code="V010")
        self.case("E-HEAD-5", "2011-04-05", channel="visit", headcount=5, village_code="V010")
        self.case("E-HEAD-10", "2011-04-06", channel="letter", headcount=10, village_code="V010")
        self.case("E-ABN-1", "2011-04-07", channel="visit", headcount=2, abnormal_behaviour="self_harm", village_code="V010")
        # sensitive period bounds
        for cid, at in [("E-SENS-0228", "2011-02-28 23:59"), ("E-SENS-0229", "2012-02-29"),
                        ("E-SENS-0301", "2011-03-01 00:00"), ("E-SENS-0315", "2011-03-15 23:59:59"),
                        ("E-SENS-0316", "2011-03-16"), ("E-SENS-0924", "2011-09-24 23:00"),
                        ("E-SENS-0925", "2011/9/25"), ("E-SENS-1008", "2011年10月8日 18:00"),
                        ("E-SENS-1009", "2011-10-09")]:
            self.case(cid, at, real_name="no", village_code="V004")
        # extensions summing over the cap (due = +90), one under it, closures at day 90/91
        self.case("E-EXT-1", "2011-01-10", village_code="V001")
        ev("E-EXT-1", "extended", "2011-02-20", detail=20)
        ev("E-EXT-1", "extended", "2011-03-05", detail=20)
        ev("E-EXT-1", "concluded", "2011-04-10")  # day 90 = due
        self.case("E-EXT-2", "2011-01-10", village_code="V001")
        ev("E-EXT-2", "extended", "2011-02-20", detail=30)
        ev("E-EXT-2", "extended", "2011-03-01", detail=5)
        ev("E-EXT-2", "concluded", "2011-04-11")  # day 91 > due
        self.case("E-EXT-3", "2011-01-10", village_code="V001")
        ev("E-EXT-3", "extended", "2011-02-20", detail=10)
        ev("E-EXT-3", "concluded", "2011-03-21 17:00")  # day 70 = due
        # closures at 30 and 31 days; two concluded events (the first one counts)
        self.case("E-CLOSE-30", "2010-03-20 16:00", village_code="V002")
        ev("E-CLOSE-30", "concluded", "2010-04-19 09:00")
        self.case("E-CLOSE-31", "2010-03-20", village_code="V002")
        ev("E-CLOSE-31", "concluded", "2010-04-20")
        ev("E-CLOSE-31", "concluded", "2010-05-01")
        self.case("E-CLOSE-2X", "2010-03-21", village_code="V002")
        ev("E-CLOSE-2X", "concluded", "2010-06-01", file=2)
        ev("E-CLOSE-2X", "concluded", "2010-04-01", file=2)
        # accepted at 15 and 16 days; accepted before receipt
        self.case("E-ACC-15", "2010-07-01", village_code="V003")
        ev("E-ACC-15", "accepted", "2010-07-16 18:00")
        self.case("E-ACC-16", "2010-07-01", village_code="V003")
        ev("E-ACC-16", "accepted", "2010-07-17")
        self.case("E-ACC-EARLY", "2010-07-01", village_code="V003")
        ev("E-ACC-EARLY", "accepted", "2010-06-30")
        # feedback in working days around National Day 2011 (due 2011-10-26 for a 2011-09-30 closure)
        for cid, fb, real in [("E-FB-ON", "2011-10-26", "yes"), ("E-FB-LATE", "2011-10-27", "yes"),
                              ("E-FB-ANON", "2011-10-10", "no"), ("E-FB-BEFORE", "2011-09-29", "yes")]:
            self.case(cid, "2011-09-01", real_name=real, village_code="V005")
            ev(cid, "concluded", "2011-09-30")
            ev(cid, "feedback", fb)
        # events before their case (dated before receipt); the case comes in the later cases file
        self.case("E-EARLY-EV", "2011-06-10", village_code="V006")
        ev("E-EARLY-EV", "concluded", "2011-06-08")
        ev("E-EARLY-EV", "assigned", "2011-06-01", cadre_id="K02", detail="lead")
        # tied latest events: same event_at, later delivery wins; in one file, the later row wins
        self.case("E-LATEST", "2011-05-01", village_code="V007")
        ev("E-LATEST", "disposed", "2011-05-10 10:00", detail="shelved", file=1)
        ev("E-LATEST", "disposed", "2011-05-10 10:00", detail="talk_inquiry", file=2)
        ev("E-LATEST", "rated", "2011-06-01", detail="satisfied")
        ev("E-LATEST", "rated", "2011-06-01", detail="dissatisfied")
        ev("E-LATEST", "assigned", "2011-05-02", cadre_id="K03", detail="lead", file=2)
        ev("E-LATEST", "assigned", "2011-05-02", cadre_id="K04", detail="lead", file=1)
        ev("E-LATEST", "assigned", "2011-05-02", cadre_id="K05", detail="responsible")
        ev("E-LATEST", "assigned", "2011-05-01", cadre_id="K06", detail="responsible", file=2)
        # an identical event delivered twice, in both event files
        ev("E-LATEST", "case_opened", "2011-05-20")
        ev("E-LATEST", "case_opened", "2011-05-20", file=2)
        # cadre follow-ups: closed item, later repeat after closure, an escalation on the same matter
        self.case("E-CAD-1", "2010-02-02", petitioner_id="CAD-P", subject_code="village_affairs", village_code="V001")
        ev("E-CAD-1", "assigned", "2010-02-03", cadre_id="K01", detail="lead")
        ev("E-CAD-1", "assigned", "2010-02-03", cadre_id="K01", detail="responsible")
        ev("E-CAD-1", "concluded", "2010-03-01")
        self.case("E-CAD-2", "2010-03-01 15:00", petitioner_id="CAD-P", subject_code="village_affairs", petition_level="city", village_code="V001")
        self.case("E-CAD-3", "2010-06-01", petitioner_id="CAD-P", subject_code="village_affairs", petition_level="province", village_code="V001")
        # a town (T04, village V012) with items in 2010 only
        for k in range(6):
            self.case(f"E-T04-{k}", _ts(date(2010, 4, 1) + timedelta(days=20 * k)), channel="visit",
                      headcount=[1, 5, 2, 7, 1, 1][k], village_code="V012")
        # unknown village codes and an empty one; V010 has year rows only (2010, 2011)
        self.case("E-UNK-1", "2010-10-10", village_code="V999")
        self.case("E-UNK-2", "2011-10-10", village_code="X-01")
        self.case("E-UNK-3", "2012-01-10", village_code="")
        self.case("E-V010-2012", "2012-03-20", village_code="V010")
        self.case("E-V010-2009", "2009-03-20", village_code="V010")
        # pending at as_of: received 10 and 40 days before END, open; and the as_of anchor event
        self.case("E-PEND-10", _ts(END - timedelta(days=10)), village_code="V003")
        self.case("E-PEND-40", _ts(END - timedelta(days=40)), village_code="V003")
        self.case("E-PEND-AS-OF", _ts(END - timedelta(days=1)), village_code="V003")
        ev("E-PEND-AS-OF", "accepted", f"{END.isoformat()} 17:30")
        # events of a case that never arrives
        ev("GHOST-1", "concluded", "2012-09-30")

    # ------------------------------------------------------------ random items
    def random_cases(self, n: int) -> None:
        rng = self.rng
        people = [f"P{i:04d}" for i in range(1, 70)]
        accused = [f"A{i:03d}" for i in range(1, 25)]
        villages = [v for v in VILLAGES if v != "V012"]  # T04 only has its hand-placed 2010 items
        start = len(self.cases)
        for k in range(n):
            cid = f"C{k + 1:05d}"
            r = self.rand_date()
            if k and rng.random() < 0.05:  # an exact tie with an earlier random item
                received = rng.choice(self.cases[start:])["received_at"]
            else:
                received = _ts(r, rng)
            channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
            pet = rng.choice(people) if rng.random() < 0.6 else ""
            acc = rng.choice(accused) if rng.random() < 0.45 else ""
            real = "yes" if pet and rng.random() < 0.85 else "no"
            headcount = ""
            if channel == "visit":
                headcount = rng.choice(["", "1", "2", "3", "4", "5", "6", "10"])
            elif rng.random() < 0.03:
                headcount = "10"
            plevel = rng.choices(["", "village", "town", "county", "city", "province", "central"],
                                 [70, 3, 8, 8, 6, 3, 2])[0]
            jlevel = rng.choices(["", "village", "town", "county"], [60, 10, 20, 10])[0]
            skip = rng.choice(["yes", "no"]) if rng.random() < 0.1 else ""
            related = ""
            if rng.random() < 0.08 and len(self.cases) > start:
                related = rng.choice(self.cases[start:])["case_id"] if rng.random() < 0.8 else f"ZZ-{k}"
            u = rng.random()
            village = rng.choice(villages) if u < 0.85 else (rng.choice(UNKNOWN_VILLAGES) if u < 0.9 else "")
            self.case(
                cid, received, channel=channel, source=rng.choice(["", "direct", "referred"]),
                petition_level=plevel, jurisdiction_level=jlevel, skip_level=skip, headcount=headcount,
                abnormal_behaviour=rng.choice(ABNORMAL) if rng.random() < 0.05 else "",
                petitioner_id=pet, accused_id=acc,
                accused_rank=rng.choice(["", *ZH["accused_rank"]]),
                category=rng.choice(list(ZH["category"])),
                subject_code=rng.choices(SUBJECTS, [20, 10, 10, 15, 10, 10, 5, 5, 5, 10])[0],
                real_name=real, related_case_id=related, village_code=village,
            )
            self.random_events(cid, _dt(received).date())

    def random_events(self, cid: str, r: date) -> None:
        rng, ev = self.rng, self.event
        cadres = CADRES + ["K99"]
        cadre_weights = [30, 10, 8, 8, 6, 6, 4, 4, 1]

        def at(d: date) -> str | None:
            return _ts(d, rng) if d <= END else None

        def put(kind: str, d: date, **kw) -> None:
            text = at(d)
            if text is not None:
                ev(cid, kind, text, file=1 if rng.random() < 0.8 else 2, **kw)

        if rng.random() < 0.85:
            put("accepted", r + timedelta(days=rng.choice([-1, 0, 1, 3, 7, 14, 15, 16, 20])))
        for role, p in (("lead", 0.6), ("responsible", 0.5)):
            if rng.random() < p:
                d = r + timedelta(days=rng.randrange(0, 10))
                for _ in range(rng.choice([1, 1, 2, 3])):
                    text = at(d)
                    if text:
                        ev(cid, "assigned", text, cadre_id=rng.choices(cadres, cadre_weights)[0], detail=role,
                           file=rng.choice([1, 1, 2]))
                    if rng.random() < 0.5:
                        d += timedelta(days=rng.randrange(1, 20))
        ext = 0
        for _ in range(rng.choice([0, 0, 0, 0, 1, 2])):
            days = rng.choice([5, 10, 15, 20, 25, 30])
            ext += days
            put("extended", r + timedelta(days=rng.randrange(20, 60)), detail=days)
        if rng.random() < 0.4:
            d = r + timedelta(days=rng.randrange(1, 40))
            for _ in range(rng.choice([1, 1, 2])):
                put("disposed", d, detail=rng.choice(DISPOSITIONS))
        if rng.random() < 0.15:
            put("case_opened", r + timedelta(days=rng.randrange(20, 80)))
        if rng.random() < 0.8:
            days = rng.choice([-2, 5, 12, 29, 30, 31, 45, 59, 60, 61, 75, 89, 90, 91, 100, 130])
            closed = r + timedelta(days=days)
            if rng.random() < 0.1:
                put("concluded", closed + timedelta(days=rng.randrange(1, 30)))
            put("concluded", closed)
            if rng.random() < 0.7:
                put("feedback", closed + timedelta(days=rng.choice([0, 3, 10, 18, 19, 20, 21, 22, 25, 35])))
            if rng.random() < 0.5:
                d = closed + timedelta(days=rng.randrange(1, 30))
                for _ in range(rng.choice([1, 1, 2])):
                    put("rated", d, detail=rng.choice(RATINGS))
            if rng.random() < 0.3:
                put("ceased", closed + timedelta(days=rng.randrange(0, 60)))
        if rng.random() < 0.05:
            put(rng.choice(["published", "assisted", "review_requested", "re_review_requested"]),
                r + timedelta(days=rng.randrange(1, 120)))

    # ------------------------------------------------------------ later deliveries
    def redeliveries(self) -> None:
        rng = self.rng
        randoms = [c for c in self.cases if c["case_id"].startswith("C")]
        for row in rng.sample(randoms, k=max(1, len(randoms) // 20)):
            new = dict(row)
            change = rng.choice(["subject_code", "village_code", "received_at", "petition_level"])
            if change == "subject_code":
                new["subject_code"] = rng.choice(SUBJECTS)
            elif change == "village_code":
                new["village_code"] = rng.choice(list(VILLAGES))
            elif change == "received_at":
                new["received_at"] = _ts(_dt(row["received_at"]).date() + timedelta(days=rng.choice([-3, 1, 7])), rng)
            else:
                new["petition_level"] = rng.choice(LEVELS)
            self.replacements.append(new)
        # the event-before-its-case item arrives only with the later cases file
        early = next(c for c in self.cases if c["case_id"] == "E-EARLY-EV")
        self.cases.remove(early)
        self.replacements.append(early)
        # some events delivered again, identical in every field
        for row in rng.sample(self.events1, k=min(len(self.events1), 25)):
            self.events2.append(dict(row))


def _write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> None:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _zh_case(row: dict) -> list[str]:
    out = []
    for c in CASE_COLUMNS:
        v = row[c]
        if v and c in ZH_FIELD_VOCAB:
            v = ZH[ZH_FIELD_VOCAB[c]][v]
        elif c == "received_at":  # 2011年3月5日 14:20 (seconds kept when given)
            t = _dt(v)
            clock = "" if " " not in v.strip() else " " + v.strip().split(" ")[1]
            v = f"{t.year}年{t.month}月{t.day}日{clock}"
        out.append(v)
    return out


def write_random_drop(out: Path, seed: int, n_cases: int = 400) -> None:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    drop = _Drop(seed)
    drop.edges()
    drop.random_cases(max(0, n_cases - len(drop.cases)))
    drop.redeliveries()
    rng = drop.rng

    villages1 = []
    for code, (town, pop, kind) in VILLAGES.items():
        if code == "V010":  # known only in 2010 and 2011
            villages1 += [[code, f"村{code}", town, TOWNS[town], kind, str(pop), "2010"],
                          [code, f"村{code}", town, TOWNS[town], kind, str(pop + 50), "2011"]]
            continue
        villages1.append([code, f"村{code}", town, TOWNS[town], kind, str(pop), ""])
    villages1.append(["V003", "村V003", "T01", TOWNS["T01"], "community", "2600", "2011"])
    villages1.append(["V007", "村V007", "T03", TOWNS["T03"], "community", "2100", "2012"])
    villages2 = [  # later delivery: replaces the every-year row of V001 and V003's 2011 row
        ["V001", "村V001", "T01", TOWNS["T01"], "village", "1300", ""],
        ["V003", "村V003", "T01", TOWNS["T01"], "community", "100", "2011"],
    ]
    _write_csv(out / "villages_1.csv", VILLAGE_COLUMNS, villages1)
    _write_csv(out / "villages_2.csv", VILLAGE_COLUMNS, villages2)
    _write_csv(out / "cadres.csv", CADRE_COLUMNS,
               [[c, f"干部{c}", f"单位{rng.randrange(1, 4)}", "", rng.choice(["", *TOWNS])] for c in CADRES])
    _write_csv(out / "cases_1.csv", CASE_COLUMNS, [[r[c] for c in CASE_COLUMNS] for r in drop.cases])
    _write_csv(out / "cases_2_zh.csv", CASE_COLUMNS_ZH, [_zh_case(r) for r in drop.replacements],
               encoding="utf-8-sig")
    _write_csv(out / "case_events_1.csv", EVENT_COLUMNS, [[r[c] for c in EVENT_COLUMNS] for r in drop.events1])
    _write_csv(out / "case_events_2.csv", EVENT_COLUMNS, [[r[c] for c in EVENT_COLUMNS] for r in drop.events2])
