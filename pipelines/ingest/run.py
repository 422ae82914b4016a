"""`xinfang ingest`: load delivered files into the raw lake, file by file (CONTRACT §2)."""

from __future__ import annotations

import hashlib
import sys
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines import audit, paths, seeds
from pipelines.errors import UsageError, XinfangError
from pipelines.fsutil import crash_point, warehouse_lock
from pipelines.ingest import lake
from pipelines.ingest.pseudonymise import fingerprint, hash_column, load_or_create_key
from pipelines.ingest.read import Unreadable, file_format, open_source
from pipelines.ingest.validate import FILE_KEYS, HeaderError, check_chunk, empty_bad

console = Console(stderr=True)
PROGRESS_MIN_BYTES = 5 << 20
STATUS_ZH = {"loaded": "已载入", "duplicate": "重复文件", "refused": "拒收"}


@dataclass
class FileResult:
    path: Path
    entity: str | None
    status: str
    batch_id: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reasons: Counter = field(default_factory=Counter)
    message: str = ""
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class IngestResult:
    files: list[FileResult]

    @property
    def exit_code(self) -> int:
        return 2 if any(f.status == "refused" for f in self.files) else 0


# ---------------------------------------------------------------- discovery
def entity_of(path: Path) -> str | None:
    """Recognise the entity by its file-name prefix; `case_events` before `cases`."""
    name = path.name.lower()
    for entity in sorted(paths.ENTITIES, key=len, reverse=True):
        if name.startswith(entity):
            return entity
    return None


def expand(targets: list[Path]) -> list[Path]:
    """Files named directly, and data files found in folders; in code-point order of paths."""
    found: list[Path] = []
    for target in targets:
        if target.is_dir():
            for p in target.rglob("*"):
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(target).parts):
                    if file_format(p) is not None:
                        found.append(p)
        elif target.is_file():
            found.append(target)
        else:
            raise UsageError(f"找不到文件或文件夹：{target} (no such file or folder)")
    return sorted(dict.fromkeys(found), key=lambda p: str(p))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def new_batch_id(sha: str | None) -> str:
    """Sortable by delivery time; unique even within one microsecond."""
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
    return f"{stamp}-{(sha or uuid.uuid4().hex)[:12]}"


# ---------------------------------------------------------------- one file
def _ledger(result: FileResult, sha: str | None, key_fp: str) -> None:
    audit.write_records(
        "load_ledger",
        result.batch_id,
        [{
            "batch_id": result.batch_id,
            "file_name": str(result.path),
            "file_sha256": sha,
            "entity": result.entity,
            "rows_read": result.rows_read,
            "rows_loaded": result.rows_loaded,
            "rows_quarantined": result.rows_quarantined,
            "status": result.status,
            "loaded_at": audit.now(),
            "key_fingerprint": key_fp,
            "message": result.message or None,
        }],
    )


def _superseded(tmp: Path, entity: str) -> tuple[pl.DataFrame, list[int]]:
    """Rows whose key repeats later in the same file: keep the last, return the others."""
    keys = list(FILE_KEYS[entity])
    lazy = pl.scan_parquet(tmp)
    last = pl.col("_line_number").max().over(keys)
    dupes = lazy.filter(pl.col("_line_number") != last).collect()
    if dupes.height == 0:
        return dupes, []
    keep_line = (
        lazy.group_by(keys).agg(pl.col("_line_number").max().alias("_kept_line"))
    )
    dupes = dupes.lazy().join(keep_line, on=keys, how="left", nulls_equal=True).collect()
    return dupes, dupes.get_column("_line_number").to_list()


def _superseded_records(dupes: pl.DataFrame) -> pl.DataFrame:
    shown = dupes.drop([c for c in dupes.columns if c.endswith("_key") or c.startswith("_")])
    originals = [
        json.dumps({k: (v.isoformat(sep=" ") if isinstance(v, datetime) else v) for k, v in row.items() if v is not None},
                   ensure_ascii=False, default=str)
        for row in shown.iter_rows(named=True)
    ]
    return pl.DataFrame(
        {
            "line_number": dupes.get_column("_line_number"),
            "reason": ["superseded_in_file"] * dupes.height,
            "detail": [f"kept line {n}" for n in dupes.get_column("_kept_line").to_list()],
            "original_values": originals,
        },
        schema=empty_bad().schema,
    )


def ingest_file(path: Path, entity_flag: str | None, sheet: str | None, key: bytes, key_fp: str,
                known: set[str], mapping=None, progress: Progress | None = None) -> FileResult:
    try:
        sha = file_sha256(path)
    except OSError as exc:
        result = FileResult(path, entity_flag, "refused", new_batch_id(None), message=f"无法读取文件 (cannot read: {exc.strerror})")
        _ledger(result, None, key_fp)
        return result
    batch_id = new_batch_id(sha)
    entity = entity_flag or (mapping.entity if mapping else None) or entity_of(path)
    result = FileResult(path, entity, "loaded", batch_id)
    if sha in known:
        result.status = "duplicate"
        result.message = "与已载入文件内容相同，未重复载入 (same content already loaded)"
        _ledger(result, sha, key_fp)
        return result
    if entity is None:
        result.status = "refused"
        result.message = "无法从文件名识别数据类型，请以 villages/cadres/cases/case_events 开头命名或使用 --entity (unknown entity)"
        _ledger(result, sha, key_fp)
        return result

    writer = lake.BatchWriter(entity, sha)
    bad_parts: list[pl.DataFrame] = []
    load_time = datetime.now()
    task = None
    try:
        source = open_source(path, sheet)
        header = mapping.rename_header(source.header) if mapping else source.header
        layout = _map(entity, header, mapping)
        result.ignored_columns = layout.ignored
        if progress is not None and source.size >= PROGRESS_MIN_BYTES:
            task = progress.add_task(f"{path.name}", total=None)
        for chunk in source.chunks:
            if mapping:
                chunk = mapping.transform_chunk(layout, chunk)
            checked = check_chunk(layout, chunk, load_time, mapping.date_formats if mapping else None)
            result.rows_read += chunk.size
            good = checked.good
            for col in seeds.input_columns(entity):
                if col.value_type == "identity":
                    good = hash_column(good, col.name, col.lake_name, key)
            good = good.with_columns(pl.lit(batch_id).alias("_batch_id"))
            writer.write(good)
            if checked.bad.height:
                bad_parts.append(checked.bad)
            if task is not None:
                progress.update(task, advance=chunk.size,
                                description=f"{path.name} · {result.rows_read:,} 行")
        tmp = writer.close()
        if entity in FILE_KEYS and writer.rows:
            dupes, lines = _superseded(tmp, entity)
            if lines:
                kept = tmp.with_name(tmp.name + ".kept")
                pl.scan_parquet(tmp).filter(~pl.col("_line_number").is_in(lines)).sink_parquet(kept, compression="zstd")
                kept.replace(tmp)
                bad_parts.append(_superseded_records(dupes))
    except (Unreadable, HeaderError) as exc:
        writer.abort()
        result.status = "refused"
        result.message = str(exc)
        result.rows_read = result.rows_loaded = result.rows_quarantined = 0
        _ledger(result, sha, key_fp)
        return result
    except BaseException:
        writer.abort()
        raise
    finally:
        if task is not None:
            progress.remove_task(task)

    bad = pl.concat(bad_parts) if bad_parts else empty_bad()
    result.rows_quarantined = bad.height
    result.rows_loaded = pl.scan_parquet(tmp).select(pl.len()).collect().item()
    result.reasons = Counter(bad.get_column("reason").to_list())
    if result.ignored_columns:
        result.message = "未使用的列 (ignored columns): " + "、".join(result.ignored_columns)
    crash_point("before_batch_rename")
    writer.commit(tmp)
    crash_point("after_batch_rename")
    if bad.height:
        audit.write_records(
            "quarantine",
            batch_id,
            bad.sort("line_number").with_columns(
                pl.lit(batch_id).alias("batch_id"), pl.lit(str(path)).alias("file_name")
            ),
        )
    crash_point("before_ledger")
    _ledger(result, sha, key_fp)  # the commit point
    known.add(sha)
    return result


def _map(entity: str, header: list[str], mapping):
    from pipelines.ingest.validate import map_header

    return map_header(entity, header, mapping.column_aliases if mapping else None)


# ---------------------------------------------------------------- many files
def _check_key(key_fp: str) -> None:
    ledger = audit.read("load_ledger").filter(pl.col("status") == "loaded")
    others = set(ledger.get_column("key_fingerprint").drop_nulls().to_list()) - {key_fp}
    if others:
        raise XinfangError(
            "假名化密钥与已载入批次使用的密钥不一致，拒绝载入（否则所有人员键都会改变）；请恢复原密钥文件 "
            "(the pseudonymisation key differs from the one used for loaded batches)"
        )


def ingest_paths(targets: list[Path], entity: str | None = None, sheet: str | None = None,
                 mapping: Path | None = None, quiet: bool = False) -> IngestResult:
    if entity is not None and entity not in paths.ENTITIES:
        raise UsageError(f"--entity 应为 {', '.join(paths.ENTITIES)} 之一，而不是 {entity!r} (unknown entity)")
    source_mapping = None
    if mapping is not None:
        raise UsageError("--mapping（来源映射）尚未实现 (source mappings are not built yet)")
    files = expand([Path(t) for t in targets])
    home = paths.home()
    for f in files:
        if f.resolve().is_relative_to(home):
            raise UsageError(f"{f} 位于 $XINFANG_HOME 之内；送达文件应放在仓库之外 (files must not be delivered under $XINFANG_HOME)")
    results: list[FileResult] = []
    with warehouse_lock(paths.lock_file(), "载入"):
        lake.sweep()
        key = load_or_create_key()
        key_fp = fingerprint(key)
        _check_key(key_fp)
        known = lake.known_hashes()
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                      console=console, transient=True, disable=quiet) as progress:
            for f in files:
                results.append(ingest_file(f, entity, sheet, key, key_fp, known, source_mapping, progress))
    outcome = IngestResult(results)
    if not quiet:
        print_summary(outcome)
    return outcome


def print_summary(outcome: IngestResult) -> None:
    out = Console() if sys.stdout.isatty() else Console(width=160)
    if not outcome.files:
        out.print("没有找到可载入的文件 (no data files found)")
        return
    table = Table(title="载入结果 (ingest summary)")
    table.add_column("文件 file", no_wrap=True)
    table.add_column("类型 entity")
    for name in ("读取 read", "载入 loaded", "隔离 quarantined"):
        table.add_column(name, justify="right")
    table.add_column("状态 status")
    for r in outcome.files:
        table.add_row(r.path.name, r.entity or "?", f"{r.rows_read:,}", f"{r.rows_loaded:,}",
                      f"{r.rows_quarantined:,}", STATUS_ZH[r.status])
    out.print(table)
    for r in outcome.files:
        if r.reasons:
            reasons = "，".join(f"{k} {v:,}" for k, v in sorted(r.reasons.items()))
            out.print(f"  {r.path.name} 隔离原因 (quarantine reasons): {reasons}", soft_wrap=True, highlight=False)
        if r.message and r.status == "loaded":
            out.print(f"  {r.path.name}: {r.message}", soft_wrap=True, highlight=False)
    refused = [r for r in outcome.files if r.status == "refused"]
    out.print(
        f"共 {len(outcome.files)} 个文件：载入 {sum(r.rows_loaded for r in outcome.files):,} 行，"
        f"隔离 {sum(r.rows_quarantined for r in outcome.files):,} 行（明细见 audit.quarantine），"
        f"拒收 {len(refused)} 个文件。",
        soft_wrap=True, highlight=False,
    )
    for r in refused:
        console.print(f"[red]拒收 (refused)[/] {r.path}: {r.message}", soft_wrap=True, highlight=False)
