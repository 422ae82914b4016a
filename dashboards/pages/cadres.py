"""干部考评: the cadre ranking with intervals, advanced-individual candidates and
accountability flags with the counts behind them. Cadres are shown by name and unit; no
petitioner or reported person is identified anywhere."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, html

from dashboards import components, data, figures, fmt, i18n, tables

PATH = "/cadres"
PREFIX = "cd"
RANK_CHART_LIMIT = 30
dash.register_page(
    __name__,
    path=PATH,
    name="干部考评",
    title="干部考评 — 信访数据仓库",
    order=2,
    nav_key="cadres_nav",
)


def layout(lang: str | None = None, year: str | None = None, town: str | None = None,
           **_query: Any) -> html.Div:
    lang = i18n.lang_of(lang)
    title, intro = i18n.t("cadres_title", lang), i18n.t("cadres_intro", lang)
    try:
        meta = data.filters()
    except data.DataError as exc:
        return components.report_page(PATH, PREFIX, lang, title, intro,
                                      components.error_alert(str(exc), lang))
    if meta.build is None:
        return components.report_page(PATH, PREFIX, lang, title, intro,
                                      components.no_build_alert(lang))
    years, towns = meta["years"], meta["towns"]
    chosen = components.as_int(year)
    codes = {t["town_code"] for t in towns}
    bar = components.filter_bar(
        [
            components.control(
                i18n.t("filter_year", lang),
                components.dropdown(f"{PREFIX}-year", components.year_options(years, lang),
                                    chosen if chosen in years else (years[-1] if years else None)),
                width=2,
            ),
            components.control(
                i18n.t("filter_town", lang),
                components.dropdown(f"{PREFIX}-town",
                                    components.town_options(towns, lang, "all_cadres"),
                                    town if town in codes else ""),
            ),
        ],
        PREFIX,
        lang,
    )
    return components.report_page(PATH, PREFIX, lang, title, intro,
                                  [bar, components.content_area(PREFIX)])


components.register_url_sync(
    PREFIX, PATH, [("year", f"{PREFIX}-year", []), ("town", f"{PREFIX}-town", [""])]
)


@callback(
    Output(f"{PREFIX}-content", "children"),
    Input(f"{PREFIX}-year", "value"),
    Input(f"{PREFIX}-town", "value"),
    State(f"{PREFIX}-lang", "data"),
)
def update_content(year: int | None, town: str | None, lang: str | None) -> Any:
    lang = i18n.lang_of(lang)
    try:
        snap = data.cadres(year, town)
    except data.DataError as exc:
        return components.error_alert(str(exc), lang)
    return render(snap, lang)


@callback(
    Output(f"{PREFIX}-download", "data"),
    Input(f"{PREFIX}-csv", "n_clicks"),
    Input(f"{PREFIX}-xlsx", "n_clicks"),
    State(f"{PREFIX}-year", "value"),
    State(f"{PREFIX}-town", "value"),
    State(f"{PREFIX}-lang", "data"),
    prevent_initial_call=True,
)
def download(_csv: int | None, _xlsx: int | None, year: int | None, town: str | None,
             lang: str | None) -> Any:
    lang = i18n.lang_of(lang)
    snap = data.cadres(year, town)
    if snap.build is None:
        return dash.no_update
    fmt = "csv" if ctx.triggered_id == f"{PREFIX}-csv" else "xlsx"
    if not (_csv if fmt == "csv" else _xlsx):
        return dash.no_update
    return tables.download(ranking_table(snap, lang), fmt, lang, _stem(snap, lang))


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


def _town_name(snap: data.Snapshot, lang: str) -> str:
    if not snap["town"]:
        return i18n.t("all_cadres", lang)
    names = {t["town_code"]: t["town_name"] for t in snap["towns"]}
    return names.get(snap["town"], snap["town"])


def _stem(snap: data.Snapshot, lang: str) -> str:
    return f"{i18n.t('cadre_ranking_title', lang)}_{snap['year']}_{_town_name(snap, lang)}"


def shown_rows(snap: data.Snapshot) -> list[dict[str, Any]]:
    rows = []
    for r in snap["rows"]:
        low, high = r.get("rank_low"), r.get("rank_high")
        rows.append(
            {**r, "rank_interval": f"{low}–{high}" if low is not None and high is not None
             else None}
        )
    return sorted(
        rows,
        key=lambda r: (
            r.get("rank_median") is None,
            r.get("rank_median") or 0,
            -(r.get("cases_assigned") or 0),
            r.get("cadre_name") or "",
        ),
    )


def ranking_table(snap: data.Snapshot, lang: str) -> tables.Table:
    C = tables.Column
    t = i18n.t
    cols = set(snap["columns"])
    g_rank, g_handling, g_decision = t("grp_rank", lang), t("grp_handling", lang), \
        t("grp_decision", lang)
    columns: list[tables.Column] = [
        C("cadre_name", t("col_name", lang), width=80, pinned=True),
        C("unit_name", t("col_unit", lang), width=150),
        C("post", t("col_post", lang), width=110),
    ]
    if snap["is_ranked"]:
        columns += [
            C("rank_median", t("col_rank_short", lang), "int", group=g_rank),
            C("rank_interval", t("col_rank_interval", lang), width=92, group=g_rank),
            C("p_top_decile", t("col_p_top", lang), "prob", group=g_rank),
            C("p_bottom_decile", t("col_p_bottom", lang), "prob", group=g_rank),
        ]
    columns += [
        C("cases_assigned", t("col_assigned", lang), "int", group=g_handling),
        C("cases_as_lead", t("col_as_lead", lang), "int", group=g_handling),
        C("cases_as_responsible", t("col_as_responsible", lang), "int", group=g_handling),
        C("closed", t("col_closed", lang), "int", group=g_handling),
        C("on_time_rate", t("col_on_time_rate", lang), "pct", group=g_handling),
        C("ceased_rate", t("col_ceased_rate", lang), "pct", group=g_handling),
        C("satisfaction_rate", t("col_satisfaction_rate", lang), "pct", group=g_handling),
        C("repeats_after_close", t("col_repeats_after_close", lang), "int", group=g_handling),
        C("escalations", t("col_escalations", lang), "int", group=g_handling),
        C("is_advanced_candidate", t("col_candidate", lang), "mark", group=g_decision),
        C("accountability_flags", t("col_accountability_flags", lang), "int", group=g_decision),
        C("is_insufficient_data", t("col_insufficient", lang), "alert", group=g_decision),
    ]
    always = {"cadre_name", "unit_name", "post", "rank_interval"}
    shown = [c for c in columns if c.field in cols or c.field in always]
    return tables.Table.of(_stem(snap, lang), shown, shown_rows(snap))


def render(snap: data.Snapshot, lang: str) -> Any:
    if snap.build is None:
        return components.no_build_alert(lang)
    stamp = components.build_stamp(snap.build, lang)
    if snap["year"] is None:
        return [stamp, dbc.Alert(i18n.t("no_data_year", lang), color="secondary",
                                 className="empty-state")]
    table = ranking_table(snap, lang)
    if snap["is_ranked"]:
        chart_title = i18n.t("rank_chart_title", lang, n=RANK_CHART_LIMIT)
        chart = figures.rank_intervals(shown_rows(snap), "cadre_name", lang,
                                       limit=RANK_CHART_LIMIT)
        notice = None
    else:
        chart_title = i18n.t("cadre_scatter_title", lang)
        chart = figures.cadre_scatter(snap["rows"], lang)
        notice = dbc.Alert(i18n.t("not_ranked_yet", lang), color="info", className="py-2",
                           id=f"{PREFIX}-unranked")
    decisions = snap.get("decisions", {})
    return [
        stamp,
        summary_cards(snap, table, lang),
        notice,
        components.section(
            i18n.t("cadre_ranking_title", lang) + " · " + _town_name(snap, lang),
            tables.grid(table, f"{PREFIX}-grid", lang, max_auto_rows=12, height=480)
            if table.rows else components.empty_state(i18n.t("no_rows", lang)),
            id_=f"{PREFIX}-ranking",
        ),
        dbc.Row(
            [
                dbc.Col(components.section(
                    chart_title,
                    [components.graph(f"{PREFIX}-chart", chart),
                     html.P(i18n.t("rank_note", lang), className="text-muted small mb-0")
                     if snap["is_ranked"] else None],
                    id_=f"{PREFIX}-chart-card"), xl=6),
                dbc.Col(
                    [
                        components.section(
                            i18n.t("candidates_title", lang),
                            candidates_list(decisions.get("cadre_candidates"), lang),
                            id_=f"{PREFIX}-candidates",
                        ),
                        components.section(
                            i18n.t("flags_title", lang),
                            flags_list(decisions.get("accountability"),
                                       snap.get("indicator_labels", {}), lang),
                            id_=f"{PREFIX}-flags",
                        ),
                    ],
                    xl=6,
                ),
            ]
        ),
    ]


def summary_cards(snap: data.Snapshot, table: tables.Table, lang: str) -> dbc.Row:
    decisions = snap.get("decisions", {})
    cards = [
        ("card_cadres", len(table.rows)),
        ("card_candidates", None if decisions.get("cadre_candidates") is None
         else len(decisions["cadre_candidates"])),
        ("card_flags", None if decisions.get("accountability") is None
         else len(decisions["accountability"])),
    ]
    if "is_insufficient_data" in snap["columns"]:
        cards.append(("card_insufficient",
                      sum(1 for r in snap["rows"] if r.get("is_insufficient_data"))))
    return dbc.Row(
        [dbc.Col(components.stat_card(i18n.t(k, lang), v, id_=f"{PREFIX}-{k}"), xs=6, md=True)
         for k, v in cards],
        className="g-3 mb-3",
    )


def _table(head: list[str], body: list[list[str]], id_: str) -> html.Div:
    return html.Div(
        dbc.Table(
            [html.Thead(html.Tr([html.Th(h) for h in head])),
             html.Tbody([html.Tr([html.Td(c) for c in row]) for row in body])],
            size="sm", striped=True, className="mb-0 compact-table", id=id_,
        ),
        className="scroll-box",
    )


def _number(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def candidates_list(rows: list[dict[str, Any]] | None, lang: str) -> Any:
    """The advanced-individual candidates with the numbers behind each."""
    t = i18n.t
    if rows is None:
        return components.empty_state(t("decision_pending", lang))
    if not rows:
        return components.empty_state(t("candidates_none", lang))
    rows = sorted(rows, key=lambda r: r.get("candidate_order") or 0)
    head = [t("col_order", lang), t("col_name", lang), t("col_unit", lang),
            t("col_assigned", lang), t("col_p_top", lang), t("col_rank", lang),
            t("col_rank_interval", lang), t("col_on_time_rate", lang),
            t("col_satisfaction_rate", lang)]
    body = [
        [
            str(r.get("candidate_order") or i + 1),
            r.get("cadre_name") or "—",
            r.get("unit_name") or "—",
            _number(r.get("cases_assigned")),
            fmt.pct(r.get("p_top_decile"), 0),
            _number(r.get("rank_median")),
            f"{r.get('rank_low')}–{r.get('rank_high')}" if r.get("rank_low") is not None else "—",
            fmt.pct(r.get("on_time_rate")),
            fmt.pct(r.get("satisfaction_rate")),
        ]
        for i, r in enumerate(rows)
    ]
    return _table(head, body, f"{PREFIX}-candidates-table")


def flags_list(rows: list[dict[str, Any]] | None, labels: dict[str, dict[str, str]],
               lang: str) -> Any:
    """Accountability flags: who, which indicator, for how many years, and the counts."""
    t = i18n.t
    if rows is None:
        return components.empty_state(t("decision_pending", lang))
    if not rows:
        return components.empty_state(t("flags_none", lang))
    head = [t("col_name", lang), t("col_unit", lang), t("col_indicator", lang),
            t("col_years_beyond", lang), t("col_this_year", lang), t("col_value_limit", lang),
            t("col_prev_year_counts", lang)]
    body = []
    for r in sorted(rows, key=lambda r: (r.get("cadre_name") or "", r.get("indicator") or "")):
        code = r.get("indicator") or ""
        label = labels.get(code, {}).get(i18n.lang_of(lang)) or i18n.indicator_label(code, lang)
        body.append(
            [
                r.get("cadre_name") or "—",
                r.get("unit_name") or "—",
                label,
                _number(r.get("years_beyond")),
                f"{_number(r.get('observed'))} / {_number(r.get('denominator'))}",
                f"{fmt.decimal(r.get('value'))} / {fmt.decimal(r.get('limit_998'))}",
                (f"{_number(r.get('observed_prev_year'))} / "
                f"{_number(r.get('denominator_prev_year'))}"),
            ]
        )
    return _table(head, body, f"{PREFIX}-flags-table")
