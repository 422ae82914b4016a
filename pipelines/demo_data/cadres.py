"""Cadres: lead cadres (包保领导: town leaders, 纪委 staff) and responsible cadres (包保责任人),
with each village's standing assignment (包村) and the county-level pools for items that name
no village."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.demo_data import names
from pipelines.demo_data.geography import Geography

# (post, unit suffix) — the unit name is the town or county name plus the suffix.
TOWN_LEADS_FULL = (
    ("镇党委书记", "党委"),
    ("镇长", "人民政府"),
    ("镇纪委书记", "纪委"),
    ("镇党委副书记", "党委"),
)
TOWN_RESP_FULL = (
    ("镇纪委副书记", "纪委"),
    ("纪检干事", "纪委"),
    ("信访办主任", "信访办"),
    ("综治办主任", "综治办"),
    ("包村干部", "人民政府"),
    ("包村干部", "人民政府"),
    ("包村干部", "人民政府"),
    ("包村干部", "人民政府"),
)
TOWN_LEADS_LEAN = (("镇纪委书记", "纪委"), ("镇党委副书记", "党委"))
TOWN_RESP_LEAN = (
    ("纪检干事", "纪委"),
    ("信访办主任", "信访办"),
    ("包村干部", "人民政府"),
    ("包村干部", "人民政府"),
)
COUNTY_LEADS = (
    ("纪委副书记", "纪委"),
    ("纪委常委", "纪委"),
    ("纪委常委", "纪委"),
    ("信访室主任", "纪委信访室"),
)
COUNTY_RESP = (
    ("信访室副主任", "纪委信访室"),
    ("信访室科员", "纪委信访室"),
    ("信访室科员", "纪委信访室"),
    ("案件监督管理室主任", "纪委案件监督管理室"),
    ("第一纪检监察室主任", "纪委第一纪检监察室"),
    ("第二纪检监察室副主任", "纪委第二纪检监察室"),
    ("纪检监察员", "纪委第一纪检监察室"),
    ("纪检监察员", "纪委第二纪检监察室"),
    ("党风政风监督室科员", "纪委党风政风监督室"),
    ("信访室科员", "纪委信访室"),
)
COUNTY_OFFICE = "纪委信访室"
COUNTY_CASE_OFFICE = "纪委案件监督管理室"


@dataclass
class Cadres:
    cadre_id: list[str]
    cadre_name: list[str]
    unit_index: np.ndarray  # (K,) index into units
    post: list[str]
    town_code: list[str | None]
    units: list[str]  # every unit name used by cadres and events
    village_lead: np.ndarray  # (V,) cadre index
    village_resp: np.ndarray  # (V,)
    county_leads: np.ndarray  # (C, L) cadre indices of each county's lead pool
    county_resps: np.ndarray  # (C, R)
    town_resps: np.ndarray  # (T, R') responsible cadres of each town
    county_office_unit: np.ndarray  # (C,) unit index of the county's petition office
    county_case_unit: np.ndarray  # (C,) unit index of the case supervision office

    def __len__(self) -> int:
        return len(self.cadre_id)


def build(rng: np.random.Generator, geo: Geography, lean: bool) -> Cadres:
    town_leads = TOWN_LEADS_LEAN if lean else TOWN_LEADS_FULL
    town_resp = TOWN_RESP_LEAN if lean else TOWN_RESP_FULL
    width = 6 if lean else 4
    posts: list[str] = []
    towns_of: list[str | None] = []
    unit_index: dict[str, int] = {}

    def unit(name: str) -> int:
        if name not in unit_index:
            unit_index[name] = len(unit_index)
        return unit_index[name]

    units_of: list[int] = []

    def add(post: str, unit_name: str, town: str | None) -> int:
        posts.append(post)
        units_of.append(unit(unit_name))
        towns_of.append(town)
        return len(posts) - 1

    county_leads: list[np.ndarray] = []
    county_resps: list[np.ndarray] = []
    office = np.zeros(geo.n_counties, dtype=np.int64)
    case_office = np.zeros(geo.n_counties, dtype=np.int64)
    for c in range(geo.n_counties):
        cname = geo.county_name[c]
        county_leads.append(np.array([add(p, cname + u, None) for p, u in COUNTY_LEADS]))
        county_resps.append(np.array([add(p, cname + u, None) for p, u in COUNTY_RESP]))
        office[c] = unit(cname + COUNTY_OFFICE)
        case_office[c] = unit(cname + COUNTY_CASE_OFFICE)

    town_leads_idx: list[np.ndarray] = []
    town_resp_idx: list[np.ndarray] = []
    for t in range(len(geo.town_name)):
        tname, tcode = geo.town_name[t], str(int(geo.town_code[t]))
        town_leads_idx.append(np.array([add(p, tname + u, tcode) for p, u in town_leads]))
        town_resp_idx.append(np.array([add(p, tname + u, tcode) for p, u in town_resp]))

    # each village has a standing lead and responsible cadre from its own town
    v_town = geo.village_town
    pick_l = rng.random(geo.n_villages)
    pick_r = rng.random(geo.n_villages)
    lead = np.empty(geo.n_villages, dtype=np.int64)
    resp = np.empty(geo.n_villages, dtype=np.int64)
    for t in range(len(geo.town_name)):
        mask = v_town == t
        ls, rs = town_leads_idx[t], town_resp_idx[t]
        lead[mask] = ls[(pick_l[mask] * len(ls)).astype(np.int64)]
        resp[mask] = rs[(pick_r[mask] * len(rs)).astype(np.int64)]

    n = len(posts)
    return Cadres(
        cadre_id=[f"C{i + 1:0{width}d}" for i in range(n)],
        cadre_name=names.person_names(rng, n),
        unit_index=np.array(units_of, dtype=np.int64),
        post=posts,
        town_code=towns_of,
        units=list(unit_index),
        village_lead=lead,
        village_resp=resp,
        county_leads=np.stack(county_leads),
        county_resps=np.stack(county_resps),
        town_resps=np.stack(town_resp_idx),
        county_office_unit=office,
        county_case_unit=case_office,
    )
