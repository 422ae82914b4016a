"""`xinfang ingest`: load delivered files into the raw lake, file by file (CONTRACT §2).

A file yields one or more *outputs* (pipelines.ingest.mapping.Output): a plain delivery one, a
source mapping one per declared output (e.g. the cases, and a `concluded` event at the reply
time). Each output is its own batch id and ledger record, whose rows_read = rows_loaded +
rows_quarantined; outputs of one entity share the file's lake batch (rows tagged by batch id),
and all records of a file are written in one atomic ledger write, the commit point.
"""

from __future__ import annotations

import hashlib
import json
import sys
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
from pipelines.ingest.mapping import Output, SourceMapping, load_mapping
from pipelines.ingest.pseudonymise import fingerprint, hash_column, load_or_create_key
from pipelines.ingest.read import Unreadable, file_format, open_source
from pipelines.ingest.validate import FILE_KEYS, HeaderError, check_chunk, empty_bad, map_header

console = Console(stderr=True)
PROGRESS_MIN_BYTES = 5 << 20


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
    output: str | None = None  # "mapping/output" when a source mapping produced the batch


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
                hidden = any(part.startswith(".") for part in p.relative_to(target).parts)
                if p.is_file() and not hidden and file_format(p) is not None:
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
def _ledger(results: list[FileResult], sha: str | None, key_fp: str) -> None:
    """All records of one file in one atomic write (several when a mapping has outputs)."""
    audit.write_records(
        "load_ledger",
        results[0].batch_id,
        [{
            "batch_id": r.batch_id,
            "file_name": str(r.path),
            "file_sha256": sha,
            "entity": r.entity,
            "rows_read": r.rows_read,
            "rows_loaded": r.rows_loaded,
            "rows_quarantined": r.rows_quarantined,
            "status": r.status,
            "loaded_at": audit.now(),
            "key_fingerprint": key_fp,
            "message": r.message or None,
            "mapping_output": r.output,
        } for r in results],
    )


def _superseded(tmp: Path, entity: str) -> pl.DataFrame:
    """Rows whose key repeats later in the same batch: the last stays, the others are returned
    (with `_kept_line`). Outputs sharing the file's lake batch are told apart by `_batch_id`."""
    keys = [*FILE_KEYS[entity], "_batch_id"]
    lazy = pl.scan_parquet(tmp)
    last = pl.col("_line_number").max().over(keys)
    dupes = lazy.filter(pl.col("_line_number") != last).collect()
    if dupes.height == 0:
        return dupes
    keep_line = lazy.group_by(keys).agg(pl.col("_line_number").max().alias("_kept_line"))
    return dupes.lazy().join(keep_line, on=keys, how="left", nulls_equal=True).collect()


def _drop_superseded(tmp: Path, dupes: pl.DataFrame) -> None:
    kept = tmp.with_name(tmp.name + ".kept")
    gone = dupes.select("_batch_id", "_line_number")
    pl.scan_parquet(tmp).join(gone.lazy(), on=["_batch_id", "_line_number"], how="anti").sink_parquet(
        kept, compression="zstd"
    )
    kept.replace(tmp)


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


def _plain_output(entity: str, header: list[str]) -> Output:
    return Output(None, entity, map_header(entity, header))


def ingest_file(path: Path, entity_flag: str | None, sheet: str | None, key: bytes, key_fp: str,
                known: set[str], mapping: SourceMapping | None = None,
                progress: Progress | None = None) -> list[FileResult]:
    """Load one file; returns its ledger records (one, or one per output of a mapping)."""
    try:
        sha = file_sha256(path)
    except OSError as exc:
        result = FileResult(path, entity_flag, "refused", new_batch_id(None), message=f"无法读取文件 (cannot read: {exc.strerror})")
        _ledger([result], None, key_fp)
        return [result]
    batch_id = new_batch_id(sha)
    entity = mapping.primary_entity if mapping else (entity_flag or entity_of(path))
    head = FileResult(path, entity, "loaded", batch_id, output=mapping.name if mapping else None)
    if sha in known:
        head.status = "duplicate"
        head.message = "与已载入文件内容相同，未重复载入 (same content already loaded)"
        _ledger([head], sha, key_fp)
        return [head]
    if entity is None:
        head.status = "refused"
        head.message = "无法从文件名识别数据类型，请以 villages/cadres/cases/case_events/nominations/surveys/information_adoptions 开头命名或使用 --entity (unknown entity)"
        _ledger([head], sha, key_fp)
        return [head]

    writers: dict[str, lake.BatchWriter] = {}
    bad_parts: dict[str, list[pl.DataFrame]] = {}
    load_time = datetime.now()
    task = None
    try:
        source = open_source(path, sheet)
        outputs = mapping.plan(path, source.header) if mapping else [_plain_output(entity, source.header)]
        results = [
            FileResult(path, o.entity, "loaded", batch_id if o.name is None else f"{batch_id}-{o.name.split('/')[-1]}",
                       output=o.name, ignored_columns=o.layout.ignored if o.name is None else [])
            for o in outputs
        ]
        for o, r in zip(outputs, results):
            if o.entity not in writers:
                writers[o.entity] = lake.BatchWriter(o.entity, sha)
            bad_parts[r.batch_id] = []
        if progress is not None and source.size >= PROGRESS_MIN_BYTES:
            task = progress.add_task(f"{path.name}", total=None)
        for chunk in source.chunks:
            for o, r in zip(outputs, results):
                part = o.convert(chunk) if o.convert else chunk
                checked = check_chunk(o.layout, part, load_time, o.date_formats, o.extra_checks)
                r.rows_read += part.size
                good = checked.good
                for col in seeds.input_columns(o.entity):
                    if col.value_type == "identity":
                        good = hash_column(good, col.name, col.lake_name, key)
                writers[o.entity].write(good.with_columns(pl.lit(r.batch_id).alias("_batch_id")))
                if checked.bad.height:
                    bad_parts[r.batch_id].append(checked.bad)
            if task is not None:
                progress.update(task, advance=chunk.size,
                                description=f"{path.name} · {results[0].rows_read:,} 行")
        # an output that applies to no row of this file (e.g. replies in a file without them)
        # leaves no batch and no record; the primary output always has one
        live = [(o, r) for o, r in zip(outputs, results) if o.primary or r.rows_read]
        live_entities = {o.entity for o, _ in live}
        for e in [e for e in writers if e not in live_entities]:
            writers.pop(e).abort()
        tmps = {e: w.close() for e, w in writers.items()}
        for e, tmp in tmps.items():
            if e in FILE_KEYS and writers[e].rows:
                dupes = _superseded(tmp, e)
                if dupes.height:
                    _drop_superseded(tmp, dupes)
                    for (bid,), part in dupes.group_by(["_batch_id"]):
                        bad_parts[bid].append(_superseded_records(part))
        loaded: dict[str, int] = {}
        for tmp in tmps.values():
            counts = pl.scan_parquet(tmp).group_by("_batch_id").len().collect()
            loaded.update(dict(counts.iter_rows()))
    except (Unreadable, HeaderError) as exc:
        for w in writers.values():
            w.abort()
        head.status = "refused"
        head.message = str(exc)
        _ledger([head], sha, key_fp)
        return [head]
    except BaseException:
        for w in writers.values():
            w.abort()
        raise
    finally:
        if task is not None:
            progress.remove_task(task)

    results = [r for _, r in live]
    total = results[0].rows_read
    bads: dict[str, pl.DataFrame] = {}
    for o, r in live:
        bad = pl.concat(bad_parts[r.batch_id]) if bad_parts[r.batch_id] else empty_bad()
        bads[r.batch_id] = bad
        r.rows_quarantined = bad.height
        r.rows_loaded = loaded.get(r.batch_id, 0)
        r.reasons = Counter(bad.get_column("reason").to_list())
        if r.ignored_columns:
            r.message = "未使用的列 (ignored columns): " + "、".join(r.ignored_columns)
        elif not o.primary:
            r.message = (f"映射输出 {o.name} 适用于源文件 {total:,} 行中的 {r.rows_read:,} 行"
                         f" (this output applies to {r.rows_read:,} of {total:,} source rows)")
    crash_point("before_batch_rename")
    for e, w in writers.items():
        w.commit(tmps[e])
    crash_point("after_batch_rename")
    for r in results:
        bad = bads[r.batch_id]
        if bad.height:
            audit.write_records(
                "quarantine",
                r.batch_id,
                bad.sort("line_number").with_columns(
                    pl.lit(r.batch_id).alias("batch_id"), pl.lit(str(path)).alias("file_name")
                ),
            )
    crash_point("before_ledger")
    _ledger(results, sha, key_fp)  # the commit point
    known.add(sha)
    return results


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
        if entity is not None:
            raise UsageError("--entity 不能与 --mapping 同用：映射文件已声明其输出的数据类型 (the mapping names its entities)")
        source_mapping = load_mapping(Path(mapping))
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
                results.extend(ingest_file(f, entity, sheet, key, key_fp, known, source_mapping, progress))
    outcome = IngestResult(results)
    if not quiet:
        print_summary(outcome)
    return outcome


def print_summary(outcome: IngestResult) -> None:
    """The summary in Chinese with English in brackets; labels from the seed files
    (pipelines.labels)."""
    from pipelines.labels import from_files

    labels = from_files()
    both = labels.both

    out = Console() if sys.stdout.isatty() else Console(width=160)
    if not outcome.files:
        out.print(both("ingest.no_files"))
        return
    table = Table(title=both("ingest.title"))
    table.add_column(both("column.file_name"), no_wrap=True)
    table.add_column(both("ingest.col_kind"))
    for name in ("rows_read", "rows_loaded", "rows_quarantined"):
        table.add_column(both(f"column.{name}"), justify="right")
    table.add_column(both("column.status"))
    for r in outcome.files:
        name = r.output.split("/")[-1] if r.output and "/" in r.output else r.entity
        kind = (r.entity or "?") + (f" · {name}" if name != r.entity else "")
        table.add_row(r.path.name, kind, f"{r.rows_read:,}", f"{r.rows_loaded:,}",
                      f"{r.rows_quarantined:,}", labels.vocab("ledger_status", r.status))
    out.print(table)
    for r in outcome.files:
        if r.reasons:
            reasons = "，".join(f"{labels.vocab('quarantine_reason', k)} ({k}) {v:,}"
                               for k, v in sorted(r.reasons.items()))
            which = f"{r.path.name} ({r.output})" if r.output else r.path.name
            out.print(f"  {which} {both('ingest.reasons')}: {reasons}", soft_wrap=True,
                      highlight=False)
        if r.message and r.status == "loaded":
            out.print(f"  {r.path.name}: {r.message}", soft_wrap=True, highlight=False)
    refused = [r for r in outcome.files if r.status == "refused"]
    out.print(
        labels.text("ingest.totals", files=len({r.path for r in outcome.files}),
                    loaded=f"{sum(r.rows_loaded for r in outcome.files):,}",
                    quarantined=f"{sum(r.rows_quarantined for r in outcome.files):,}",
                    refused=len(refused)),
        soft_wrap=True, highlight=False,
    )
    refused_label = labels.vocab("ledger_status", "refused")
    for r in refused:
        console.print(f"[red]{refused_label} (refused)[/] {r.path}: {r.message}", soft_wrap=True,
                      highlight=False)
