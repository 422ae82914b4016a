"""办理质量: closure within a month, statutory timeliness, shelved share, leads turned into
cases, satisfaction and ceased rates, the channel mix and real-name against anonymous."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, html

from dashboards import components, data, figures, fmt, i18n, tables

PATH = "/handling"
PREFIX = "hq"
# (rate, numerator, denominator) as in fct_handling_performance; None: no numerator column.
RATES = (
    ("first_time_closure_rate", "first_time_closed_within_30d", "first_time_due"),
    ("on_time_rate", "on_time", "on_time_due"),
    ("accepted_on_time_rate", "accepted_on_time", "accepted_due"),
    ("feedback_on_time_rate", "feedback_on_time", "feedback_due"),
    ("shelved_share", "shelved", "petitions"),
    ("case_conversion_rate", "cases_opened", "leads"),
    ("satisfaction_rate", None, "rated"),
    ("ceased_rate", "ceased", "closed"),
    ("real_name_share", "real_name", "petitions"),
)

dash.register_page(
    __name__,
    path=PATH,
    name="办理质量",
    title="办理质量 — 信访数据仓库",
    order=3,
    nav_key="handling_nav",
)


def layout(lang: str | None = None, year: str | None = None, town: str | None = None,
           **_query: Any) -> html.Div:
    lang = i18n.lang_of(lang)
    title, intro = i18n.t("handling_title", lang), i18n.t("handling_intro", lang)
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
                i18n.t("filter_scope", lang),
                components.dropdown(f"{PREFIX}-scope",
                                    components.town_options(towns, lang, "county"),
                                    town if town in codes else data.COUNTY),
            ),
        ],
        PREFIX,
        lang,
    )
    return components.report_page(PATH, PREFIX, lang, title, intro,
                                  [bar, components.content_area(PREFIX)])


components.register_url_sync(
    PREFIX, PATH, [("year", f"{PREFIX}-year", []), ("town", f"{PREFIX}-scope", [data.COUNTY, ""])]
)


@callback(
    Output(f"{PREFIX}-content", "children"),
    Input(f"{PREFIX}-year", "value"),
    Input(f"{PREFIX}-scope", "value"),
    State(f"{PREFIX}-lang", "data"),
)
def update_content(year: int | None, scope: str | None, lang: str | None) -> Any:
    lang = i18n.lang_of(lang)
    try:
        snap = data.handling(year, scope)
    except data.DataError as exc:
        return components.error_alert(str(exc), lang)
    return render(snap, lang)


@callback(
    Output(f"{PREFIX}-download", "data"),
    Input(f"{PREFIX}-csv", "n_clicks"),
    Input(f"{PREFIX}-xlsx", "n_clicks"),
    State(f"{PREFIX}-year", "value"),
    State(f"{PREFIX}-scope", "value"),
    State(f"{PREFIX}-lang", "data"),
    prevent_initial_call=True,
)
def download(_csv: int | None, _xlsx: int | None, year: int | None, scope: str | None,
             lang: str | None) -> Any:
    lang = i18n.lang_of(lang)
    snap = data.handling(year, scope)
    if snap.build is None:
        return dash.no_update
    fmt_ = "csv" if ctx.triggered_id == f"{PREFIX}-csv" else "xlsx"
    if not (_csv if fmt_ == "csv" else _xlsx):
        return dash.no_update
    return tables.download(towns_table(snap, lang), fmt_, lang,
                           f"{i18n.t('towns_table_title', lang)}_{snap['year']}")


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


def _scope_name(snap: data.Snapshot, lang: str) -> str:
    if not snap["town"]:
        return i18n.t("county", lang)
    names = {t["town_code"]: t["town_name"] for t in snap["towns"]}
    return names.get(snap["town"], snap["town"])


def render(snap: data.Snapshot, lang: str) -> Any:
    if snap.build is None:
        return components.no_build_alert(lang)
    stamp = components.build_stamp(snap.build, lang)
    by_year = snap["by_year"]
    row = next((r for r in by_year if r["year"] == snap["year"]), None)
    if snap["year"] is None or row is None:
        return [stamp, dbc.Alert(i18n.t("no_data_year", lang), color="secondary",
                                 className="empty-state")]
    prev = next((r for r in by_year if r["year"] == snap["year"] - 1), None)
    scope = _scope_name(snap, lang)
    table = towns_table(snap, lang)
    return [
        stamp,
        rate_cards(row, prev, snap["targets"], lang),
        dbc.Row(
            [
                dbc.Col(components.section(
                    i18n.t("rates_trend_title", lang) + " · " + scope,
                    components.graph(f"{PREFIX}-rates", figures.rates_by_year(by_year, lang)),
                    id_=f"{PREFIX}-rates-card"), xl=4),
                dbc.Col(components.section(
                    i18n.t("channel_title", lang) + " · " + scope,
                    components.graph(f"{PREFIX}-channels",
                                     figures.channel_mix(snap["monthly"], snap["year"], lang)),
                    id_=f"{PREFIX}-channels-card"), xl=4),
                dbc.Col(components.section(
                    i18n.t("realname_title", lang) + " · " + scope,
                    components.graph(f"{PREFIX}-realname", figures.real_name_days(by_year, lang)),
                    id_=f"{PREFIX}-realname-card"), xl=4),
            ]
        ),
        components.section(
            i18n.t("towns_table_title", lang) + f" · {snap['year']}",
            tables.grid(table, f"{PREFIX}-grid", lang)
            if table.rows else components.empty_state(i18n.t("no_rows", lang)),
            id_=f"{PREFIX}-table",
        ),
    ]


def rate_cards(row: dict[str, Any], prev: dict[str, Any] | None,
               targets: dict[str, dict[str, Any]], lang: str) -> dbc.Row:
    cards = []
    for rate, numerator, denominator in RATES:
        value = row.get(rate)
        target = targets.get(rate) or {}
        limit, direction = target.get("target_value"), target.get("direction")
        status = None
        if value is not None and limit is not None and direction in ("min", "max"):
            met = value >= limit if direction == "min" else value <= limit
            status = (i18n.t("target_met" if met else "target_missed", lang),
                      "success" if met else "danger")
        lines: list[Any] = []
        den = row.get(denominator)
        if numerator and den is not None:
            lines.append(i18n.t("of_denominator", lang, num=fmt.integer(row.get(numerator)),
                                den=fmt.integer(den)))
        elif den is not None:
            lines.append(f"{i18n.t('col_rated', lang)} {fmt.integer(den)}")
        if prev and prev.get(rate) is not None and value is not None:
            lines.append(i18n.t("pp_change", lang, delta=fmt.points(value - prev[rate], lang)))
        if limit is not None and direction in ("min", "max"):
            sign = "≥" if direction == "min" else "≤"
            lines.append(html.Span(f"{i18n.t('target', lang)}{i18n.colon(lang)}{sign} {fmt.pct(limit, 0)}",
                                   className="text-muted"))
        cards.append(
            dbc.Col(
                components.kpi_card(i18n.indicator_label(rate, lang), fmt.pct(value), lines,
                                    status, id_=f"{PREFIX}-card-{rate}"),
                xs=12, sm=6, lg=4, xxl=True,
            )
        )
    return dbc.Row(cards, className="g-3 mb-3 row-cols-xxl-5")


def towns_table(snap: data.Snapshot, lang: str) -> tables.Table:
    C = tables.Column
    t = i18n.t
    columns = [
        C("town_name", t("col_town", lang), width=90, pinned=True),
        C("petitions", t("col_petitions", lang), "int"),
        C("first_time_closure_rate", t("col_first_time_closure_rate", lang), "pct"),
        C("on_time_rate", t("col_on_time_rate", lang), "pct"),
        C("accepted_on_time_rate", t("col_accepted_on_time_rate", lang), "pct"),
        C("feedback_on_time_rate", t("col_feedback_on_time_rate", lang), "pct"),
        C("shelved_share", t("col_shelved_share", lang), "pct"),
        C("case_conversion_rate", t("col_case_conversion_rate", lang), "pct"),
        C("satisfaction_rate", t("col_satisfaction_rate", lang), "pct"),
        C("ceased_rate", t("col_ceased_rate", lang), "pct"),
        C("real_name_share", t("col_real_name_share", lang), "pct"),
        C("letters", t("col_letters", lang), "int"),
        C("visits", t("col_visits", lang), "int"),
        C("median_days_to_close_real_name", t("col_median_days_real", lang), "dec1"),
        C("median_days_to_close_anonymous", t("col_median_days_anon", lang), "dec1"),
    ]
    return tables.Table.of(f"handling_{snap['year']}", columns, snap["town_rows"])
