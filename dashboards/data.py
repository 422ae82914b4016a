"""Every query the dashboards run. Short-lived read-only connections, cached per state.

Report pages (`filters`, `overview`, `villages`, `cadres`, `handling`) read a `Snapshot` of
the published build in one connection from `pipelines.warehouse.connect()`. The ranking
columns and decision marts (CONTRACT §5) are part of every build (enforced contracts).

Caching is Flask-Caching's `Cache.memoize` (a SimpleCache bound to the Dash server with
`cache.init_app`): the published build id is an argument of every memoized read, with
$XINFANG_HOME and the filters, so a new publish is read on the next request and never served
old figures, and repeated renders cost nothing. A build never changes, so its snapshots do
not expire. The data-quality page reads the audit records as they are now: its memoized read
also takes a fingerprint of the audit files (a new ingest shows at once) and expires after
CACHE_TIMEOUT_SECONDS. Outside an app (tests, scripts) the functions compute directly.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app, has_app_context
from flask_caching import Cache

from dashboards import i18n
from pipelines import paths, warehouse
from pipelines.errors import XinfangError

CACHE_TIMEOUT_SECONDS = 600
cache = Cache(config={"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": CACHE_TIMEOUT_SECONDS})


def _no_cache() -> bool:
    """Outside an app that bound `cache` (tests, scripts) memoized reads compute directly."""
    return not (has_app_context() and cache in current_app.extensions.get("cache", {}))


@dataclass(frozen=True)
class QualitySnapshot:
    """What the data-quality page shows, read in one connection."""

    build_id: str | None
    build_info: dict[str, Any] | None
    ledger: list[dict[str, Any]] = field(default_factory=list)
    quarantine_by_reason: list[dict[str, Any]] = field(default_factory=list)
    entity_counts: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    builds: list[dict[str, Any]] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        files = [r for r in self.ledger if r["status"] != "duplicate"]
        return {
            "files": len(self.ledger),
            "rows_read": sum(r["rows_read"] or 0 for r in files),
            "rows_loaded": sum(r["rows_loaded"] or 0 for r in files),
            "rows_quarantined": sum(r["rows_quarantined"] or 0 for r in files),
            "files_refused": sum(1 for r in self.ledger if r["status"] == "refused"),
        }


def quality_snapshot() -> QualitySnapshot:
    """The ledger, quarantine, checks and builds as they are now."""
    try:
        build_id = warehouse.published_build_id()
    except XinfangError:  # an unreadable pointer: nothing to key on, read directly
        return _read_quality_snapshot()
    return _quality_snapshot(str(paths.home()), build_id, _audit_fingerprint())


@cache.memoize(unless=_no_cache)
def _quality_snapshot(home: str, build_id: str | None, audit_files: str) -> QualitySnapshot:
    return _read_quality_snapshot()


# ---------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------

LEDGER_SQL = """
select batch_id, file_name, file_sha256, entity, rows_read, rows_loaded, rows_quarantined,
       status, loaded_at, message
from audit.load_ledger
order by loaded_at desc nulls last, batch_id desc
"""

QUARANTINE_SQL = """
select reason, count(*) as rows, count(distinct file_name) as files
from audit.quarantine
group by reason
order by rows desc, reason
"""


CHECKS_SQL = """
select check_name, table_name, severity, status, observed, detail
from audit.quality_results
where build_id = ?
order by case when status = 'fail' then 0 else 1 end,
         case when severity = 'error' then 0 else 1 end, table_name, check_name
"""

BUILDS_SQL = """
select build_id, as_of, started_at, finished_at, status, failed_check
from audit.builds
order by started_at desc nulls last, build_id desc
limit 50
"""


def _read_quality_snapshot() -> QualitySnapshot:
    with warehouse.connect() as con:
        build_id = warehouse.attached_build_id(con)
        ledger = _records(con, LEDGER_SQL)
        for row in ledger:
            row["is_balanced"] = _is_balanced(row)
        quarantine = _records(con, QUARANTINE_SQL)
        info = _build_info(con, build_id) if build_id else None
        counts = _entity_counts(con) if build_id else []
        checks = _records(con, CHECKS_SQL, [build_id]) if build_id else []
        builds = _records(con, BUILDS_SQL)
    return QualitySnapshot(
        build_id=build_id,
        build_info=info,
        ledger=ledger,
        quarantine_by_reason=quarantine,
        entity_counts=counts,
        checks=checks,
        builds=builds,
    )


def _is_balanced(row: dict[str, Any]) -> bool | None:
    if row["status"] != "loaded" or row["rows_read"] is None:
        return None
    return row["rows_read"] == (row["rows_loaded"] or 0) + (row["rows_quarantined"] or 0)


def _build_info(con: Any, build_id: str) -> dict[str, Any]:
    info: dict[str, Any] = {"build_id": build_id, "as_of": None, "built_at": None}
    rows = _records(con, "select * from meta.build_info")
    match = [r for r in rows if r.get("build_id") == build_id] or rows
    if match:
        info.update(
            {k: v for k, v in match[-1].items() if k in ("as_of", "built_at", "dbt_version")}
        )
    return info


def _entity_counts(con: Any) -> list[dict[str, Any]]:
    """Rows of each staging model (`stg_<source>__<entity>s`) of the published build."""
    names = [
        n
        for (n,) in con.sql(
            "select view_name from duckdb_views() where database_name = 'memory' "
            "and schema_name = 'staging' and not internal "
            "union select table_name from duckdb_tables() where database_name = 'memory' "
            "and schema_name = 'staging'"
        ).fetchall()
        if n.startswith("stg_")
    ]
    out = []
    for name in names:
        entity = name.split("__", 1)[1] if "__" in name else name.removeprefix("stg_")
        (rows,) = con.sql(f'select count(*) from staging."{name}"').fetchall()[0]
        out.append({"model": name, "entity": entity, "rows": int(rows)})
    order = {e: i for i, e in enumerate(paths.ENTITIES)}
    out.sort(key=lambda r: (order.get(r["entity"], len(order)), r["model"]))
    return out


def _records(con: Any, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    if params:
        cur = con.execute(sql, params)
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
    else:
        rel = con.sql(sql)
        columns = list(rel.columns)
        rows = rel.fetchall()
    return [dict(zip(columns, (_plain(v) for v in row), strict=True)) for row in rows]


def _plain(value: Any) -> Any:
    """JSON-friendly values for the browser (dates as ISO text)."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


# ---------------------------------------------------------------------------------------------
# Cache
# ---------------------------------------------------------------------------------------------


def _audit_fingerprint() -> str:
    """Names, sizes and modification times of the audit files: changes with every record."""
    digest = hashlib.sha256()
    for table in paths.AUDIT_TABLES:
        folder = paths.audit_dir(table)
        if not folder.is_dir():
            continue
        with os.scandir(folder) as entries:
            stats = sorted(
                (e.name, e.stat().st_size, e.stat().st_mtime_ns)
                for e in entries
                if e.is_file() and not e.name.startswith(".")
            )
        digest.update(f"{table}:{stats}".encode())
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# The marts: one short-lived read-only connection per snapshot, cached on the build id
# ---------------------------------------------------------------------------------------------

COUNTY = "county"
INDICATORS = (
    "petitions",
    "repeat_petitions",
    "skip_level_petitions",
    "collective_petitions",
    "abnormal_petitions",
)
CONTROL_FLAGS = {
    "petitions": "is_low_running",
    "repeat_petitions": "is_repeat_controlled",
    "skip_level_petitions": "is_skip_level_controlled",
    "collective_petitions": "is_collective_controlled",
    "abnormal_petitions": "is_abnormal_controlled",
}
# Decision marts of the ranking model (CONTRACT §5, reference/ranking-methods.md): the mart,
# the column naming the unit, and the kind of unit.
DECISION_MARTS: dict[str, tuple[str, str, str]] = {
    "model_villages": ("fct_model_village_list", "village_code", "village"),
    "title_status": ("fct_model_village_status", "village_code", "village"),
    "attention": ("fct_village_attention", "village_code", "village"),
    "under_registration": ("fct_under_registration_flags", "village_code", "village"),
    "cadre_candidates": ("fct_cadre_candidates", "cadre_id", "cadre"),
    "accountability": ("fct_accountability_flags", "unit_id", "cadre"),
}


class DataError(XinfangError):
    """A query against the published build failed (shown to the reader in plain Chinese)."""


@dataclass(frozen=True)
class Snapshot:
    """What a page shows, read from one build; `build` is None when nothing is published."""

    build: dict[str, Any] | None
    payload: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.payload[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.payload.get(key, default)


def filters() -> Snapshot:
    """Years with data and the towns (by code)."""
    return _on_build("filters", (), _read_filters)


def overview(year: int | None, scope: str | None) -> Snapshot:
    return _on_build("overview", (year, scope or COUNTY), _read_overview)


def villages(year: int | None, town: str | None) -> Snapshot:
    return _on_build("villages", (year, town or None), _read_villages)


def cadres(year: int | None, town: str | None) -> Snapshot:
    return _on_build("cadres", (year, town or None), _read_cadres)


def handling(year: int | None, scope: str | None) -> Snapshot:
    return _on_build("handling", (year, scope or COUNTY), _read_handling)


# --- readers: (con, *args) -> payload -------------------------------------------------------


def _read_filters(con: Any) -> dict[str, Any]:
    years = [
        int(y)
        for (y,) in con.sql(
            "select distinct year from marts.fct_one_low_four_controls order by year"
        ).fetchall()
    ]
    towns = _records(
        con,
        "select town_code, town_name, population, villages from marts.dim_town "
        "order by town_code",
    )
    return {"years": years, "towns": towns}


def _settle(con: Any, year: int | None, scope: str | None) -> dict[str, Any]:
    """The filters, with the year defaulting to the latest and an unknown town to none."""
    meta = _read_filters(con)
    years = meta["years"]
    chosen = year if year in years else (years[-1] if years else None)
    codes = {t["town_code"] for t in meta["towns"]}
    town = scope if scope in codes else None
    return {**meta, "year": chosen, "town": town}


def _settle_scope(con: Any, year: int | None, scope: str) -> dict[str, Any]:
    """`_settle`, plus the scope of fct_one_low_four_controls it means (a town, or the county)
    and the dashboard targets."""
    base = _settle(con, year, scope)
    town = base["town"]
    scope_type, scope_code = ("town", town) if town else (COUNTY, COUNTY)
    return {**base, "scope_type": scope_type, "scope_code": scope_code,
            "targets": _targets(con), "parameters": _seed_values(con, "dashboard_parameters")}


def _read_overview(con: Any, year: int | None, scope: str) -> dict[str, Any]:
    out = _settle_scope(con, year, scope)
    year, town, scope_type, scope_code = (out[k] for k in ("year", "town", "scope_type",
                                                           "scope_code"))
    out["standards"] = _standards(con)
    if year is None:
        return {**out, "row": None, "changes": [], "monthly": [], "children": []}
    rows = _records(
        con,
        "select * from marts.fct_one_low_four_controls "
        "where scope_type = ? and scope_code = ? and year = ?",
        [scope_type, scope_code, year],
    )
    out["row"] = rows[0] if rows else None
    out["changes"] = _records(
        con,
        "select indicator, count, count_prev_year, rate_ratio, rate_ratio_low, "
        "rate_ratio_high, change, change_low, change_high, is_significant_fall, "
        "is_significant_rise from marts.fct_indicator_change "
        "where scope_type = ? and scope_code = ? and year = ?",
        [scope_type, scope_code, year],
    )
    out["monthly"] = _records(
        con,
        """
        select m.month_start, m.petitions, m.repeat_petitions, m.skip_level_petitions,
               m.collective_petitions, m.abnormal_petitions, m.visits, m.letters,
               o.population
        from marts.fct_scope_month as m
        left join marts.fct_one_low_four_controls as o
            on o.scope_type = m.scope_type and o.scope_code = m.scope_code
            and o.year = year(m.month_start)
        where m.scope_type = ? and m.scope_code = ?
        order by m.month_start
        """,
        [scope_type, scope_code],
    )
    if town:
        out["children"] = _records(
            con,
            """
            select v.village_code as code, d.village_name as name, v.population,
                   v.petitions, v.repeat_petitions, v.skip_level_petitions,
                   v.collective_petitions, v.abnormal_petitions, v.visits,
                   v.petitions_per_1k, v.is_meets_standard
            from marts.fct_village_year as v
            left join marts.dim_village as d on d.village_code = v.village_code
            where v.year = ? and v.town_code = ?
            order by v.petitions_per_1k desc, d.village_name
            """,
            [year, town],
        )
    else:
        out["children"] = _records(
            con,
            """
            select o.scope_type, o.scope_code as code, t.town_name as name, o.population,
                   o.petitions, o.petitions_prev_year, o.repeat_petitions,
                   o.skip_level_petitions, o.collective_petitions, o.abnormal_petitions,
                   o.visits, o.repeat_visits, o.repeat_visit_share,
                   o.is_low_running, o.is_repeat_controlled, o.is_skip_level_controlled,
                   o.is_collective_controlled, o.is_abnormal_controlled, o.petitions_per_1k
            from marts.fct_one_low_four_controls as o
            left join marts.dim_town as t on t.town_code = o.scope_code
            where o.scope_type in ('town', 'no_town') and o.year = ?
            order by o.scope_type = 'no_town', o.petitions_per_1k desc nulls last, o.scope_code
            """,
            [year],
        )
    return out


def _read_villages(con: Any, year: int | None, town: str | None) -> dict[str, Any]:
    base = _settle(con, year, town)
    year, town = base["year"], base["town"]
    out: dict[str, Any] = {**base, "standards": _standards(con),
                           "ranking_parameters": _seed_values(con, "ranking_parameters")}
    out["specs"] = funnel_specs(_records(con, "select * from seeds.ranking_indicators"),
                                table_columns(con, "marts", "fct_village_year"))
    if year is None:
        return {**out, "rows": [], "decisions": {}}
    parameters = funnel_parameters(con, "village", year)
    for spec in out["specs"]:
        spec["funnel"] = parameters.get(spec["indicator"])
    # Every village of the year (the funnel needs the county); the page filters by town.
    out["rows"] = _records(
        con,
        """
        select v.*, d.village_name, d.town_name
        from marts.fct_village_year as v
        left join marts.dim_village as d on d.village_code = v.village_code
        where v.year = ?
        order by v.village_code
        """,
        [year],
    )
    out["decisions"] = {
        kind: _decision_rows(con, kind, year)
        for kind in ("under_registration", "title_status", "attention")
    }
    out["attention_threshold"] = con.execute(
        "select value from seeds.ranking_parameters "
        "where parameter = 'attention_min_p_bottom_decile'").fetchall()[0][0]
    return out


def _read_cadres(con: Any, year: int | None, town: str | None) -> dict[str, Any]:
    base = _settle(con, year, town)
    year, town = base["year"], base["town"]
    out: dict[str, Any] = {
        **base, "ranking_parameters": _seed_values(con, "ranking_parameters"),
        "eligibility": _seed_values(con, "candidate_eligibility", key="rule")}
    if year is None:
        return {**out, "rows": [], "ranking": [], "decisions": {}, "escalations": []}
    # The year's whole ranking (every town), for the sentences under it.
    out["ranking"] = _records(
        con,
        "select cadre_id, cases_assigned, is_insufficient_data, p_top_decile "
        "from marts.fct_cadre_year where year = ? order by cadre_id",
        [year],
    )
    where = "where c.year = ?" + (" and d.town_code = ?" if town else "")
    out["rows"] = _records(
        con,
        f"""
        select c.*, d.cadre_name, d.unit_name, d.post, d.town_code
        from marts.fct_cadre_year as c
        left join marts.dim_cadre as d on d.cadre_id = c.cadre_id
        {where}
        order by c.cadre_id
        """,
        [year] + ([town] if town else []),
    )
    out["decisions"] = {
        kind: _decision_rows(con, kind, year, town)
        for kind in ("cadre_candidates", "accountability")
    }
    out["escalations"] = _records(
        con,
        f"""
        select e.*, v.village_name, t.town_name,
               l.cadre_name as lead_cadre_name, l.unit_name as lead_unit_name,
               r.cadre_name as responsible_cadre_name, r.unit_name as responsible_unit_name
        from marts.fct_escalation_accountability as e
        left join marts.dim_village as v on v.village_code = e.village_code
        left join marts.dim_town as t on t.town_code = e.town_code
        left join marts.dim_cadre as l on l.cadre_id = e.lead_cadre_id
        left join marts.dim_cadre as r on r.cadre_id = e.responsible_cadre_id
        where e.year = ?{" and e.town_code = ?" if town else ""}
        order by e.received_date, e.case_id
        """,
        [year] + ([town] if town else []),
    )
    out["selection"] = _selection(con, year)
    return out


def _selection(con: Any, year: int) -> dict[str, Any]:
    """和谐信访十件新事 · 先进个人评选 for the year, county-wide: the nominees with their evidence
    (fct_nominee_evidence), the proposed shortlist (fct_cadre_shortlist) and the seed rules the
    page's sentences quote (award_count, min_items)."""
    def read(table: str, order: str) -> list[dict[str, Any]]:
        return _records(
            con,
            f"select m.*, d.cadre_name, d.unit_name from marts.{table} as m "
            f"left join marts.dim_cadre as d on d.cadre_id = m.cadre_id "
            f"where m.year = ? order by m.{order}",
            [year],
        )

    rules = dict(con.sql("select rule, value from seeds.candidate_eligibility").fetchall())
    return {
        "nominees": read("fct_nominee_evidence", "nominee_order"),
        "shortlist": read("fct_cadre_shortlist", "shortlist_order"),
        "award_count": int(rules["award_count"]),
        "min_items": int(rules["min_items"]),
    }


def _read_handling(con: Any, year: int | None, scope: str) -> dict[str, Any]:
    out = _settle_scope(con, year, scope)
    year, scope_type, scope_code = out["year"], out["scope_type"], out["scope_code"]
    out["by_year"] = _records(
        con,
        "select * from marts.fct_handling_performance "
        "where scope_type = ? and scope_code = ? order by year",
        [scope_type, scope_code],
    )
    out["town_rows"] = (
        _records(
            con,
            """
            select h.*, t.town_name
            from marts.fct_handling_performance as h
            left join marts.dim_town as t on t.town_code = h.scope_code
            where h.scope_type in ('town', 'no_town') and h.year = ?
            order by h.scope_type = 'no_town', h.scope_code
            """,
            [year],
        )
        if year is not None
        else []
    )
    out["monthly"] = _records(
        con,
        "select month_start, petitions, letters, visits from marts.fct_scope_month "
        "where scope_type = ? and scope_code = ? order by month_start",
        [scope_type, scope_code],
    )
    return out


# --- helpers --------------------------------------------------------------------------------


def table_columns(con: Any, schema: str, table: str) -> list[str]:
    """Columns of a relation of the published build (information_schema), in order."""
    return [
        c
        for (c,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_catalog = 'memory' and table_schema = ? and table_name = ? "
            "order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def _decision_rows(con: Any, kind: str, year: int, town: str | None = None
                   ) -> list[dict[str, Any]]:
    """Rows of a decision mart for the year with the unit's name (and town): villages with
    their town, cadres (of the town, when one is chosen) with their unit and post."""
    name, unit, unit_type = DECISION_MARTS[kind]
    where, params = ["m.year = ?"], [year]
    if kind == "accountability":
        where.append("m.unit_type = ?")
        params.append(unit_type)
    if unit_type == "cadre":
        join = f"left join marts.dim_cadre as d on d.cadre_id = m.{unit}"
        extra = ", d.cadre_name, d.unit_name, d.post, d.town_code as cadre_town_code"
        if town:
            where.append("d.town_code = ?")
            params.append(town)
    else:  # the page filters villages by town itself (the cards count the whole list)
        join = f"left join marts.dim_village as d on d.village_code = m.{unit}"
        extra = ", d.village_name, d.town_name"
    return _records(
        con, f"select m.*{extra} from marts.{name} as m {join} where {' and '.join(where)}",
        params)


def funnel_specs(definitions: list[dict[str, Any]], columns: list[str]) -> list[dict[str, Any]]:
    """Village indicators a funnel can be drawn for: the ranking model's ranked village
    indicators (seed ranking_indicators), whose numerator and denominator are columns of
    fct_village_year."""
    return [
        {
            "indicator": d["indicator"],
            "numerator": d["numerator"],
            "denominator": d["denominator"],
            "scale": float(d.get("scale") or 1),
            "family": d.get("family") or "rate",
        }
        for d in definitions
        if d.get("unit_type") == "village" and d.get("role") == "ranked"
        and {d.get("numerator"), d.get("denominator")} <= set(columns)
    ]


def funnel_parameters(con: Any, unit_type: str, year: int) -> dict[str, dict[str, Any]]:
    """indicator → the funnel parameters the build used that year (mart fct_funnel_parameters:
    family, scale, θ₀, τ², ...)."""
    rows = _records(
        con,
        "select * from marts.fct_funnel_parameters where unit_type = ? and year = ?",
        [unit_type, year],
    )
    return {r["indicator"]: r for r in rows}


def _standards(con: Any) -> dict[str, float]:
    """The village standard's limits (seed village_standards of the build)."""
    return {
        r["indicator"]: r["max_value"]
        for r in _records(con, "select indicator, max_value from seeds.village_standards")
    }


def _seed_values(con: Any, seed: str, key: str = "parameter") -> dict[str, float]:
    """name → value of a parameter seed of the published build (dashboard_parameters,
    ranking_parameters; candidate_eligibility by `rule`)."""
    return {r["name"]: r["value"]
            for r in _records(con, f"select {key} as name, value from seeds.{seed}")}


def _targets(con: Any) -> dict[str, dict[str, Any]]:
    """The dashboard targets of the published build (seed dashboard_targets)."""
    return {r["indicator"]: r for r in _records(con, "select * from seeds.dashboard_targets")}


def _on_build(name: str, args: tuple[Any, ...], reader: Any) -> Snapshot:
    """Read a snapshot of the published build, memoized under its build id."""
    try:
        build_id = warehouse.published_build_id()
    except XinfangError as exc:
        raise DataError(str(exc)) from None
    if build_id is None:
        return Snapshot(None)
    try:
        return _build_snapshot(str(paths.home()), build_id, name, args, reader)
    except _PointerMovedError as moved:  # published again meanwhile: shown, not kept
        return moved.snapshot


class _PointerMovedError(Exception):
    """The pointer moved between reading it and attaching: the snapshot is another build's."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__(snapshot.build)
        self.snapshot = snapshot


@cache.memoize(timeout=0, unless=_no_cache, args_to_ignore=["reader"])
def _build_snapshot(home: str, build_id: str, name: str, args: tuple[Any, ...],
                    reader: Any) -> Snapshot:
    """`reader`'s snapshot of build `build_id`; the key is (home, build id, name, args)."""
    snap = _read_snapshot(reader, args)
    if snap.build is None or snap.build["build_id"] != build_id:
        raise _PointerMovedError(snap)
    return snap


def _read_snapshot(reader: Any, args: tuple[Any, ...]) -> Snapshot:
    import duckdb

    try:
        with warehouse.connect() as con:
            attached = warehouse.attached_build_id(con)
            if attached is None:
                return Snapshot(None)
            build = _build_info(con, attached)
            payload = reader(con, *args)
    except XinfangError as exc:
        raise DataError(str(exc)) from None
    except duckdb.Error as exc:
        text = str(exc).strip().splitlines()
        reason = text[0] if text else type(exc).__name__
        raise DataError(i18n.t("text.query_failed", reason=reason)) from None
    return Snapshot(build, payload)
