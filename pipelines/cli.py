"""The `xinfang` command (CONTRACT §1). Each command is a thin shell over one module."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from pipelines.errors import XinfangError

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

app = typer.Typer(
    name="xinfang",
    help="信访分析与绩效评估数据仓库 (petition-work analytics warehouse).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


@app.command("demo-data")
def demo_data(
    cases: Annotated[Optional[int], typer.Option(help="Scale to N items (a province over ten years for large N).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the draw.")] = 20091,
    out: Annotated[Optional[Path], typer.Option(help="Output folder (default ./inbox or $XINFANG_INBOX).")] = None,
    broken: Annotated[Optional[str], typer.Option(help="Write a damaged delivery: truncated, encoding, missing-month, duplicate, shifted.")] = None,
) -> None:
    """写出演示数据 (a deterministic demo drop in the contract's input formats)."""
    from pipelines.demo_data import write_demo

    write_demo(out=out, cases=cases, seed=seed, broken=broken)


@app.command()
def ingest(
    path: Annotated[list[Path], typer.Argument(help="Files or folders to load.")],
    entity: Annotated[Optional[str], typer.Option(help="villages, cadres, cases or case_events.")] = None,
    sheet: Annotated[Optional[str], typer.Option(help="Worksheet name for XLSX files.")] = None,
    mapping: Annotated[Optional[Path], typer.Option(help="Source mapping for an outside export: a YAML file, or a name in mappings/ (wenzheng, shangluo, la311).")] = None,
) -> None:
    """导入数据 (load files into the raw lake; bad rows are quarantined with a reason)."""
    from pipelines.ingest import ingest_paths

    result = ingest_paths(path, entity=entity, sheet=sheet, mapping=mapping)
    raise typer.Exit(result.exit_code)


@app.command()
def build(
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Reference date YYYY-MM-DD (default: latest date in the data).")] = None,
) -> None:
    """构建并发布 (dbt build + quality gates; publishes only if the gates pass)."""
    from pipelines.build import build_warehouse

    build_warehouse(as_of=as_of)


@app.command()
def check() -> None:
    """运行质量检查 (run the quality gates on the published build)."""
    from pipelines.build import check_published

    raise typer.Exit(check_published())


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="A read-only SQL query.")],
    format: Annotated[str, typer.Option("--format", help="csv, table or json.")] = "table",
) -> None:
    """查询已发布的数据仓库 (read-only)."""
    from pipelines.warehouse import run_query

    run_query(sql, fmt=format)


@app.command()
def export(
    year: Annotated[int, typer.Option(help="Assessment year.")],
    out: Annotated[Optional[Path], typer.Option(help="Output folder.")] = None,
) -> None:
    """导出年度考核工作簿 (annual assessment workbook)."""
    from pipelines.export import export_workbook

    export_workbook(year=year, out=out)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8050,
) -> None:
    """启动看板 (serve the dashboards)."""
    from dashboards.app import serve as serve_app

    serve_app(host=host, port=port)


@app.command()
def run(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8050,
) -> None:
    """一键运行 (demo data if the inbox is empty → ingest → build → serve)."""
    from pipelines.runall import run_all

    run_all(host=host, port=port)


def main() -> None:
    try:
        code = app(standalone_mode=False)
    except XinfangError as exc:
        err.print(f"[red]错误[/]: {exc}", soft_wrap=True, highlight=False)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("已中断 (interrupted)")
        sys.exit(130)
    except Exception as exc:
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # a usage error from the parser
            exc.show()
            sys.exit(2)
        if os.environ.get("XINFANG_DEBUG"):
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        err.print(
            f"[red]内部错误 (internal error)[/]: {type(exc).__name__}: {first}；"
            "设置 XINFANG_DEBUG=1 可查看详细信息",
            soft_wrap=True, highlight=False,
        )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
