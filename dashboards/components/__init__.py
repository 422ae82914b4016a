"""Building blocks shared by the pages: navigation bar, figures cards, empty states."""

from __future__ import annotations

import json
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html

from dashboards import i18n


def with_lang(path: str, lang: str) -> str:
    return path if lang == i18n.DEFAULT_LANG else f"{path}?lang={lang}"


def navbar(active_path: str, lang: str, switch_id: str = "lang-switch") -> dbc.Navbar:
    """Brand, one link per registered page (in `order`), and the language switch."""
    links = [
        dbc.NavItem(
            dbc.NavLink(
                i18n.t(page["nav_key"], lang) if page.get("nav_key") else page["name"],
                href=with_lang(page["relative_path"], lang),
                active=page["path"] == active_path,
            )
        )
        for page in sorted(dash.page_registry.values(), key=lambda p: p.get("order") or 0)
    ]
    # the dbt docs site is served by Flask, not a Dash page: a full page load (dashboards/docs_site)
    links.append(
        dbc.NavItem(dbc.NavLink(i18n.t("docs_nav", lang), href="/docs/", external_link=True))
    )
    other = "en" if lang == "zh" else "zh"
    switch = dbc.NavItem(
        dbc.NavLink(
            i18n.t("switch_lang", lang), href=with_lang(active_path, other), id=switch_id
        )
    )
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(i18n.t("app_title", lang), href=with_lang("/", lang)),
                dbc.Nav(links, navbar=True, className="me-auto"),
                dbc.Nav([switch], navbar=True),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        className="mb-3",
    )


def stat_card(label: str, value: Any, id_: str | None = None) -> dbc.Card:
    shown = f"{value:,}" if isinstance(value, int) else ("—" if value in (None, "") else value)
    body = [html.Div(label, className="stat-label"), html.Div(shown, className="stat-value")]
    card_kwargs = {"id": id_} if id_ else {}
    return dbc.Card(dbc.CardBody(body), className="stat-card h-100", **card_kwargs)


def section(title: str, children: Any, id_: str | None = None) -> dbc.Card:
    kwargs = {"id": id_} if id_ else {}
    return dbc.Card(
        [dbc.CardHeader(html.H5(title, className="mb-0")), dbc.CardBody(children)],
        className="mb-3",
        **kwargs,
    )


def empty_state(message: str, id_: str | None = None) -> dbc.Alert:
    kwargs = {"id": id_} if id_ else {}
    return dbc.Alert(message, color="secondary", className="empty-state mb-0", **kwargs)



# ---------------------------------------------------------------------------------------------
# Page furniture shared by the report pages
# ---------------------------------------------------------------------------------------------


def page_header(title: str, intro: str) -> html.Div:
    return html.Div(
        [html.H2(title, className="page-title mb-1"), html.P(intro, className="text-muted mb-3")]
    )


def build_stamp(build: dict[str, Any] | None, lang: str) -> html.Div:
    """The published build a page shows (as_of, build id, build time)."""
    if not build:
        return html.Div(id="build-stamp")
    text = i18n.t(
        "build_stamp",
        lang,
        as_of=build.get("as_of") or "—",
        build_id=build.get("build_id") or "—",
        built_at=build.get("built_at") or "—",
    )
    return html.Div(text, id="build-stamp", className="build-stamp text-muted small mb-2")


def error_alert(message: str, lang: str) -> dbc.Alert:
    return dbc.Alert(
        i18n.t("read_error", lang, message=message.rstrip("。.")),
        color="danger",
        className="page-error",
    )


def no_build_alert(lang: str) -> dbc.Alert:
    return dbc.Alert(i18n.t("no_build", lang), color="warning", className="no-build")


def year_options(years: list[int], lang: str) -> list[dict[str, Any]]:
    return [{"label": i18n.t("year_suffix", lang, year=y), "value": y} for y in reversed(years)]


def town_options(towns: list[dict[str, Any]], lang: str, first_key: str) -> list[dict[str, Any]]:
    first = "county" if first_key == "county" else ""
    return [{"label": i18n.t(first_key, lang), "value": first}] + [
        {"label": t["town_name"], "value": t["town_code"]} for t in towns
    ]


def control(label: str, component: Any, width: int = 3) -> dbc.Col:
    return dbc.Col(
        [dbc.Label(label, className="filter-label mb-1"), component], md=width, className="mb-2"
    )


def dropdown(id_: str, options: list[dict[str, Any]], value: Any) -> dcc.Dropdown:
    return dcc.Dropdown(
        id=id_, options=options, value=value, clearable=False, searchable=False, className="filter"
    )


def download_controls(prefix: str, lang: str) -> dbc.Col:
    """CSV and XLSX buttons for the page's table, with their dcc.Download."""
    return dbc.Col(
        html.Div(
            [
                dbc.Button(
                    i18n.t("download_csv", lang),
                    id=f"{prefix}-csv",
                    color="secondary",
                    outline=True,
                    size="sm",
                    className="me-2",
                ),
                dbc.Button(
                    i18n.t("download_xlsx", lang),
                    id=f"{prefix}-xlsx",
                    color="secondary",
                    outline=True,
                    size="sm",
                ),
                dcc.Download(id=f"{prefix}-download"),
            ],
            className="d-flex justify-content-md-end align-items-end h-100 pb-2",
        ),
        md=True,
    )


def filter_bar(controls: list[Any], prefix: str, lang: str) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(dbc.Row([*controls, download_controls(prefix, lang)], className="g-3")),
        className="mb-3 filter-bar",
    )


def report_page(
    path: str,
    prefix: str,
    lang: str,
    title: str,
    intro: str,
    body: Any,
) -> html.Div:
    """Navbar, title and intro, then the page's own body (filters and content)."""
    return html.Div(
        [
            navbar(path, lang, switch_id=f"{prefix}-lang-switch"),
            dbc.Container(
                [
                    page_header(title, intro),
                    *(body if isinstance(body, list) else [body]),
                    dcc.Store(id=f"{prefix}-lang", data=lang),
                ],
                fluid=True,
                className="pb-4",
            ),
        ]
    )


def content_area(prefix: str) -> dcc.Loading:
    return dcc.Loading(
        html.Div(id=f"{prefix}-content", className="page-content"),
        type="default",
        delay_show=300,
    )


def badge(text: str, color: str) -> dbc.Badge:
    return dbc.Badge(text, color=color, className="ms-2 kpi-badge")


def kpi_card(
    label: str,
    value: str,
    lines: list[Any],
    status: tuple[str, str] | None = None,
    id_: str | None = None,
) -> dbc.Card:
    """A headline figure: label and status badge, the value, then supporting lines."""
    head = [html.Span(label, className="stat-label")]
    if status:
        head.append(badge(*status))
    body = [
        html.Div(head, className="d-flex justify-content-between align-items-start"),
        html.Div(value, className="stat-value"),
        *[html.Div(line, className="kpi-line") for line in lines if line],
    ]
    kwargs = {"id": id_} if id_ else {}
    return dbc.Card(dbc.CardBody(body), className="stat-card kpi-card h-100", **kwargs)


def graph(id_: str, figure: Any) -> dcc.Graph:
    """A figure that fills its column's width at the height its layout asks for."""
    from dashboards import figures

    height = getattr(getattr(figure, "layout", None), "height", None) or 360
    return dcc.Graph(
        id=id_,
        figure=figure,
        config=figures.GRAPH_CONFIG,
        responsive=True,
        style={"height": f"{height}px", "width": "100%"},
        className="figure",
    )


def register_url_sync(prefix: str, path: str, params: list[tuple[str, str, list[Any]]]) -> None:
    """Keep the page's filters in the address bar (history.replaceState, no reload) and the
    language link pointing at the same view. `params`: (query name, component id, values
    left out of the URL)."""
    names = json.dumps([name for name, _, _ in params])
    omit = json.dumps([[str(v) for v in skip] for _, _, skip in params])
    dash.clientside_callback(
        f"""
        function() {{
            const args = Array.from(arguments);
            const lang = args[args.length - 1] || "zh";
            const names = {names};
            const omit = {omit};
            const query = new URLSearchParams();
            names.forEach(function (name, i) {{
                const value = args[i];
                if (value === null || value === undefined) {{ return; }}
                if (omit[i].indexOf(String(value)) >= 0) {{ return; }}
                query.set(name, String(value));
            }});
            if (lang !== "zh") {{ query.set("lang", lang); }}
            const text = query.toString();
            const url = "{path}" + (text ? "?" + text : "");
            if (window.location.pathname + window.location.search !== url) {{
                window.history.replaceState(window.history.state, "", url);
            }}
            const other = new URLSearchParams(query);
            if (lang === "zh") {{ other.set("lang", "en"); }} else {{ other.delete("lang"); }}
            const otherText = other.toString();
            return "{path}" + (otherText ? "?" + otherText : "");
        }}
        """,
        Output(f"{prefix}-lang-switch", "href"),
        [Input(component, "value") for _, component, _ in params] + [Input(f"{prefix}-lang", "data")],
    )


def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
