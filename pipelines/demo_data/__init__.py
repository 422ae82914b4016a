"""`xinfang demo-data`: a deterministic demo drop in the contract's input formats.

By default the Dafeng-like county of 2009-2011 (14 towns, about 280 villages and communities,
about 1,200 items a year); with `--cases N` above 20,000 a province of about 20,000 villages
over 2016-2025, generated and written month by month in bounded memory. Same seed, same
bytes. See `process` for the model and `drop` for the file layout.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines import paths
from pipelines.demo_data import broken as broken_mod
from pipelines.demo_data.drop import DropResult, write_drop
from pipelines.demo_data.profile import COUNTY, COUNTY_MAX_ITEMS, MAX_ITEMS, PROVINCE, Profile
from pipelines.errors import UsageError

__all__ = ["BROKEN_KINDS", "DropResult", "write_demo"]

BROKEN_KINDS = broken_mod.KINDS
ENTITY_PREFIXES = paths.ENTITIES


def _target(out: Path | str | None) -> Path:
    target = Path(out).expanduser().resolve() if out is not None else paths.inbox()
    home = paths.home()
    if target == home or home in target.parents:
        raise UsageError(
            f"演示数据不能写入 $XINFANG_HOME（{home}）之内，请换一个目录 "
            f"(the demo drop must not be written under $XINFANG_HOME: {target})"
        )
    if target.exists() and not target.is_dir():
        raise UsageError(f"输出路径不是目录 (--out is not a folder): {target}")
    return target


def choose(cases: int | None) -> tuple[Profile, int]:
    """The county for the default and small N, the province for large N."""
    if cases is None:
        return COUNTY, COUNTY.default_items
    if isinstance(cases, bool) or not isinstance(cases, int) or cases < 1 or cases > MAX_ITEMS:
        raise UsageError(
            f"--cases 应为 1 到 {MAX_ITEMS:,} 之间的整数 (--cases must be between 1 and {MAX_ITEMS:,}): {cases}"
        )
    return (COUNTY if cases <= COUNTY_MAX_ITEMS else PROVINCE), cases


def write_demo(
    out: Path | str | None = None,
    cases: int | None = None,
    seed: int = 20091,
    broken: str | None = None,
    quiet: bool = False,
) -> DropResult:
    """Write the demo drop into `out` (default: the inbox) and print what was written."""
    if broken is not None and broken not in BROKEN_KINDS:
        raise UsageError(
            f"未知的损坏类型 {broken!r}，可选: {', '.join(BROKEN_KINDS)} "
            f"(unknown --broken kind; choose one of {', '.join(BROKEN_KINDS)})"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(f"--seed 应为非负整数 (--seed must be a non-negative integer): {seed}")
    profile, total = choose(cases)
    if broken is not None and profile is not COUNTY:
        raise UsageError(
            f"--broken 只用于县级演示数据（--cases 不超过 {COUNTY_MAX_ITEMS:,}）"
            f"(--broken works with the county drop only, --cases up to {COUNTY_MAX_ITEMS:,})"
        )
    target = _target(out)
    target.mkdir(parents=True, exist_ok=True)
    before = {p.name for p in target.iterdir()}
    exclude = broken_mod.missing_month(profile) if broken == "missing-month" else None

    console = Console(stderr=True, quiet=quiet)
    with Progress(
        TextColumn("[bold]生成演示数据[/] (demo data)"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("items", total=total)
        result = write_drop(
            target,
            profile,
            total,
            seed,
            exclude_month=exclude,
            advance=lambda n: progress.advance(task, n),
        )
    note = broken_mod.apply(result, broken) if broken is not None else None
    if not quiet:
        _summary(result, seed, note, before)
    return result


def _summary(result: DropResult, seed: int, note: str | None, before: set[str]) -> None:
    console = Console()
    what = (
        "县级演示 (county, 2009-2011)"
        if result.profile.kind == "county"
        else "省级规模 (province, 2016-2025)"
    )
    table = Table(
        title=f"演示数据 demo drop · {what} · seed {seed} → {result.out}", title_justify="left"
    )
    table.add_column("文件 file")
    table.add_column("实体 entity")
    table.add_column("格式 format")
    table.add_column("行数 rows", justify="right")
    for w in result.files:
        table.add_row(w.name, w.entity, w.kind, f"{w.rows:,}")
    console.print(table)
    per_year = " · ".join(f"{y}: {n:,}" for y, n in result.items_per_year.items())
    console.print(
        f"信访件 items per year: {per_year} (total {result.items:,}; events {result.events:,})"
    )
    if note:
        console.print(f"[yellow]损坏的交付 broken delivery[/]: {note}")
    ours = {w.name for w in result.files}
    others = sorted(n for n in before if n not in ours and n.lower().startswith(ENTITY_PREFIXES))
    if others:
        console.print(
            f"[yellow]注意[/]: 目录中还有其他数据文件，导入时会一并读取 "
            f"(other data files in the folder will be ingested too): {', '.join(others[:5])}"
            + (" …" if len(others) > 5 else "")
        )
