"""The `xinfang` command (CONTRACT §1). Each command is a thin shell over one module."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from pipelines.errors import XinfangError
from pipelines.labels import from_files

HELP = from_files().both  # help texts: seeds/display_labels.csv, `cli.<command>[.<option>]`

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

app = typer.Typer(
    name="xinfang",
    help=HELP("cli.app"),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


@app.command("demo-data", help=HELP("cli.demo_data"))
def demo_data(
    cases: Annotated[Optional[int], typer.Option(help=HELP("cli.demo_data.cases"))] = None,
    seed: Annotated[int, typer.Option(help=HELP("cli.demo_data.seed"))] = 20091,
    out: Annotated[Optional[Path], typer.Option(help=HELP("cli.demo_data.out"))] = None,
    broken: Annotated[Optional[str], typer.Option(help=HELP("cli.demo_data.broken"))] = None,
) -> None:
    from pipelines.demo_data import write_demo

    write_demo(out=out, cases=cases, seed=seed, broken=broken)


@app.command(help=HELP("cli.ingest"))
def ingest(
    path: Annotated[list[Path], typer.Argument(help=HELP("cli.ingest.path"))],
    entity: Annotated[Optional[str], typer.Option(help=HELP("cli.ingest.entity"))] = None,
    sheet: Annotated[Optional[str], typer.Option(help=HELP("cli.ingest.sheet"))] = None,
    mapping: Annotated[Optional[Path], typer.Option(help=HELP("cli.ingest.mapping"))] = None,
) -> None:
    from pipelines.ingest import ingest_paths

    result = ingest_paths(path, entity=entity, sheet=sheet, mapping=mapping)
    raise typer.Exit(result.exit_code)


@app.command(help=HELP("cli.build"))
def build(
    as_of: Annotated[Optional[str], typer.Option("--as-of", help=HELP("cli.build.as_of"))] = None,
) -> None:
    from pipelines.build import build_warehouse

    build_warehouse(as_of=as_of)


@app.command(help=HELP("cli.check"))
def check() -> None:
    from pipelines.build import check_published

    raise typer.Exit(check_published())


@app.command(help=HELP("cli.query"))
def query(
    sql: Annotated[str, typer.Argument(help=HELP("cli.query.sql"))],
    format: Annotated[str, typer.Option("--format", help=HELP("cli.query.format"))] = "table",
) -> None:
    from pipelines.warehouse import run_query

    run_query(sql, fmt=format)


@app.command(help=HELP("cli.export"))
def export(
    year: Annotated[int, typer.Option(help=HELP("cli.export.year"))],
    out: Annotated[Optional[Path], typer.Option(help=HELP("cli.export.out"))] = None,
) -> None:
    from pipelines.export import export_workbook

    export_workbook(year=year, out=out)


@app.command(help=HELP("cli.serve"))
def serve(
    host: Annotated[str, typer.Option(help=HELP("cli.serve.host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=HELP("cli.serve.port"))] = 8050,
) -> None:
    from dashboards.app import serve as serve_app

    serve_app(host=host, port=port)


@app.command(help=HELP("cli.run"))
def run(
    host: Annotated[str, typer.Option(help=HELP("cli.serve.host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=HELP("cli.serve.port"))] = 8050,
) -> None:
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
