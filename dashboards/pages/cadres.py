"""干部考评: the cadre ranking with intervals, advanced-individual candidates and
accountability flags with the counts behind them. Cadres are shown by name and unit; no
petitioner or reported person is identified anywhere."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, html

from dashboards import components, data, figures, i18n, tables

PATH = "/cadres"
PREFIX = "cd"
# Columns of a decision mart worth showing, in this order, when present (counts first).
FLAG_COUNT_COLUMNS = (
    "cases_assigned",
    "closed",
    "on_time",
    "on_time_due",
    "repeats_after_close",
    "escalations",
    "periods_beyond",
    "years_beyond",
)

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
    columns: list[tables.Column] = []
    if snap["is_ranked"]:
        columns += [
            C("rank_median", t("col_rank", lang), "int", width=90, pinned=True),
            C("rank_interval", t("col_rank_interval", lang), width=100),
        ]
    columns += [
        C("cadre_name", t("col_name", lang), width=80, pinned=True),
        C("unit_name", t("col_unit", lang), width=120),
        C("post", t("col_post", lang), width=110),
        C("cases_assigned", t("col_assigned", lang), "int"),
        C("cases_as_lead", t("col_as_lead", lang), "int"),
        C("cases_as_responsible", t("col_as_responsible", lang), "int"),
        C("closed", t("col_closed", lang), "int"),
        C("on_time_rate", t("col_on_time_rate", lang), "pct"),
        C("ceased_rate", t("col_ceased_rate", lang), "pct"),
        C("satisfaction_rate", t("col_satisfaction_rate", lang), "pct"),
        C("repeats_after_close", t("col_repeats_after_close", lang), "int"),
        C("escalations", t("col_escalations", lang), "int"),
    ]
    if "composite_score" in cols:
        columns.append(C("composite_score", t("col_composite", lang), "dec2"))
    if snap["is_ranked"]:
        columns += [
            C("p_top_decile", t("col_p_top", lang), "prob"),
            C("p_bottom_decile", t("col_p_bottom", lang), "prob"),
        ]
    if "is_insufficient_data" in cols:
        columns.append(C("is_insufficient_data", t("col_insufficient", lang), "flag"))
    return tables.Table.of(_stem(snap, lang), [c for c in columns
                                                if c.field in cols or c.field in (
                                                    "rank_interval", "cadre_name", "unit_name",
                                                    "post")],
                           shown_rows(snap))


def render(snap: data.Snapshot, lang: str) -> Any:
    if snap.build is None:
        return components.no_build_alert(lang)
    stamp = components.build_stamp(snap.build, lang)
    if snap["year"] is None:
        return [stamp, dbc.Alert(i18n.t("no_data_year", lang), color="secondary",
                                 className="empty-state")]
    table = ranking_table(snap, lang)
    if snap["is_ranked"]:
        chart_title = i18n.t("rank_chart_title", lang)
        chart = figures.rank_intervals(shown_rows(snap), "cadre_name", lang)
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
                dbc.Col(components.section(chart_title, components.graph(f"{PREFIX}-chart", chart),
                                           id_=f"{PREFIX}-chart-card"), xl=6),
                dbc.Col(
                    [
                        components.section(
                            i18n.t("candidates_title", lang),
                            decision_list(decisions.get("cadre_candidates"), "candidates_none",
                                          lang, f"{PREFIX}-candidates-table"),
                            id_=f"{PREFIX}-candidates",
                        ),
                        components.section(
                            i18n.t("flags_title", lang),
                            decision_list(decisions.get("accountability"), "flags_none", lang,
                                          f"{PREFIX}-flags-table"),
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


def decision_list(rows: list[dict[str, Any]] | None, none_key: str, lang: str,
                  id_: str) -> Any:
    """A decision mart's rows: who (name, unit), and the counts behind the decision."""
    t = i18n.t
    if rows is None:
        return components.empty_state(t("decision_pending", lang))
    if not rows:
        return components.empty_state(t(none_key, lang))
    present = [c for c in FLAG_COUNT_COLUMNS if c in rows[0]]
    reason = next((c for c in ("reason", "flag_reason", "reasons", "detail") if c in rows[0]),
                  None)
    head = [t("col_name", lang), t("col_unit", lang)]
    head += [_count_label(c, lang) for c in present]
    if reason:
        head.append(t("col_flag_reason", lang))
    body = []
    for r in rows:
        cells = [r.get("cadre_name") or "—", r.get("unit_name") or "—"]
        cells += ["—" if r.get(c) is None else f"{r[c]:,}" for c in present]
        if reason:
            cells.append(str(r.get(reason) or ""))
        body.append(html.Tr([html.Td(c) for c in cells]))
    return html.Div(
        dbc.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)],
                  size="sm", striped=True, className="mb-0 compact-table", id=id_),
        className="scroll-box",
    )


def _count_label(column: str, lang: str) -> str:
    key = {
        "cases_assigned": "col_assigned",
        "closed": "col_closed",
        "repeats_after_close": "col_repeats_after_close",
        "escalations": "col_escalations",
    }.get(column)
    return i18n.t(key, lang) if key else column
