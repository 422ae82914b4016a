"""Building blocks shared by the pages: navigation bar, figures cards, empty states."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboards import i18n


def with_lang(path: str, lang: str) -> str:
    return path if lang == i18n.DEFAULT_LANG else f"{path}?lang={lang}"


def navbar(active_path: str, lang: str) -> dbc.Navbar:
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
    other = "en" if lang == "zh" else "zh"
    switch = dbc.NavItem(
        dbc.NavLink(
            i18n.t("switch_lang", lang), href=with_lang(active_path, other), id="lang-switch"
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
