"""`xinfang run`: demo data (if the inbox is empty) → ingest the inbox → build → serve."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from pipelines import paths
from pipelines.errors import XinfangError

console = Console()


def inbox_files(folder: Path) -> list[Path]:
    """Delivered files in the inbox (hidden files ignored), in code-point order."""
    if not folder.is_dir():
        return []
    return sorted(
        (
            p
            for p in folder.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        ),
        key=lambda p: str(p),
    )


def step(text: str) -> None:
    console.print(f"[bold cyan]▶[/] {text}", highlight=False)


def run_all(host: str = "127.0.0.1", port: int = 8050) -> None:
    inbox = paths.inbox()
    console.print(f"数据目录（XINFANG_HOME）：{paths.home()}", highlight=False)

    if inbox_files(inbox):
        step(f"收件箱 {inbox} 中已有文件，跳过演示数据")
    else:
        step(f"收件箱 {inbox} 为空，正在写入演示数据…")
        from pipelines.demo_data import write_demo

        write_demo(out=inbox)

    step(f"正在导入收件箱 {inbox} …")
    from pipelines.ingest import ingest_paths

    result = ingest_paths([inbox])
    if result.exit_code != 0:
        console.print(
            "[yellow]有文件被拒收（见上表）；其余文件已载入，继续构建。[/]", highlight=False
        )

    step("正在构建数据仓库并运行质量检查…")
    from pipelines.build import build_warehouse

    try:
        build_id = build_warehouse(as_of=None)
    except XinfangError as exc:
        console.print(f"[red]构建未发布[/]：{exc}", highlight=False)
        console.print(
            "仍将启动看板：显示上一次成功发布的构建（如有）以及本次的载入与质量记录。",
            highlight=False,
        )
    else:
        console.print(f"[green]已发布构建[/] {build_id}", highlight=False)

    step("正在启动看板…")
    from dashboards.app import serve

    serve(host=host, port=port)
