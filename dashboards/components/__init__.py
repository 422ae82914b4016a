"""Building blocks shared by the pages: page registration, navigation bar, the report pages'
layout (title, filter bar, downloads, content) and callbacks, cards, empty states."""

from __future__ import annotations

import json
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html

from dashboards import data, fmt, i18n, tables
from pipelines import labels
from pipelines.stats import verdicts


def register_page(module: str, path: str, page: str, order: int) -> None:
    """Register a page under its seed labels (`page.<page>`, `nav.<page>`). Dash imports only
    the page files that say `register_page`, so the pages call it by this name."""
    files = labels.from_files()
    name = files.text(f"page.{page}")
    dash.register_page(module, path=path, name=name,
                       title=f"{name} — {files.text('app.title')}", order=order,
                       nav_key=f"nav.{page}")


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
        if page.get("nav_key")  # the not-found page has no link
    ]
    # the dbt docs site is served by Flask, not a Dash page: a full page load (dashboards/docs_site)
    links.append(
        dbc.NavItem(dbc.NavLink(i18n.t("nav.docs", lang), href="/docs/", external_link=True))
    )
    other = "en" if lang == "zh" else "zh"
    switch = dbc.NavItem(
        dbc.NavLink(
            i18n.t("app.switch_lang", lang), href=with_lang(active_path, other), id=switch_id
        )
    )
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(i18n.t("app.title", lang), href=with_lang("/", lang)),
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
        "text.build_stamp",
        lang,
        as_of=build.get("as_of") or "—",
        build_id=build.get("build_id") or "—",
        built_at=build.get("built_at") or "—",
    )
    return html.Div(text, id="build-stamp", className="build-stamp text-muted small mb-2")


def error_alert(message: str, lang: str) -> dbc.Alert:
    return dbc.Alert(
        i18n.t("text.read_error", lang, message=message.rstrip("。.")),
        color="danger",
        className="page-error",
    )


def no_build_alert(lang: str) -> dbc.Alert:
    return dbc.Alert(i18n.t("text.no_data_page", lang), color="warning", className="no-build")


def year_options(years: list[int], lang: str) -> list[dict[str, Any]]:
    return [{"label": i18n.t("text.year_suffix", lang, year=y), "value": y} for y in reversed(years)]


def town_options(towns: list[dict[str, Any]], lang: str, first_key: str) -> list[dict[str, Any]]:
    first = data.COUNTY if first_key == data.COUNTY else ""
    return [{"label": i18n.t(f"text.{first_key}", lang), "value": first}] + [
        {"label": t["town_name"], "value": t["town_code"]} for t in towns
    ]


def year_control(prefix: str, years: list[int], year: Any, lang: str) -> dbc.Col:
    """The year filter: the year asked for when there is data for it, else the latest."""
    chosen = as_int(year)
    value = chosen if chosen in years else (years[-1] if years else None)
    return control(i18n.t("text.filter_year", lang),
                   dropdown(f"{prefix}-year", year_options(years, lang), value), width=2)


def town_control(prefix: str, towns: list[dict[str, Any]], town: Any, lang: str,
                 first_key: str) -> dbc.Col:
    """The scope filter (`county` first: the whole county or one town, id `<prefix>-scope`) or
    the town filter (`all_towns`/`all_cadres` first, id `<prefix>-town`)."""
    codes = {t["town_code"] for t in towns}
    if first_key == data.COUNTY:
        label, id_, default = "text.filter_scope", f"{prefix}-scope", data.COUNTY
    else:
        label, id_, default = "text.filter_town", f"{prefix}-town", ""
    return control(i18n.t(label, lang),
                   dropdown(id_, town_options(towns, lang, first_key),
                            town if town in codes else default))


def scope_name(snap: data.Snapshot, lang: str, first_key: str) -> str:
    """The chosen town's name, or what the first option says (whole county, all towns, ...)."""
    if not snap["town"]:
        return i18n.t(f"text.{first_key}", lang)
    names = {t["town_code"]: t["town_name"] for t in snap["towns"]}
    return names.get(snap["town"], snap["town"])


def file_stem(title: str, snap: data.Snapshot, lang: str, first_key: str) -> str:
    """A download's file name: what it shows, the year and the scope."""
    return f"{title.replace(' · ', '_')}_{snap['year']}_{scope_name(snap, lang, first_key)}"


def scope_id(prefix: str, first_key: str) -> str:
    return f"{prefix}-scope" if first_key == data.COUNTY else f"{prefix}-town"


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
                *(
                    dbc.Button(i18n.t(f"text.download_{fmt}", lang), id=f"{prefix}-{fmt}",
                               color="secondary", outline=True, size="sm", className=margin)
                    for fmt, margin in (("csv", "me-2"), ("xlsx", ""))
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


# What the filters are built from when nothing can be read: no years, no towns, no indicators.
EMPTY_SNAPSHOT = data.Snapshot(None, {"years": [], "towns": [], "year": None, "town": None,
                                      "specs": []})


def report_layout(path: str, prefix: str, page: str, lang: str | None, read: Any,
                  controls: Any) -> html.Div:
    """A report page: title and intro, then the filter bar (`controls(snapshot)`, with the
    download buttons) and the content area; an alert instead when `read()` fails or nothing
    is published."""
    lang = i18n.lang_of(lang)
    title, intro = i18n.t(f"page.{page}", lang), i18n.t(f"intro.{page}", lang)
    try:
        snap = read()
    except data.DataError as exc:
        alert = error_alert(str(exc), lang)
    else:
        if snap.build is not None:
            return report_page(path, prefix, lang, title, intro,
                               [filter_bar(controls(snap), prefix, lang), content_area(prefix)])
        alert = no_build_alert(lang)
    # The alert, and the page's filters and content area kept hidden: every callback of the
    # page still finds its components, so the browser logs no error before the first build.
    hidden = html.Div([filter_bar(controls(EMPTY_SNAPSHOT), prefix, lang), content_area(prefix)],
                      style={"display": "none"})
    return report_page(path, prefix, lang, title, intro, [alert, hidden])


def filters_layout(path: str, prefix: str, page: str, first_key: str, lang: str | None,
                   year: Any, town: Any) -> html.Div:
    """A report page filtered by year and town (or scope) only."""
    lang = i18n.lang_of(lang)
    return report_layout(path, prefix, page, lang, data.filters, lambda meta: [
        year_control(prefix, meta["years"], year, lang),
        town_control(prefix, meta["towns"], town, lang, first_key),
    ])


def ranking_head(snap: data.Snapshot, prefix: str, title: str, table: tables.Table,
                 cards: dbc.Row, lang: str, sentences: list[str] = (),
                 note: str | None = None) -> list[Any]:
    """The top of a ranking page: the build stamp, the headline counts, the ranking grid with
    plain-language `sentences` under it (what the ranking can tell apart; `note` defines the
    terms, also as the sentences' tooltip)."""
    summary = html.Div(
        [*(html.P(text, className="mb-1", title=note) for text in sentences),
         html.P(note, className="text-muted small mb-0") if note else None],
        className="ranking-summary mt-2", id=f"{prefix}-ranking-summary",
    ) if sentences else None
    return [
        build_stamp(snap.build, lang),
        cards,
        section(title, [grid_or_empty(table, f"{prefix}-grid", lang, max_auto_rows=12,
                                      height=480), summary], id_=f"{prefix}-ranking"),
    ]


def ranking_sentences(kind: str, summary: verdicts.RankingSummary, parameters: dict[str, Any],
                      lang: str, threshold: float | None = None) -> tuple[list[str], str]:
    """What a year's ranking can tell apart, in plain words (`text.ranking_<kind>…`, kind
    villages or cadres): how many units are ranked, the separation confidence
    (pipelines.stats.verdicts) and, with a candidate `threshold`, how many reach it; then how
    many are not ranked and why. `parameters`: seed ranking_parameters. Returns the sentences
    and the note defining the separation confidence."""
    values = {
        "ranked": f"{summary.ranked:,}", "unranked": f"{summary.unranked:,}",
        "reaching": f"{summary.reaching:,}", "confidence": fmt.pct(summary.confidence, 0),
        "threshold": fmt.pct(threshold, 0), "decile": fmt.pct(parameters["decile"], 0),
        "draws": f"{parameters['mc_draws']:,.0f}",
        "min_items": f"{parameters['min_cadre_items']:,.0f}",
        "min_weight": f"{parameters['min_eb_weight']:g}",
    }
    if not summary.ranked:
        first = f"text.ranking_{kind}_empty"
    elif threshold is None:
        first = f"text.ranking_{kind}"
    else:
        first = f"text.ranking_{kind}_" + ("reached" if summary.reaching else "unreached")
    second = f"text.ranking_unranked_{kind}" + ("" if summary.unranked else "_none")
    return ([i18n.t(first, lang, **values), i18n.t(second, lang, **values)],
            i18n.t("text.separation_note", lang, **values))


def register_report(prefix: str, path: str, first_key: str, read: Any, render: Any,
                    table: Any, extra: tuple[tuple[str, str, list[Any]], ...] = ()) -> Any:
    """The callbacks every report page has: filters kept in the URL, the content for the
    filters (`render(snapshot, *extra values, lang)` over `read(year, town)`), and the CSV/XLSX
    download of the page's table (`table(snapshot, lang)`, its name the file stem).
    `extra`: (query name, component id, values left out of the URL) of further filters.
    Returns the content and download callbacks."""
    scope = scope_id(prefix, first_key)
    omit = [data.COUNTY, ""] if first_key == data.COUNTY else [""]
    register_url_sync(prefix, path, [("year", f"{prefix}-year", []), ("town", scope, omit),
                                     *extra])

    @callback(
        Output(f"{prefix}-content", "children"),
        Input(f"{prefix}-year", "value"),
        Input(scope, "value"),
        *[Input(id_, "value") for _, id_, _ in extra],
        State(f"{prefix}-lang", "data"),
    )
    def update_content(year: int | None, town: str | None, *rest: Any) -> Any:
        *values, lang = rest
        lang = i18n.lang_of(lang)
        try:
            snap = read(year, town)
        except data.DataError as exc:
            return error_alert(str(exc), lang)
        return render(snap, *values, lang)

    @callback(
        Output(f"{prefix}-download", "data"),
        Input(f"{prefix}-csv", "n_clicks"),
        Input(f"{prefix}-xlsx", "n_clicks"),
        State(f"{prefix}-year", "value"),
        State(scope, "value"),
        State(f"{prefix}-lang", "data"),
        prevent_initial_call=True,
    )
    def download(csv: int | None, xlsx: int | None, year: int | None, town: str | None,
                 lang: str | None) -> Any:
        lang = i18n.lang_of(lang)
        fmt = "csv" if ctx.triggered_id == f"{prefix}-csv" else "xlsx"
        if not (csv if fmt == "csv" else xlsx):
            return dash.no_update
        snap = read(year, town)
        if snap.build is None:
            return dash.no_update
        shown = table(snap, lang)
        return tables.download(shown, fmt, lang, shown.name)

    return update_content, download


def no_data_year(snap: data.Snapshot, lang: str) -> list[Any]:
    return [build_stamp(snap.build, lang),
            dbc.Alert(i18n.t("text.no_data_year", lang), color="secondary",
                      className="empty-state")]


def grid_or_empty(table: tables.Table, id_: str, lang: str, **kwargs: Any) -> Any:
    if not table.rows:
        return empty_state(i18n.t("text.no_rows", lang))
    return tables.grid(table, id_, lang, **kwargs)


def stat_cards(prefix: str, cards: list[tuple[str, Any]], lang: str) -> dbc.Row:
    """A row of headline counts: (label key, value)."""
    return dbc.Row(
        [dbc.Col(stat_card(i18n.t(key, lang), value,
                           id_=f"{prefix}-{key.rpartition('.')[2]}"), xs=6, md=True)
         for key, value in cards],
        className="g-3 mb-3",
    )


def column(field: str, lang: str, kind: str = "text", **kwargs: Any) -> tables.Column:
    """A table column headed by the seed's label of its field (`column.<field>`)."""
    return tables.Column(field, i18n.column(field, lang), kind, **kwargs)


def grouped(lang: str, group_key: str, fields: Any) -> list[tables.Column]:
    """Columns (field, kind) under one group header (`group.<name>`)."""
    group = i18n.t(group_key, lang)
    return [column(field, lang, kind, group=group) for field, kind in fields]


def rank_columns(lang: str) -> list[tables.Column]:
    """The simulated ranking's columns: median rank, 90% interval, top and bottom decile."""
    return grouped(lang, "group.rank", [("rank_median", "int"), ("rank_interval", "text"),
                                        ("p_top_decile", "prob"), ("p_bottom_decile", "prob")])


def simple_table(head: list[str], body: list[list[Any]], id_: str,
                 numeric: set[int] = frozenset()) -> html.Div:
    """A small striped table in a scroll box (`numeric`: positions aligned right)."""
    def cls(j: int) -> str | None:
        return "text-end" if j in numeric else None

    return html.Div(
        dbc.Table(
            [html.Thead(html.Tr([html.Th(h, className=cls(j)) for j, h in enumerate(head)])),
             html.Tbody([html.Tr([html.Td(c, className=cls(j)) for j, c in enumerate(row)])
                         for row in body])],
            size="sm", striped=True, hover=True, className="mb-0 compact-table", id=id_,
        ),
        className="scroll-box",
    )


def content_area(prefix: str) -> dcc.Loading:
    return dcc.Loading(
        html.Div(id=f"{prefix}-content", className="page-content"),
        type="default",
        delay_show=300,
    )


def badge(text: str, color: str, title: str | None = None) -> dbc.Badge:
    """A status badge; amber (`warning`) takes dark text, `title` is its tooltip."""
    return dbc.Badge(text, color=color, text_color="dark" if color == "warning" else None,
                     title=title, className=f"ms-2 kpi-badge kpi-badge-{color}")


# The colour of each verdict (pipelines.stats.verdicts) and the words of each amber reason.
VERDICT_COLORS = {verdicts.MET: "success", verdicts.MISSED: "danger", verdicts.WATCH: "warning"}
REASON_KEYS = {
    verdicts.FEW_ITEMS: "text.few_items",
    verdicts.CHANGE_NOT_SIGNIFICANT: "text.not_sig",
    verdicts.GAP_NOT_SIGNIFICANT: "text.gap_not_sig",
}


def verdict_status(verdict: verdicts.Verdict, lang: str, met_key: str, missed_key: str,
                   rule: str) -> tuple[str, str, str] | None:
    """A card's badge for a verdict: green `met_key`, red `missed_key`, amber 待观察 with the
    reason in plain words; `rule` (the rule's note, already worded) is its tooltip. None for
    an unknown verdict."""
    if verdict.status == verdicts.UNKNOWN:
        return None
    if verdict.status == verdicts.WATCH:
        text = f"{i18n.t('text.verdict_watch', lang)} · {i18n.t(REASON_KEYS[verdict.reason], lang)}"
    else:
        text = i18n.t(met_key if verdict.status == verdicts.MET else missed_key, lang)
    return text, VERDICT_COLORS[verdict.status], rule


def verdict_rule(key: str, min_items: float, lang: str) -> str:
    """The verdict rule as the cards state it (`text.verdict_rule_change` / `_target`)."""
    return i18n.t(key, lang, min_items=f"{min_items:,.0f}")


def kpi_card(
    label: str,
    value: str,
    lines: list[Any],
    status: tuple[str, ...] | None = None,
    id_: str | None = None,
) -> dbc.Card:
    """A headline figure: label and status badge ((text, colour[, tooltip])), the value, then
    supporting lines."""
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
