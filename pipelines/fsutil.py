"""Small file-system helpers: atomic writes and the single-writer lock."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import polars as pl

TMP_PREFIX = ".tmp-"


def tmp_sibling(path: Path) -> Path:
    return path.with_name(f"{TMP_PREFIX}{os.getpid()}-{path.name}")


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_parquet_atomic(frame: pl.DataFrame, path: Path) -> None:
    """Write to a temporary name in the same folder, fsync, then rename into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_sibling(path)
    frame.write_parquet(tmp, compression="zstd")
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def write_text_atomic(text: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_sibling(path)
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def remove_temporaries(folder: Path) -> int:
    """Delete files left by an interrupted atomic write. Returns how many."""
    if not folder.exists():
        return 0
    removed = 0
    for p in folder.glob(f"{TMP_PREFIX}*"):
        p.unlink(missing_ok=True)
        removed += 1
    return removed


@contextlib.contextmanager
def warehouse_lock(path: Path, what: str) -> Iterator[None]:
    """Serialise ingest and build: one writer at a time. Waits for the holder to finish."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            from rich.console import Console

            Console(stderr=True).print(f"[yellow]另一个写入任务正在运行，等待其结束后再{what}…[/]")
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def crash_point(name: str) -> None:
    """Test hook: `XINFANG_CRASH_AT=name` kills this process with SIGKILL at that point, so the
    tests can prove that an interrupted write leaves nothing half-done."""
    if os.environ.get("XINFANG_CRASH_AT") == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
