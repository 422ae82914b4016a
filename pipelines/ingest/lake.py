"""The raw lake: one immutable Parquet batch per accepted file, committed by its ledger record.

Order of writes for one file: the batch (temporary name, then rename), its quarantine records,
then the ledger record, which is the commit point. `sweep()` removes whatever an interrupted
ingest left behind: temporaries, and batches or quarantine files that no ledger record names.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from pipelines import audit, paths, seeds
from pipelines.fsutil import TMP_PREFIX, fsync_dir, remove_temporaries, tmp_sibling


def lake_schema(entity: str) -> dict[str, pl.DataType]:
    types = {
        "text": pl.String(), "identity": pl.String(), "vocabulary": pl.String(),
        "datetime": pl.Datetime("us"), "positive_integer": pl.Int64(), "count": pl.Int64(),
        "year": pl.Int64(),
    }
    schema = {c.lake_name: types[c.value_type] for c in seeds.kept_columns(entity)}
    if entity == "case_events":
        schema["detail"] = pl.String()
    schema["_batch_id"] = pl.String()
    schema["_line_number"] = pl.Int64()
    return schema


class BatchWriter:
    """Streams checked chunks into a temporary Parquet file beside the final batch."""

    def __init__(self, entity: str, sha256: str) -> None:
        self.entity = entity
        self.final = audit.lake_file(entity, sha256)
        self.final.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = tmp_sibling(self.final)
        self.schema = lake_schema(entity)
        self._writer: pq.ParquetWriter | None = None
        self.rows = 0

    def write(self, frame: pl.DataFrame) -> None:
        table = frame.select([pl.col(c).cast(t) for c, t in self.schema.items()]).to_arrow()
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.tmp, table.schema, compression="zstd")
        self._writer.write_table(table)
        self.rows += frame.height

    def close(self) -> Path:
        if self._writer is None:  # no rows at all: still a (empty) batch with the schema
            pl.DataFrame(schema=self.schema).write_parquet(self.tmp)
        else:
            self._writer.close()
        return self.tmp

    def abort(self) -> None:
        if self._writer is not None:
            # the writer may be half-written already; the file goes anyway
            with contextlib.suppress(OSError, ValueError, RuntimeError):
                self._writer.close()
        self.tmp.unlink(missing_ok=True)

    def commit(self, path: Path) -> None:
        """Move a finished temporary file into place (rename within one folder is atomic)."""
        with open(path, "rb+") as fh:
            import os

            os.fsync(fh.fileno())
        path.replace(self.final)
        fsync_dir(self.final.parent)


def known_hashes() -> set[str]:
    return set(audit.loaded_batches().get_column("file_sha256").to_list())


def sweep() -> int:
    """Delete what an interrupted ingest left: temporaries and uncommitted batches. Call under
    the warehouse lock. Returns the number of files removed."""
    removed = 0
    ledger = audit.read("load_ledger")
    committed = set(ledger.filter(pl.col("status") == "loaded").get_column("file_sha256").to_list())
    batch_ids = set(ledger.get_column("batch_id").to_list())
    for entity in paths.ENTITIES:
        folder = paths.lake_dir(entity)
        removed += remove_temporaries(folder)
        if folder.exists():
            for f in folder.glob("*.parquet"):
                if f.stem not in committed:
                    f.unlink()
                    removed += 1
    for table in paths.AUDIT_TABLES:
        removed += remove_temporaries(paths.audit_dir(table))
    qfolder = paths.audit_dir("quarantine")
    if qfolder.exists():
        for f in qfolder.glob("*.parquet"):
            if not f.name.startswith(TMP_PREFIX) and f.stem not in batch_ids:
                f.unlink()
                removed += 1
    return removed
