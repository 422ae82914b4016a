"""`/docs/`: the dbt docs site (数据字典) of the published build, served by the Dash server.

`register(server)` adds the Flask routes. The files come from `pipelines.dbt_docs.site`, made
on the first request for each published build and kept in its build folder; the pointer is
read on every request, so a new build gets its own site. Every response carries a
Content-Security-Policy that allows only this server: the page works offline and cannot reach
any other host even if a future dbt release tried to.
"""

from __future__ import annotations

from flask import Flask, Response, abort, redirect, send_from_directory

from pipelines import dbt_docs, warehouse
from pipelines.errors import NothingPublished, XinfangError

PREFIX = "/docs/"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'self'"
)


def _plain(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def serve_file(filename: str = "index.html") -> Response:
    if filename not in dbt_docs.SITE_FILES:
        abort(404)
    for attempt in (1, 2):  # retention may remove a build meanwhile: read the pointer again
        try:
            build_id = warehouse.published_build_id()
        except XinfangError as exc:
            return _plain(str(exc), 503)
        if build_id is None:
            return _plain(str(NothingPublished()), 404)
        try:
            folder = dbt_docs.site(build_id)
            break
        except XinfangError as exc:
            if attempt == 2:
                return _plain(str(exc), 503)
    response = send_from_directory(folder, filename, max_age=0)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Build-Id"] = build_id
    return response


def register(server: Flask) -> None:
    server.add_url_rule(
        PREFIX.rstrip("/"), endpoint="dbt_docs_root", view_func=lambda: redirect(PREFIX)
    )
    server.add_url_rule(PREFIX, endpoint="dbt_docs_index", view_func=serve_file)
    server.add_url_rule(PREFIX + "<filename>", endpoint="dbt_docs_file", view_func=serve_file)


def warm() -> None:
    """Start making the published build's site in the background (for `xinfang serve`)."""
    try:
        dbt_docs.warm(warehouse.published_build_id())
    except XinfangError:
        pass
