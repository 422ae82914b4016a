"""Where builds live, the publish pointer, and retention.

Every build is `$XINFANG_HOME/builds/<build_id>/xinfang.duckdb` (the same file name in its own
folder, because dbt-duckdb names the database after the file's stem and views refer to it).
The pointer file `$XINFANG_HOME/published` names the published build; it is switched
atomically, and this module is its only reader and writer (pipelines.warehouse and the
dashboards read it through `published_build_id`).
"""

from __future__ import annotations

import re
import shutil
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines import audit, fsutil, paths
from pipelines.errors import XinfangError

DB_FILE = "xinfang.duckdb"
KEEP_PUBLISHED = 3
META_SCHEMA = "meta"
STAGING_MODELS = (
    "stg_lake__villages",
    "stg_lake__cadres",
    "stg_lake__cases",
    "stg_lake__case_events",
    "stg_lake__nominations",
    "stg_lake__surveys",
    "stg_lake__information_adoptions",
)
_BUILD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def new_build_id(now: datetime | None = None, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A sortable id: UTC time to the second plus a two-digit sequence within that second."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    seq = 1
    while f"{stamp}-{seq:02d}" in taken:
        seq += 1
    return f"{stamp}-{seq:02d}"


def build_db_path(build_id: str) -> Path:
    return paths.builds_dir() / build_id / DB_FILE


def published_build_id() -> str | None:
    """The build id the pointer file names, or None when nothing has been published. A pointer
    that does not hold a build id is an error, never a path to follow."""
    pointer = paths.pointer_file()
    try:
        text = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not text:
        return None
    if not _BUILD_ID.match(text):
        raise XinfangError(f"发布指针文件内容无效：{pointer}")
    return text


def finalize_database(db_path: Path, build_id: str, as_of: date, as_of_source: str) -> dict[str, int]:
    """Write meta.build_info, count the staging rows, CHECKPOINT and close."""
    from dbt.version import __version__ as dbt_version

    con = duckdb.connect(str(db_path))
    try:
        con.execute(f"create schema if not exists {META_SCHEMA}")
        con.execute(
            f"""create or replace table {META_SCHEMA}.build_info (
                build_id varchar not null,
                as_of date not null,
                as_of_source varchar not null,
                built_at timestamp not null,
                dbt_version varchar not null
            )"""
        )
        con.execute(
            f"insert into {META_SCHEMA}.build_info values (?, ?, ?, ?, ?)",
            [build_id, as_of, as_of_source, audit.now(), dbt_version],
        )
        counts = {
            name: con.sql(f"select count(*) from staging.{name}").fetchall()[0][0]
            for name in STAGING_MODELS
        }
        con.execute("checkpoint")
    finally:
        con.close()
    return counts


def publish(build_id: str) -> None:
    """Make the build file read-only, then switch the pointer to it atomically."""
    db_path = build_db_path(build_id)
    db_path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    fsutil.write_text_atomic(build_id, paths.pointer_file())


def apply_retention(keep: int = KEEP_PUBLISHED) -> list[str]:
    """Keep the last `keep` published builds, the one the pointer names and the most recent
    failed build; remove every other build folder. Returns the removed ids."""
    root = paths.builds_dir()
    if not root.exists():
        return []
    records = audit.read("builds").sort(["finished_at", "build_id"])
    published = records.filter(pl.col("status") == "published").get_column("build_id").to_list()
    failed = records.filter(pl.col("status") == "failed").get_column("build_id").to_list()
    kept = set(published[-keep:]) | set(failed[-1:])
    current = published_build_id()
    if current:
        kept.add(current)
    removed = []
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and folder.name not in kept:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed
