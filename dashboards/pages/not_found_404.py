"""The page for an address the app does not have, in the app's own style: the navbar, what
happened in plain words and a way back to the overview. Dash shows it for every unknown path
(the module's name makes it the not-found page); it has no link in the navbar."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboards import components, i18n
from pipelines import labels

_files = labels.from_files()
dash.register_page(__name__, path="/404",
                   title=f"{_files.text('page.not_found')} — {_files.text('app.title')}")


def layout(lang: str | None = None, **_query: Any) -> html.Div:
    lang = i18n.lang_of(lang)
    return html.Div([
        components.navbar("/404", lang, switch_id="nf-lang-switch"),
        dbc.Container(
            [
                components.page_header(i18n.t("page.not_found", lang),
                                       i18n.t("intro.not_found", lang)),
                dbc.Button(i18n.t("text.not_found_back", lang),
                           href=components.with_lang("/", lang), color="primary",
                           id="nf-back"),
            ],
            fluid=True,
            className="pb-4",
        ),
    ])
