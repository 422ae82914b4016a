"""Where things live: the repository (dbt project, seeds) and $XINFANG_HOME (all state)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "seeds"
# nominations (基层申报) and the working registers (surveys 满意度调查, information_adoptions
# 信息采用) are optional: a build without any delivery of them has an empty raw table
ENTITIES = ("villages", "cadres", "cases", "case_events", "nominations", "surveys",
            "information_adoptions")
AUDIT_TABLES = ("load_ledger", "quarantine", "builds", "quality_results")


def home() -> Path:
    """The warehouse state folder: $XINFANG_HOME, default ./data (made absolute)."""
    return Path(os.environ.get("XINFANG_HOME") or "data").expanduser().resolve()


def inbox() -> Path:
    """Where delivered files are dropped: $XINFANG_INBOX, default ./inbox."""
    return Path(os.environ.get("XINFANG_INBOX") or "inbox").expanduser().resolve()


def key_file() -> Path:
    return home() / "secret" / "hmac.key"


def lake_dir(entity: str) -> Path:
    return home() / "lake" / entity


def audit_dir(table: str) -> Path:
    return home() / "audit" / table


def builds_dir() -> Path:
    return home() / "builds"


def pointer_file() -> Path:
    """Names the published build id; replaced atomically on publish."""
    return home() / "published"


def lock_file() -> Path:
    return home() / "xinfang.lock"


def exports_dir() -> Path:
    return home() / "exports"


def reports_dir() -> Path:
    return home() / "reports"


def tmp_dir() -> Path:
    return home() / "tmp"
