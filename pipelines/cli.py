"""The `xinfang` command (CONTRACT §1). Each command is a thin shell over one module."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pipelines.errors import UsageError, XinfangError
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
    rich_markup_mode=None,  # plain help: `--cases N`, not boxes of Python types
)
err = Console(stderr=True)


@app.command("demo-data", help=HELP("cli.demo_data"))
def demo_data(
    cases: Annotated[int | None, typer.Option(help=HELP("cli.demo_data.cases"))] = None,
    seed: Annotated[int, typer.Option(help=HELP("cli.demo_data.seed"))] = 20091,
    out: Annotated[Path | None, typer.Option(help=HELP("cli.demo_data.out"))] = None,
    broken: Annotated[str | None, typer.Option(help=HELP("cli.demo_data.broken"))] = None,
) -> None:
    from pipelines.demo_data import write_demo

    write_demo(out=out, cases=cases, seed=seed, broken=broken)


@app.command(help=HELP("cli.ingest"))
def ingest(
    path: Annotated[list[Path], typer.Argument(help=HELP("cli.ingest.path"))],
    entity: Annotated[str | None, typer.Option(help=HELP("cli.ingest.entity"))] = None,
    sheet: Annotated[str | None, typer.Option(help=HELP("cli.ingest.sheet"))] = None,
    mapping: Annotated[Path | None, typer.Option(help=HELP("cli.ingest.mapping"))] = None,
) -> None:
    from pipelines.ingest import ingest_paths

    result = ingest_paths(path, entity=entity, sheet=sheet, mapping=mapping)
    raise typer.Exit(result.exit_code)


@app.command(help=HELP("cli.build"))
def build(
    as_of: Annotated[str | None, typer.Option("--as-of", help=HELP("cli.build.as_of"))] = None,
) -> None:
    from pipelines.build import build_warehouse

    build_warehouse(as_of=as_of)


@app.command(help=HELP("cli.check"))
def check(
    junit: Annotated[Path | None, typer.Option(help=HELP("cli.check.junit"))] = None,
) -> None:
    from pipelines.build import check_published

    raise typer.Exit(check_published(junit=junit))


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
    out: Annotated[Path | None, typer.Option(help=HELP("cli.export.out"))] = None,
) -> None:
    from pipelines.export import export_workbook

    export_workbook(year=year, out=out)


@app.command(help=HELP("cli.serve"))
def serve(
    host: Annotated[str, typer.Option(help=HELP("cli.serve.host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=HELP("cli.serve.port"))] = 8050,
) -> None:
    from dashboards.app import serve as serve_app

    ensure_port_free(host, port)

    serve_app(host=host, port=port)


@app.command(help=HELP("cli.run"))
def run(
    host: Annotated[str, typer.Option(help=HELP("cli.serve.host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=HELP("cli.serve.port"))] = 8050,
) -> None:
    from pipelines.runall import run_all

    ensure_port_free(host, port)

    run_all(host=host, port=port)


# What `--help` shows for each value: a plain word, not a Python type. (command, parameter) ->
# metavar; set on the click command, so the options above keep only their help texts.
METAVARS = {
    ("demo-data", "cases"): "N",
    ("demo-data", "seed"): "S",
    ("demo-data", "out"): "DIR",
    ("demo-data", "broken"): "KIND",
    ("ingest", "path"): "PATH",
    ("ingest", "entity"): "ENTITY",
    ("ingest", "sheet"): "SHEET",
    ("ingest", "mapping"): "FILE",
    ("build", "as_of"): "DATE",
    ("check", "junit"): "FILE",
    ("query", "sql"): "SQL",
    ("query", "format"): "csv|table|json",
    ("export", "year"): "YEAR",
    ("export", "out"): "DIR",
    ("serve", "host"): "HOST",
    ("serve", "port"): "PORT",
    ("run", "host"): "HOST",
    ("run", "port"): "PORT",
}


class _PlainArgument(typer.core.TyperArgument):
    """An argument listed in `--help` by its metavar alone (typer adds e.g. `<list[Path]>`)."""

    def display_type_rich(self, ctx: typer.Context) -> str | None:
        return None


def command() -> typer.core.TyperGroup:
    """The command behind `app`, with the plain metavars of METAVARS."""
    group = typer.main.get_command(app)
    for name, sub in getattr(group, "commands", {}).items():
        for param in sub.params:
            if (name, param.name) in METAVARS:
                param.metavar = METAVARS[(name, param.name)]
            if type(param) is typer.core.TyperArgument:
                param.__class__ = _PlainArgument
    return group


def ensure_port_free(host: str, port: int) -> None:
    """Refuse, in one line and before anything is announced, a port another program holds."""
    try:
        addresses = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise UsageError(f"无法使用地址 {host}:{port}（{exc}）(cannot listen on {host}:{port})") from None
    family, kind, proto, _, address = addresses[0]
    with socket.socket(family, kind, proto) as probe:
        # the dashboards' server reuses addresses too: a port in TIME_WAIT counts as free
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise UsageError(
                f"端口 {port} 已被占用或不可用（{host}:{port}，{exc.strerror}），请用 --port 指定其他端口"
                f" (port {port} is in use)"
            ) from None


def main() -> None:
    try:
        code = command()(standalone_mode=False)
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
