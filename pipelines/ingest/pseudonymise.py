"""Keyed hashing of raw identities (CONTRACT §2.4).

A value is trimmed, NFKC-normalised and upper-cased, then hashed with HMAC-SHA256 under a
secret key created once under $XINFANG_HOME (exclusive create, mode 0600). An empty value is
no identity. The key's fingerprint goes into the ledger so a load under another key is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import unicodedata
from pathlib import Path

import polars as pl

from pipelines import paths


def load_or_create_key(path: Path | None = None) -> bytes:
    path = path or paths.key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
            fh.flush()
            os.fsync(fh.fileno())
    text = path.read_text().strip()
    if len(text) != 64:
        # a key file cut short by a crash during its very first write: nothing was hashed yet
        from pipelines.errors import XinfangError

        raise XinfangError(f"密钥文件 {path} 已损坏 (the key file is damaged; restore it from backup)")
    return bytes.fromhex(text)


def fingerprint(key: bytes) -> str:
    return hashlib.sha256(b"xinfang-key-fingerprint:" + key).hexdigest()[:16]


def normalise(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().upper()


def person_key(key: bytes, value: str | None) -> str | None:
    if value is None:
        return None
    norm = normalise(value)
    if not norm:
        return None
    return hmac.new(key, norm.encode("utf-8"), hashlib.sha256).hexdigest()


def hash_column(frame: pl.DataFrame, column: str, target: str, key: bytes) -> pl.DataFrame:
    """Replace `column` (raw) by `target` (keyed hash). Hashes each distinct value once."""
    distinct = frame.get_column(column).drop_nulls().unique().to_list()
    table = {v: person_key(key, v) for v in distinct}
    hashed = frame.get_column(column).replace_strict(table, default=None, return_dtype=pl.String)
    return frame.with_columns(hashed.alias(target)).drop(column)
