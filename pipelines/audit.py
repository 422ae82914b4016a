"""Audit records (CONTRACT §6): append-only Parquet files outside any DuckDB database.

Each record set is one file written atomically, so a reader never waits for a writer and a
killed writer leaves either the whole record or nothing.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl

from pipelines import paths
from pipelines.fsutil import write_parquet_atomic

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "load_ledger": {
        "batch_id": pl.String(),
        "file_name": pl.String(),
        "file_sha256": pl.String(),
        "entity": pl.String(),
        "rows_read": pl.Int64(),
        "rows_loaded": pl.Int64(),
        "rows_quarantined": pl.Int64(),
        "status": pl.String(),
        "loaded_at": pl.Datetime("us"),
        "key_fingerprint": pl.String(),
        "message": pl.String(),
        # "mapping/output" when a source mapping (xinfang ingest --mapping) produced the batch
        "mapping_output": pl.String(),
    },
    "quarantine": {
        "batch_id": pl.String(),
        "file_name": pl.String(),
        "line_number": pl.Int64(),
        "reason": pl.String(),
        "original_values": pl.String(),
        "detail": pl.String(),
    },
    "builds": {
        "build_id": pl.String(),
        "as_of": pl.Date(),
        "started_at": pl.Datetime("us"),
        "finished_at": pl.Datetime("us"),
        "status": pl.String(),
        "failed_check": pl.String(),
    },
    "quality_results": {
        "build_id": pl.String(),
        "check_name": pl.String(),
        "table_name": pl.String(),
        "severity": pl.String(),
        "status": pl.String(),
        "observed": pl.String(),
        "detail": pl.String(),
    },
}


def now() -> datetime:
    """Local wall-clock time, to the microsecond (for audit stamps only, never for figures)."""
    return datetime.now().replace(tzinfo=None)


def write_records(table: str, name: str, rows: list[dict] | pl.DataFrame) -> Path:
    """Write one record set of an audit table as its own file (atomic)."""
    schema = SCHEMAS[table]
    if isinstance(rows, pl.DataFrame):
        frame = rows.select([pl.col(c).cast(t) for c, t in schema.items()])
    else:
        frame = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(
            schema=schema
        )
    path = paths.audit_dir(table) / f"{name}.parquet"
    write_parquet_atomic(frame, path)
    return path


def glob(table: str) -> str:
    return str(paths.audit_dir(table) / "*.parquet")


def read(table: str) -> pl.DataFrame:
    """All records of an audit table (an empty frame with the schema when there are none)."""
    folder = paths.audit_dir(table)
    files = sorted(p for p in folder.glob("*.parquet") if not p.name.startswith(".")) if folder.exists() else []
    if not files:
        return pl.DataFrame(schema=SCHEMAS[table])
    frame = pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed")
    # records written before a column was added read it as null
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in SCHEMAS[table].items() if c not in frame.columns]
    return frame.with_columns(missing).select(list(SCHEMAS[table]))


def loaded_batches(entity: str | None = None) -> pl.DataFrame:
    """Ledger rows of batches in the raw lake (status loaded), oldest first."""
    ledger = read("load_ledger").filter(pl.col("status") == "loaded")
    if entity is not None:
        ledger = ledger.filter(pl.col("entity") == entity)
    return ledger.sort("batch_id")


def lake_file(entity: str, sha256: str) -> Path:
    return paths.lake_dir(entity) / f"{sha256}.parquet"
