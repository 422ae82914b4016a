"""The dbt docs site of a published build, served at `/docs/` by `xinfang serve`.

dbt's docs site is three files: `index.html` (a single page that ships with dbt-core and loads
the other two from its own folder), `manifest.json` (models, columns, descriptions, lineage,
SQL) and `catalog.json` (what the database holds: tables, columns, types). `site(build_id)`
writes them once per build, on first request, into `builds/<build_id>/docs/`, where retention
removes them with the build:

- the manifest is the build's own (`builds/<build_id>/dbt/target/manifest.json`, written by the
  build's `dbt build`), so the site describes exactly the project that made the build; a build
  without one gets a fresh `dbt parse`;
- the catalog comes from `dbt docs generate --no-compile` given that manifest, reading the
  published file through the profile's `docs` target, which opens it read-only.

Generating during every build would add the manifest load and the catalog queries (about 5 s
on a busy 2-core machine) to every build; on demand it costs that once per published build,
plus importing dbt into the server process (about 7 s), and nothing afterwards.

Offline: dbt's index.html has no external stylesheet, script or font. The only network call
in it is dbt Labs' page-view tracker, which loads a script from a CDN when the manifest says
`send_anonymous_usage_stats: true`; the project sets it false (dbt_project.yml flags,
DO_NOT_TRACK=1) and the served manifest forces it false whatever dbt wrote. The route also
sends a Content-Security-Policy that allows nothing but this server.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

import duckdb

from pipelines import paths
from pipelines.errors import XinfangError

SITE_FILES = ("index.html", "manifest.json", "catalog.json")
SITE_DIR = "docs"
DB_FILE = "xinfang.duckdb"
PROFILE_TARGET = "docs"

# One generation at a time in this process (dbt is not re-entrant).
_LOCK = threading.Lock()


def build_folder(build_id: str) -> Path:
    return paths.builds_dir() / build_id


def site_dir(build_id: str) -> Path:
    return build_folder(build_id) / SITE_DIR


def is_ready(build_id: str) -> bool:
    folder = site_dir(build_id)
    return all((folder / name).is_file() for name in SITE_FILES)


def site(build_id: str) -> Path:
    """The folder holding the three site files of `build_id`, generated on first use."""
    if is_ready(build_id):
        return site_dir(build_id)
    with _LOCK:
        if not is_ready(build_id):
            _generate(build_id)
    return site_dir(build_id)


def _build_vars(db_path: Path, build_id: str) -> dict[str, str]:
    """The vars the build ran with (the project refuses to compile without as_of)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.sql("select as_of from meta.build_info").fetchall()
    except duckdb.Error:
        rows = []
    finally:
        con.close()
    as_of = rows[0][0].isoformat() if rows and rows[0][0] else "1970-01-01"
    return {"as_of": as_of, "build_id": build_id}


def _dbt_args(command: list[str], work: Path, dbt_vars: dict[str, str]) -> list[str]:
    return [
        *command,
        "--target", PROFILE_TARGET,
        "--project-dir", str(paths.REPO_ROOT),
        "--profiles-dir", str(paths.REPO_ROOT),
        "--target-path", str(work / "target"),
        "--log-path", str(work / "logs"),
        "--log-level", "none",
        "--no-use-colors",
        "--vars", json.dumps(dbt_vars),
    ]


def _invoke(args: list[str], db_path: Path, manifest: Any = None) -> Any:
    from dbt.cli.main import dbtRunner

    from pipelines.build import dbt_runner

    with dbt_runner.build_db_env(db_path):
        try:
            result = dbtRunner(manifest=manifest).invoke(args)
        finally:
            dbt_runner.release_dbt_connections()
    if not result.success:
        reason = result.exception or "dbt did not succeed"
        raise XinfangError(f"数据字典生成失败 (dbt docs generate failed: {reason})")
    return result


def _load_manifest(path: Path) -> Any:
    from dbt.artifacts.schemas.manifest import WritableManifest
    from dbt.contracts.graph.manifest import Manifest

    return Manifest.from_writable_manifest(WritableManifest.read_and_check_versions(str(path)))


def _offline_manifest(source: Path, target: Path) -> None:
    """Copy the manifest with dbt's page-view tracking switched off."""
    data = json.loads(source.read_text(encoding="utf-8"))
    data.setdefault("metadata", {})["send_anonymous_usage_stats"] = False
    target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _generate(build_id: str) -> None:
    folder = build_folder(build_id)
    db_path = folder / DB_FILE
    if not db_path.is_file():
        raise XinfangError(f"找不到构建 {build_id} 的数据库 (no database for build {build_id})")
    dbt_vars = _build_vars(db_path, build_id)
    paths.tmp_dir().mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"docs-{build_id}-", dir=paths.tmp_dir()))
    try:
        (work / "target").mkdir()
        manifest_file = build_manifest(build_id)
        if not manifest_file.is_file():  # a build that kept no manifest: parse the project
            _invoke(_dbt_args(["parse"], work, dbt_vars), db_path)
            manifest_file = work / "target" / "manifest.json"
        manifest = _load_manifest(manifest_file)
        _invoke(_dbt_args(["docs", "generate", "--no-compile"], work, dbt_vars), db_path, manifest)

        staged = work / "site"
        staged.mkdir()
        shutil.copyfile(work / "target" / "index.html", staged / "index.html")
        shutil.copyfile(work / "target" / "catalog.json", staged / "catalog.json")
        _offline_manifest(manifest_file, staged / "manifest.json")
        target = site_dir(build_id)
        try:
            staged.rename(target)
        except OSError:
            if not is_ready(build_id):  # not another process finishing first: a real failure
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def build_manifest(build_id: str) -> Path:
    """The manifest the build's own `dbt build` wrote."""
    return build_folder(build_id) / "dbt" / "target" / "manifest.json"


def warm(build_id: str | None) -> threading.Thread | None:
    """Make the site of `build_id` in the background, when that is the quick kind (the build
    kept its manifest); a no-op when it is ready or nothing is published."""
    if build_id is None or is_ready(build_id) or not build_manifest(build_id).is_file():
        return None

    def run() -> None:
        with contextlib.suppress(Exception):  # the first request reports the problem instead
            site(build_id)

    thread = threading.Thread(target=run, name=f"dbt-docs-{build_id}", daemon=True)
    thread.start()
    return thread
