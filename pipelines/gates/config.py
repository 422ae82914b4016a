"""Gate thresholds: expectations/thresholds.toml, overridden by $XINFANG_HOME/quality.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines import paths
from pipelines.errors import UsageError

DEFAULTS_FILE = paths.REPO_ROOT / "expectations" / "thresholds.toml"
SITE_FILE_NAME = "quality.toml"


def site_file() -> Path:
    return paths.home() / SITE_FILE_NAME


def _read(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"质量门槛文件格式错误 (bad TOML in {path}: {exc})") from None


def _merge(base: dict[str, Any], override: dict[str, Any], where: Path) -> dict[str, Any]:
    out = {table: dict(values) for table, values in base.items()}
    for table, values in override.items():
        if table not in out or not isinstance(values, dict):
            raise UsageError(f"质量门槛文件中有未知的表 [{table}] (unknown table in {where})")
        if table != "severity":
            unknown = sorted(set(values) - set(out[table]))
            if unknown:
                raise UsageError(
                    f"质量门槛文件中有未知的参数 {table}.{unknown[0]} (unknown parameter in {where})"
                )
        out[table].update(values)
    return out


@dataclass(frozen=True)
class Params:
    """The thresholds in force, by table and name, and per-check severity overrides."""

    values: dict[str, dict[str, Any]]
    sources: tuple[str, ...]

    def __call__(self, table: str, name: str) -> Any:
        return self.values[table][name]

    def severity(self, check: str, default: str) -> str:
        value = self.values.get("severity", {}).get(check, default)
        if value not in ("error", "warn"):
            raise UsageError(f"检查 {check} 的级别应为 error 或 warn (severity must be error or warn)")
        return value

    def flat(self) -> list[tuple[str, Any]]:
        """("table.name", value) pairs, for the report."""
        return [
            (f"{table}.{name}", value)
            for table, values in self.values.items()
            for name, value in values.items()
        ]


def load_params() -> Params:
    values = _read(DEFAULTS_FILE)
    values.setdefault("severity", {})
    sources = [str(DEFAULTS_FILE.relative_to(paths.REPO_ROOT))]
    site = site_file()
    if site.exists():
        values = _merge(values, _read(site), site)
        sources.append(str(site))
    return Params(values, tuple(sources))
