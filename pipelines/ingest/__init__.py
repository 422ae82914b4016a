"""Ingest: delivered files → raw lake batches + load ledger + quarantine (CONTRACT §2)."""

from pipelines.ingest.run import IngestResult, ingest_paths

__all__ = ["IngestResult", "ingest_paths"]
