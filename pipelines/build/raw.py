"""Schema `raw` of a build database: the lake batches the load ledger lists, one table per
entity, cast to the lake schema (so each build file is self-contained)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from pipelines import audit, paths, seeds
from pipelines.errors import XinfangError

RAW_SCHEMA = "raw"

# Lake column types (seeds/input_columns.csv value_type) as DuckDB types.
SQL_TYPES = {
    "text": "varchar",
    "identity": "varchar",
    "vocabulary": "varchar",
    "datetime": "timestamp",
    "positive_integer": "bigint",
    "count": "bigint",
    "year": "bigint",
}
LINEAGE_COLUMNS = {"_batch_id": "varchar", "_line_number": "bigint"}


def lake_columns(entity: str) -> dict[str, str]:
    """The lake schema of an entity as DuckDB types: contract columns (identities under their
    `_key` names), then the lineage columns."""
    columns = {c.lake_name: SQL_TYPES[c.value_type] for c in seeds.kept_columns(entity)}
    columns.update(LINEAGE_COLUMNS)
    return columns


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def lake_files(entity: str) -> list[Path]:
    """Lake files of the batches the ledger lists as loaded, in delivery order."""
    batches = audit.loaded_batches(entity)
    files: list[Path] = []
    seen: set[str] = set()
    for sha in batches.get_column("file_sha256").to_list():
        if sha in seen:
            continue
        seen.add(sha)
        path = audit.lake_file(entity, sha)
        if not path.exists():
            raise XinfangError(
                f"原始数据湖缺少已登记的批次文件 (the ledger lists a batch the lake lacks: {path})"
            )
        files.append(path)
    return files


def create_raw_table(con: duckdb.DuckDBPyConnection, entity: str, files: list[Path]) -> int:
    """raw.<entity> from the given lake files, cast to the lake schema. A column no file has is
    added as typed nulls; with no files the table is empty with the lake schema."""
    columns = lake_columns(entity)
    table = f"{RAW_SCHEMA}.{entity}"
    if not files:
        column_defs = ", ".join(f"{name} {sql_type}" for name, sql_type in columns.items())
        con.execute(f"create or replace table {table} ({column_defs})")
        return 0
    scan = "read_parquet([{}], union_by_name = true)".format(
        ", ".join(sql_literal(str(f)) for f in files)
    )
    present = {row[0] for row in con.sql(f"describe select * from {scan}").fetchall()}
    selects = [
        f"cast({name} as {sql_type}) as {name}"
        if name in present
        else f"cast(null as {sql_type}) as {name}"
        for name, sql_type in columns.items()
    ]
    extras = sorted(present - set(columns))
    selects += extras
    con.execute(f"create or replace table {table} as select {', '.join(selects)} from {scan}")
    return con.sql(f"select count(*) from {table}").fetchall()[0][0]


def create_empty_raw(db_path: Path) -> None:
    """Schema raw with every entity's table empty (the dbt unit tests' throwaway database)."""
    con = duckdb.connect(str(db_path))
    try:
        con.execute(f"create schema {RAW_SCHEMA}")
        for entity in paths.ENTITIES:
            create_raw_table(con, entity, [])
    finally:
        con.close()


def load_raw(db_path: Path) -> dict[str, int]:
    """Create schema raw in the build database from the ledger-listed lake batches."""
    counts: dict[str, int] = {}
    con = duckdb.connect(str(db_path))
    try:
        con.execute(f"create schema if not exists {RAW_SCHEMA}")
        for entity in paths.ENTITIES:
            counts[entity] = create_raw_table(con, entity, lake_files(entity))
    finally:
        con.close()
    return counts


def default_as_of(db_path: Path) -> date | None:
    """The latest received_at of the loaded items (each at its latest delivery) or event_at of
    their events (CONTRACT §3): never the wall clock. None when no item is loaded."""
    query = f"""
        with latest_cases as (
            select case_id, received_at
            from {RAW_SCHEMA}.cases
            qualify row_number() over (
                partition by case_id order by _batch_id desc, _line_number desc
            ) = 1
        ),
        events_of_loaded_cases as (
            select case_events.event_at
            from {RAW_SCHEMA}.case_events as case_events
            inner join latest_cases on case_events.case_id = latest_cases.case_id
        ),
        moments as (
            select received_at as moment from latest_cases
            union all
            select event_at from events_of_loaded_cases
        )
        select cast(max(moment) as date) from moments
    """
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.sql(query).fetchall()[0][0]
    finally:
        con.close()
