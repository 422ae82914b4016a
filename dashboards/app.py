"""The Dash application: `create_app()` for tests and servers, `serve()` for `xinfang serve`.

Offline by construction: Dash and its component packages serve their own bundles
(`serve_locally`), Plotly's bundle comes with dash-core-components, and Bootstrap's CSS and
JS are served from the installed bootstrap-flask package under /vendor/bootstrap/. No page
refers to any other host. `/docs/` serves the published build's dbt docs site (docs_site).
"""

from __future__ import annotations

import logging
from pathlib import Path

import dash
from flask import Response, abort, send_from_directory

from dashboards import data, docs_site, i18n

HERE = Path(__file__).resolve().parent
VENDOR_PREFIX = "/vendor/bootstrap/"
BOOTSTRAP_CSS = VENDOR_PREFIX + "css/bootstrap.min.css"
BOOTSTRAP_JS = (VENDOR_PREFIX + "umd/popper.min.js", VENDOR_PREFIX + "js/bootstrap.min.js")

INDEX_STRING = """<!DOCTYPE html>
<html lang="zh-CN">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def bootstrap_static_dir() -> Path:
    """Bootstrap 5 as shipped inside the bootstrap-flask wheel (never copied, never committed)."""
    import flask_bootstrap

    folder = Path(flask_bootstrap.__file__).resolve().parent / "static" / "bootstrap5"
    if not (folder / "css" / "bootstrap.min.css").is_file():
        raise RuntimeError(f"bootstrap-flask 中找不到 Bootstrap 5 样式文件：{folder}")
    return folder


def create_app() -> dash.Dash:
    vendor = bootstrap_static_dir()
    app = dash.Dash(
        "dashboards",  # the package: pages import as dashboards.pages.<name>
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        serve_locally=True,
        include_pages_meta=False,
        external_stylesheets=[BOOTSTRAP_CSS],
        external_scripts=list(BOOTSTRAP_JS),
        index_string=INDEX_STRING,
        title=i18n.t("app.title"),
        update_title=None,
        suppress_callback_exceptions=True,
    )
    server = app.server
    docs_site.register(server)  # /docs/: the published build's dbt docs site

    def vendor_bootstrap(filename: str) -> Response:
        if not filename.endswith((".css", ".js", ".map", ".svg", ".woff", ".woff2")):
            abort(404)
        return send_from_directory(vendor, filename, max_age=86400)

    server.add_url_rule(
        VENDOR_PREFIX + "<path:filename>", endpoint="vendor_bootstrap", view_func=vendor_bootstrap
    )
    data.cache.init_app(server)
    app.layout = dash.page_container
    return app


def serve(host: str = "127.0.0.1", port: int = 8050) -> None:
    """Serve the dashboards with Flask's own server until interrupted."""
    from rich.console import Console

    app = create_app()
    docs_site.warm()
    for name in ("werkzeug", "dash", "dash.dash"):
        logging.getLogger(name).setLevel(logging.WARNING)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    Console().print(
        f"看板已启动：[bold]http://{shown_host}:{port}/[/]  （按 Ctrl+C 停止）", highlight=False
    )
    app.run(
        host=host,
        port=port,
        debug=False,
        dev_tools_disable_version_check=True,
        use_reloader=False,
    )
