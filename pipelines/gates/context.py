"""What a suite sees: the build database (read-only), the thresholds, the load ledger and the
deliveries this build judges.

Per-batch checks judge the deliveries loaded since the last published build: each load batch
is validated by the first build that includes it (a batch that a published build accepted is
not judged again). `xinfang check` judges the same deliveries its build judged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import PurePath
from typing import Any

import duckdb
import pandas as pd
import polars as pl

from pipelines import audit, paths, seeds
from pipelines.gates.config import Params

CHUNK_ROWS = 250_000  # rows per pandas frame when a table is validated in chunks
DUCKDB_VECTOR = 2048


def judged_window(build_id: str) -> tuple[datetime | None, datetime | None]:
    """(from, until) of the ledger records a build judges: from the start of the last build
    published before it (None: no published build, judge everything) until its own start
    (None: the build is running now)."""
    builds = audit.read("builds")
    own = builds.filter(pl.col("build_id") == build_id)
    until = own.get_column("started_at")[0] if own.height else None
    published = builds.filter(pl.col("status") == "published")
    if until is not None:
        published = published.filter(pl.col("started_at") < until)
    since = published.get_column("started_at").max() if published.height else None
    return since, until


def file_label(file_name: Any) -> str:
    """A delivered file as people name it: its base name (the ledger keeps the path)."""
    if file_name is None or (isinstance(file_name, float) and pd.isna(file_name)):
        return "?"
    return PurePath(str(file_name)).name


@dataclass
class GateContext:
    con: duckdb.DuckDBPyConnection
    build_id: str
    phase: str
    params: Params
    ledger: pd.DataFrame  # every load-ledger record
    window: tuple[datetime | None, datetime | None]
    _cache: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------ the database
    def df(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        return self.con.sql(sql, params=params).df() if params else self.con.sql(sql).df()

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        rows = (self.con.sql(sql, params=params) if params else self.con.sql(sql)).fetchall()
        return rows[0][0] if rows else None

    def chunks(self, sql: str, params: list[Any] | None = None, rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
        """The query's result as pandas frames of at most `rows` rows (large tables are never
        pulled whole). Always yields at least one frame, possibly empty."""
        cursor = self.con.cursor()
        try:
            cursor.execute(sql, params or [])
            vectors = max(1, rows // DUCKDB_VECTOR)
            first = True
            while True:
                part = cursor.fetch_df_chunk(vectors)
                if len(part) == 0 and not first:
                    break
                first = False
                yield part
                if len(part) == 0:
                    break
        finally:
            cursor.close()

    def has_table(self, schema: str, name: str) -> bool:
        return bool(self.scalar(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, name],
        ))

    def columns(self, schema: str, name: str) -> dict[str, str]:
        rows = self.con.sql(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            params=[schema, name],
        ).fetchall()
        return dict(rows)

    @cached_property
    def as_of(self) -> date | None:
        if not self.has_table("meta", "build_info"):
            return None
        return self.scalar("select as_of from meta.build_info")

    # ------------------------------------------------------------ vocabularies (seeds)
    def codes(self, vocabulary: str) -> list[str]:
        """A vocabulary's codes, from the seed table in the build database."""
        key = f"codes:{vocabulary}"
        if key not in self._cache:
            rows = self.con.sql(
                "select code from seeds.vocabularies where vocabulary = ? order by sort_order, code",
                params=[vocabulary],
            ).fetchall()
            if not rows:
                raise KeyError(f"unknown vocabulary {vocabulary!r}")
            self._cache[key] = [r[0] for r in rows]
        return self._cache[key]

    def vocabulary_columns(self, entity: str) -> dict[str, str]:
        """column -> vocabulary of an input entity, from seeds.input_columns."""
        if self.has_table("seeds", "input_columns"):
            rows = self.con.sql(
                "select column_name, vocabulary from seeds.input_columns where entity = ? "
                "and value_type = 'vocabulary' order by sort_order",
                params=[entity],
            ).fetchall()
            return dict(rows)
        return {c.name: c.vocabulary for c in seeds.input_columns(entity) if c.vocabulary}

    def event_detail_vocabularies(self) -> dict[str, str]:
        """event_type -> vocabulary of its detail (seeds.event_details)."""
        rows = self.con.sql(
            "select event_type, vocabulary from seeds.event_details where detail_kind = 'vocabulary'"
        ).fetchall()
        return dict(rows)

    @staticmethod
    def spellings(vocabulary: str) -> set[str]:
        """Every accepted spelling of a vocabulary (codes, labels, aliases; folded), from the
        seed files: for reading quarantined originals before dbt has loaded the seeds."""
        return set(seeds.vocabulary(vocabulary))

    # ------------------------------------------------------------ the ledger and quarantine
    @cached_property
    def judged(self) -> pd.DataFrame:
        """Ledger records of the deliveries this build judges, oldest first."""
        since, until = self.window
        frame = self.ledger
        if since is not None:
            frame = frame[frame["loaded_at"] >= pd.Timestamp(since)]
        if until is not None:
            frame = frame[frame["loaded_at"] < pd.Timestamp(until)]
        return frame.sort_values(["loaded_at", "batch_id"]).reset_index(drop=True)

    def judged_batches(self, entity: str) -> pd.DataFrame:
        judged = self.judged
        return judged[(judged["entity"] == entity) & (judged["status"] == "loaded")].reset_index(drop=True)

    def earlier_batches(self, entity: str) -> pd.DataFrame:
        """Loaded batches of the entity before the judged ones (its history)."""
        since, _ = self.window
        ledger = self.ledger
        if since is None:
            return ledger.iloc[0:0]
        mask = (ledger["entity"] == entity) & (ledger["status"] == "loaded") & (
            ledger["loaded_at"] < pd.Timestamp(since)
        )
        return ledger[mask]

    def quarantine(self, batch_ids: list[str], columns: str = "*") -> pd.DataFrame:
        """audit.quarantine rows of the given batches (read with DuckDB: it may be large)."""
        files = quarantine_files()
        if not batch_ids or not files:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in audit.SCHEMAS["quarantine"]})
        return self.df(
            f"select {columns} from read_parquet(?, union_by_name = true) "
            "where batch_id in (select unnest(?::varchar[]))",
            [files, list(batch_ids)],
        )


    def quarantine_sample(self, batch_id: str, limit: int) -> pd.DataFrame:
        """The first `limit` quarantined rows of one batch (line order)."""
        files = quarantine_files()
        if not files:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in audit.SCHEMAS["quarantine"]})
        return self.df(
            "select * from read_parquet(?, union_by_name = true) where batch_id = ? "
            "order by line_number limit ?",
            [files, batch_id, limit],
        )


def quarantine_files() -> list[str]:
    folder = paths.audit_dir("quarantine")
    if not folder.exists():
        return []
    return sorted(str(p) for p in folder.glob("*.parquet") if not p.name.startswith("."))


def load_ledger() -> pd.DataFrame:
    frame = audit.read("load_ledger").to_pandas()
    frame["loaded_at"] = pd.to_datetime(frame["loaded_at"])
    return frame
