"""Every query the dashboards run. Short-lived read-only connections, cached per state.

A snapshot is cached under a key made of $XINFANG_HOME, the published build id and a
fingerprint of the audit files, so a new build or a new ingest is seen on the next render
while repeated renders of the same state cost nothing. The cache is Flask-Caching's
SimpleCache, bound to the Dash server by `init_cache`; outside an app (tests, scripts) the
functions compute directly.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app, has_app_context
from flask_caching import Cache

from pipelines import paths, warehouse
from pipelines.errors import XinfangError

CACHE_TIMEOUT_SECONDS = 600
cache = Cache(config={"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": CACHE_TIMEOUT_SECONDS})


def init_cache(server: Any) -> None:
    cache.init_app(server)


@dataclass(frozen=True)
class QualitySnapshot:
    """What the data-quality page shows, read in one connection."""

    build_id: str | None
    build_info: dict[str, Any] | None
    ledger: list[dict[str, Any]] = field(default_factory=list)
    quarantine_by_reason: list[dict[str, Any]] = field(default_factory=list)
    entity_counts: list[dict[str, Any]] = field(default_factory=list)

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
    return _cached("quality", _read_quality_snapshot)


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


def _read_quality_snapshot() -> QualitySnapshot:
    with warehouse.connect() as con:
        build_id = warehouse.attached_build_id(con)
        ledger = _records(con, LEDGER_SQL)
        for row in ledger:
            row["is_balanced"] = _is_balanced(row)
        quarantine = _records(con, QUARANTINE_SQL)
        info = _build_info(con, build_id) if build_id else None
        counts = _entity_counts(con) if build_id else []
    return QualitySnapshot(
        build_id=build_id,
        build_info=info,
        ledger=ledger,
        quarantine_by_reason=quarantine,
        entity_counts=counts,
    )


def _is_balanced(row: dict[str, Any]) -> bool | None:
    if row["status"] != "loaded" or row["rows_read"] is None:
        return None
    return row["rows_read"] == (row["rows_loaded"] or 0) + (row["rows_quarantined"] or 0)


def _build_info(con: Any, build_id: str) -> dict[str, Any]:
    info: dict[str, Any] = {"build_id": build_id, "as_of": None, "built_at": None}
    if not _relation_exists(con, "meta", "build_info"):
        return info
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


def _relation_exists(con: Any, schema: str, name: str) -> bool:
    rows = con.execute(
        "select 1 from duckdb_views() where database_name = 'memory' and schema_name = ? "
        "and view_name = ? union all select 1 from duckdb_tables() "
        "where database_name = 'memory' and schema_name = ? and table_name = ?",
        [schema, name, schema, name],
    ).fetchall()
    return bool(rows)


def _records(con: Any, sql: str) -> list[dict[str, Any]]:
    rel = con.sql(sql)
    columns = list(rel.columns)
    return [dict(zip(columns, (_plain(v) for v in row), strict=True)) for row in rel.fetchall()]


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


def state_key() -> str:
    """Identifies what a reader would see now: home, published build id, audit files."""
    digest = hashlib.sha256()
    digest.update(str(paths.home()).encode())
    try:
        build_id = warehouse.published_build_id()
    except XinfangError:  # an unreadable pointer: do not cache on it
        build_id = f"invalid-{os.urandom(8).hex()}"
    digest.update(f"|{build_id}|".encode())
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


def _active_cache() -> Cache | None:
    if has_app_context() and cache in current_app.extensions.get("cache", {}):
        return cache
    return None


def _cached(name: str, compute: Any) -> Any:
    store = _active_cache()
    if store is None:
        return compute()
    key = f"{name}:{state_key()}"
    hit = store.get(key)
    if hit is not None:
        return hit
    value = compute()
    store.set(key, value)
    return value
