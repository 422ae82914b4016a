"""The read side of the warehouse: `xinfang query`, the dashboards and the export read here.

`connect()` opens an in-memory DuckDB, attaches the published build file read-only and
mirrors each of its schemas (`marts`, `staging`, `meta`, ...) as views under the same names,
so `select * from marts.fct_cases` works as written. The audit records (CONTRACT §6) are
loaded beside them as schema `audit`, as they are at the moment of connecting, so they are
readable even before anything is published. The connection is then locked: no file access,
no configuration change, and the published file is read-only, so a query can neither write
files nor attach other databases.

Connections are short-lived: open one per query or page render, never keep one around,
because the published build changes by an atomic pointer switch.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl

from pipelines import audit, paths
from pipelines.build.publish import build_db_path, published_build_id
from pipelines.errors import NothingPublished, UsageError, XinfangError

ALIAS = "xinfang"
"""Catalog name of the attached build: dbt-duckdb names the database after the file's stem and
the build's views refer to it, so the attachment must keep that name."""

FORMATS = ("table", "csv", "json")
TABLE_ROW_LIMIT = 1000
READ_ONLY_STATEMENTS = {"SELECT", "EXPLAIN"}

_SKIP_SCHEMAS = {"information_schema", "pg_catalog"}


# ---------------------------------------------------------------------------------------------
# Connections
# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def connect(*, require_build: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A locked, read-only view of the published warehouse plus the audit records.

    With no published build the connection still has the `audit` schema (and nothing else);
    `require_build=True` raises NothingPublished instead.
    The id of the attached build is `attached_build_id(con)`.
    """
    con = duckdb.connect(":memory:")
    try:
        build_id = _attach_published(con)
        if build_id is None and require_build:
            raise NothingPublished()
        if build_id is not None:
            _mirror_schemas(con)
        _load_audit(con)
        con.execute("SET VARIABLE xinfang_build_id = ?", [build_id])
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        yield con
    finally:
        con.close()


def attached_build_id(con: duckdb.DuckDBPyConnection) -> str | None:
    """The build id a connection from `connect()` attached (None when nothing was published)."""
    row = con.sql("select getvariable('xinfang_build_id')").fetchall()
    return row[0][0] if row else None


def _attach_published(con: duckdb.DuckDBPyConnection) -> str | None:
    """Attach the build the pointer names; re-read the pointer once if retention removed the
    file between reading the pointer and opening it."""
    for attempt in (1, 2):
        build_id = published_build_id()
        if build_id is None:
            return None
        db_path = build_db_path(build_id)
        try:
            con.execute(f"ATTACH {_literal(str(db_path))} AS {ALIAS} (READ_ONLY)")
            return build_id
        except duckdb.IOException as exc:
            if attempt == 2 or published_build_id() == build_id and db_path.exists():
                raise XinfangError(f"无法打开已发布的构建 {build_id}：{_first_line(exc)}") from None
    return None  # pragma: no cover - the loop always returns or raises


def _mirror_schemas(con: duckdb.DuckDBPyConnection) -> None:
    """Expose each schema of the attached build under its own name in the memory catalog."""
    schemas = [
        s
        for (s,) in con.execute(
            "select schema_name from duckdb_schemas() "
            "where database_name = ? and not internal order by schema_name",
            [ALIAS],
        ).fetchall()
        if s not in _SKIP_SCHEMAS
    ]
    relations = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? "
        "union all "
        "select schema_name, view_name from duckdb_views() where database_name = ? "
        "and not internal order by 1, 2",
        [ALIAS, ALIAS],
    ).fetchall()
    for schema in schemas:
        if schema != "main":
            con.execute(f"CREATE SCHEMA IF NOT EXISTS memory.{_ident(schema)}")
    for schema, name in relations:
        if schema in _SKIP_SCHEMAS:
            continue
        source = f"{ALIAS}.{_ident(schema)}.{_ident(name)}"
        target = f"memory.{_ident(schema)}.{_ident(name)}"
        try:
            con.execute(f"CREATE VIEW {target} AS SELECT * FROM {source}")
        except duckdb.Error:
            # A relation that cannot be bound (a broken view in the build) is left out rather
            # than making every other table unreadable; it is still there under `xinfang.`.
            continue


def _load_audit(con: duckdb.DuckDBPyConnection) -> None:
    """Materialise each audit table in memory (the connection gets no file access later)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS memory.audit")
    for table, schema in audit.SCHEMAS.items():
        columns = {name: _duck_type(dtype) for name, dtype in schema.items()}
        target = f"memory.audit.{_ident(table)}"
        files = _audit_files(table)
        if not files:
            cols = ", ".join(f"{_ident(c)} {t}" for c, t in columns.items())
            con.execute(f"CREATE TABLE {target} ({cols})")
            continue
        scan = (
            "read_parquet([" + ", ".join(_literal(str(f)) for f in files) + "], "
            "union_by_name = true)"
        )
        present = {row[0] for row in con.sql(f"DESCRIBE SELECT * FROM {scan}").fetchall()}
        select = ", ".join(
            (f"CAST({_ident(c)} AS {t})" if c in present else f"CAST(NULL AS {t})")
            + f" AS {_ident(c)}"
            for c, t in columns.items()
        )
        con.execute(f"CREATE TABLE {target} AS SELECT {select} FROM {scan}")


def _audit_files(table: str) -> list[Path]:
    folder = paths.audit_dir(table)
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.glob("*.parquet")
        if not p.name.startswith(".") and p.is_file() and p.stat().st_size > 0
    )


def _duck_type(dtype: pl.DataType) -> str:
    if dtype == pl.String:
        return "VARCHAR"
    if dtype == pl.Int64:
        return "BIGINT"
    if dtype == pl.Int32:
        return "INTEGER"
    if dtype == pl.Float64:
        return "DOUBLE"
    if dtype == pl.Boolean:
        return "BOOLEAN"
    if dtype == pl.Date:
        return "DATE"
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMP"
    raise TypeError(f"no DuckDB type for audit column type {dtype}")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# ---------------------------------------------------------------------------------------------
# xinfang query
# ---------------------------------------------------------------------------------------------


def read_only_statement(sql: str) -> str:
    """The one read-only statement in `sql`; anything else is refused in one clear line (several
    statements too: a query prints one result)."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise UsageError(_first_line(exc)) from None
    if not statements:
        raise UsageError("没有可执行的查询语句")
    for st in statements:
        kind = st.type.name
        if kind not in READ_ONLY_STATEMENTS:
            raise UsageError(f"只允许只读查询（SELECT），拒绝执行 {kind} 语句")
    if len(statements) > 1:
        raise UsageError(
            f"一次只能执行一条查询语句，收到 {len(statements)} 条"
            f" (one statement per query, got {len(statements)})"
        )
    return statements[0].query


def query_frame(sql: str) -> tuple[list[str], list[tuple]]:
    """Run one read-only query; returns (column names, rows)."""
    statement = read_only_statement(sql)
    with connect() as con:
        build_id = attached_build_id(con)
        try:
            result = con.sql(statement)
            if result is None:
                return [], []
            return list(result.columns), result.fetchall()
        except duckdb.CatalogException as exc:
            if build_id is None:
                raise NothingPublished() from None
            raise UsageError(_first_line(exc)) from None
        except duckdb.Error as exc:
            raise UsageError(_first_line(exc)) from None


def run_query(sql: str, fmt: str = "table") -> None:
    """`xinfang query SQL --format csv|table|json`: print the result to stdout."""
    fmt = (fmt or "table").lower()
    if fmt not in FORMATS:
        raise UsageError(f"未知的输出格式 {fmt!r}，可选 csv、table、json")
    columns, rows = query_frame(sql)
    out = sys.stdout
    if fmt == "csv":
        out.write(to_csv(columns, rows))
    elif fmt == "json":
        out.write(to_json(columns, rows) + "\n")
    else:
        _print_table(columns, rows)
    out.flush()


def to_csv(columns: list[str], rows: list[tuple]) -> str:
    """The result as CSV (no byte-order mark: it goes to a pipe), written by pipelines.writers,
    so formula-like text is escaped. Numbers stay numbers; other values are shown as text."""
    from pipelines import writers

    frame = pl.DataFrame([
        _csv_column(name, [row[i] for row in rows]) for i, name in enumerate(_unique(columns))
    ])
    buf = io.BytesIO()
    writers.write_csv(frame, buf, bom=False, line_terminator="\n")
    return buf.getvalue().decode("utf-8")


def _csv_column(name: str, values: list[object]) -> pl.Series:
    if all(v is None or isinstance(v, int | float | Decimal) and not isinstance(v, bool)
           for v in values):
        return pl.Series(name, values, strict=False)
    return pl.Series(name, [None if v is None else _plain(v) for v in values], dtype=pl.String)


def _unique(columns: list[str]) -> list[str]:
    """Column names made unique (a table needs that): a repeated name gets `_1`, `_2`, …"""
    seen: set[str] = set()
    out = []
    for name in columns:
        unique, n = name, 0
        while unique in seen:
            n += 1
            unique = f"{name}_{n}"
        seen.add(unique)
        out.append(unique)
    return out


def to_json(columns: list[str], rows: list[tuple]) -> str:
    records = [dict(zip(columns, (_jsonable(v) for v in row), strict=True)) for row in rows]
    return json.dumps(records, ensure_ascii=False)


def _shown(value: object) -> str:
    """Table cells: floats to 4 significant decimals (CSV and JSON keep full precision)."""
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 1e6 else f"{value:,.0f}"
    return _plain(value)


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def _print_table(columns: list[str], rows: list[tuple]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console() if sys.stdout.isatty() else Console(width=200)
    table = Table(show_header=True, header_style="bold", show_lines=False)
    for i, name in enumerate(columns):
        numeric = any(isinstance(r[i], int | float) and not isinstance(r[i], bool) for r in rows[:50])
        table.add_column(name, overflow="fold", justify="right" if numeric else "left")
    for row in rows[:TABLE_ROW_LIMIT]:
        table.add_row(*("" if v is None else _shown(v) for v in row))
    console.print(table)
    if len(rows) > TABLE_ROW_LIMIT:
        console.print(
            f"（共 {len(rows)} 行，仅显示前 {TABLE_ROW_LIMIT} 行；完整结果请用 --format csv）"
        )
    else:
        console.print(f"（{len(rows)} 行）")
