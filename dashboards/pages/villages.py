"""村居排名 · 示范村居: the ranking (median rank and 90% interval), the five standards,
under-registration flags, a funnel plot per indicator and the model-village list."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, html

from dashboards import components, data, figures, i18n, tables

PATH = "/villages"
PREFIX = "vr"
DEFAULT_INDICATOR = "petitions_per_1k"

dash.register_page(
    __name__,
    path=PATH,
    name="村居排名 · 示范村居",
    title="村居排名 · 示范村居 — 信访数据仓库",
    order=1,
    nav_key="villages_nav",
)


def layout(lang: str | None = None, year: str | None = None, town: str | None = None,
           indicator: str | None = None, **_query: Any) -> html.Div:
    lang = i18n.lang_of(lang)
    title, intro = i18n.t("villages_title", lang), i18n.t("villages_intro", lang)
    try:
        snap = data.villages(components.as_int(year), town)
    except data.DataError as exc:
        return components.report_page(PATH, PREFIX, lang, title, intro,
                                      components.error_alert(str(exc), lang))
    if snap.build is None:
        return components.report_page(PATH, PREFIX, lang, title, intro,
                                      components.no_build_alert(lang))
    specs = snap["specs"]
    codes = [s["indicator"] for s in specs]
    chosen = indicator if indicator in codes else (
        DEFAULT_INDICATOR if DEFAULT_INDICATOR in codes else (codes[0] if codes else None))
    bar = components.filter_bar(
        [
            components.control(
                i18n.t("filter_year", lang),
                components.dropdown(f"{PREFIX}-year",
                                    components.year_options(snap["years"], lang), snap["year"]),
                width=2,
            ),
            components.control(
                i18n.t("filter_town", lang),
                components.dropdown(f"{PREFIX}-town",
                                    components.town_options(snap["towns"], lang, "all_towns"),
                                    snap["town"] or ""),
            ),
            components.control(
                i18n.t("filter_indicator", lang),
                components.dropdown(
                    f"{PREFIX}-indicator",
                    [{"label": spec_label(s, lang), "value": s["indicator"]} for s in specs],
                    chosen,
                ),
            ),
        ],
        PREFIX,
        lang,
    )
    return components.report_page(PATH, PREFIX, lang, title, intro,
                                  [bar, components.content_area(PREFIX)])


components.register_url_sync(
    PREFIX,
    PATH,
    [
        ("year", f"{PREFIX}-year", []),
        ("town", f"{PREFIX}-town", [""]),
        ("indicator", f"{PREFIX}-indicator", [DEFAULT_INDICATOR]),
    ],
)


@callback(
    Output(f"{PREFIX}-content", "children"),
    Input(f"{PREFIX}-year", "value"),
    Input(f"{PREFIX}-town", "value"),
    Input(f"{PREFIX}-indicator", "value"),
    State(f"{PREFIX}-lang", "data"),
)
def update_content(year: int | None, town: str | None, indicator: str | None,
                   lang: str | None) -> Any:
    lang = i18n.lang_of(lang)
    try:
        snap = data.villages(year, town)
    except data.DataError as exc:
        return components.error_alert(str(exc), lang)
    return render(snap, indicator, lang)


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
    snap = data.villages(year, town)
    if snap.build is None:
        return dash.no_update
    fmt = "csv" if ctx.triggered_id == f"{PREFIX}-csv" else "xlsx"
    if not (_csv if fmt == "csv" else _xlsx):
        return dash.no_update
    return tables.download(ranking_table(snap, lang), fmt, lang, _stem(snap, lang))


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


def spec_label(spec: dict[str, Any], lang: str) -> str:
    label = spec.get("label_en" if lang == "en" else "label_zh")
    if label:
        return label
    base = i18n.indicator_label(spec["numerator"], lang)
    return base if spec["indicator"] == spec["numerator"] else i18n.t("per_1k_suffix", lang,
                                                                       label=base)


def denominator_label(column: str, lang: str) -> str:
    key = {"population": "den_population", "first_time_due": "den_first_time_due",
           "rated": "den_rated"}.get(column, "den_items")
    return i18n.t(key, lang)


def _town_name(snap: data.Snapshot, lang: str) -> str:
    if not snap["town"]:
        return i18n.t("all_towns", lang)
    names = {t["town_code"]: t["town_name"] for t in snap["towns"]}
    return names.get(snap["town"], snap["town"])


def _stem(snap: data.Snapshot, lang: str) -> str:
    return f"{i18n.t('ranking_title', lang)}_{snap['year']}_{_town_name(snap, lang)}"


def shown_rows(snap: data.Snapshot) -> list[dict[str, Any]]:
    """The town's villages (or all), best rank first; unranked ones after, lowest rate first."""
    rows = [r for r in snap["rows"] if not snap["town"] or r.get("town_code") == snap["town"]]
    flagged = under_registration_codes(snap)
    out = []
    for r in rows:
        low, high = r.get("rank_low"), r.get("rank_high")
        signal = r.get("is_under_registration_signal")
        if signal is None and flagged is not None:
            signal = r["village_code"] in flagged
        out.append(
            {
                **r,
                "rank_interval": f"{low}–{high}" if low is not None and high is not None else None,
                "is_under_registration": signal,
            }
        )
    return sorted(
        out,
        key=lambda r: (
            r.get("rank_median") is None,
            r.get("rank_median") or 0,
            r.get("petitions_per_1k") or 0,
            r.get("village_code"),
        ),
    )


def under_registration_codes(snap: data.Snapshot) -> set[str] | None:
    """Villages with an under-registration signal this year (None: the build has none)."""
    if "is_under_registration_signal" in snap["columns"]:
        return {r["village_code"] for r in snap["rows"] if r.get("is_under_registration_signal")}
    rows = snap.get("decisions", {}).get("under_registration")
    if rows is None:
        return None
    return {r["village_code"] for r in rows if r.get("village_code")}


STANDARD_HEADERS = {
    "is_per_1k_within_standard": "col_per_1k",
    "is_repeat_within_standard": "col_repeat",
    "is_skip_level_within_standard": "col_skip",
    "is_collective_within_standard": "col_collective",
    "is_abnormal_within_standard": "col_abnormal",
}


def ranking_table(snap: data.Snapshot, lang: str) -> tables.Table:
    C = tables.Column
    t = i18n.t
    cols = set(snap["columns"])
    g_rank, g_volume = t("grp_rank", lang), t("grp_volume", lang)
    g_standard, g_decision = t("grp_standard", lang), t("grp_decision", lang)
    columns: list[tables.Column] = [
        C("village_name", t("col_village", lang), width=96, pinned=True),
        C("town_name", t("col_town", lang), width=84),
    ]
    if snap["is_ranked"]:
        columns += [
            C("rank_median", t("col_rank_short", lang), "int", group=g_rank),
            C("rank_interval", t("col_rank_interval", lang), width=92, group=g_rank),
            C("p_top_decile", t("col_p_top", lang), "prob", group=g_rank),
            C("p_bottom_decile", t("col_p_bottom", lang), "prob", group=g_rank),
        ]
    columns += [
        C("population", t("col_population", lang), "int", group=g_volume),
        C("petitions", t("col_petitions", lang), "int", group=g_volume),
        C("petitions_per_1k", t("col_per_1k", lang), "dec2", group=g_volume),
    ]
    if "petitions_per_1k_eb" in cols:
        columns.append(C("petitions_per_1k_eb", t("col_per_1k_eb", lang), "dec2", group=g_volume))
    for flag, key in STANDARD_HEADERS.items():
        if flag in cols:
            columns.append(C(flag, t(key, lang), "flag", group=g_standard))
    columns.append(C("is_meets_standard", t("col_all_met", lang), "flag", group=g_standard))
    if "is_model_village" in cols:
        columns.append(C("is_model_village", t("col_model_village", lang), "mark", group=g_decision))
    if under_registration_codes(snap) is not None:
        columns.append(C("is_under_registration", t("col_under_registration", lang), "alert",
                         group=g_decision))
    if "accountability_flags" in cols:
        columns.append(C("accountability_flags", t("col_accountability_flags", lang), "int",
                         group=g_decision))
    if "is_insufficient_data" in cols:
        columns.append(C("is_insufficient_data", t("col_insufficient", lang), "alert",
                         group=g_decision))
    return tables.Table.of(_stem(snap, lang), columns, shown_rows(snap))


def render(snap: data.Snapshot, indicator: str | None, lang: str) -> Any:
    if snap.build is None:
        return components.no_build_alert(lang)
    stamp = components.build_stamp(snap.build, lang)
    if snap["year"] is None or not snap["rows"]:
        return [stamp, dbc.Alert(i18n.t("no_data_year", lang), color="secondary",
                                 className="empty-state")]
    table = ranking_table(snap, lang)
    notice = None if snap["is_ranked"] else dbc.Alert(
        i18n.t("not_ranked_yet", lang), color="info", className="py-2", id=f"{PREFIX}-unranked")
    specs = {s["indicator"]: s for s in snap["specs"]}
    spec = specs.get(indicator or "") or specs.get(DEFAULT_INDICATOR) or next(iter(specs.values()))
    label = spec_label(spec, lang)
    figure_spec = {**spec, "label": label,
                   "denominator_label": denominator_label(spec["denominator"], lang)}
    funnel = figures.funnel(snap["rows"], figure_spec, lang, highlight_town=snap["town"])
    return [
        stamp,
        summary_cards(snap, table, lang),
        notice,
        components.section(
            i18n.t("ranking_title", lang) + " · " + _town_name(snap, lang),
            tables.grid(table, f"{PREFIX}-grid", lang, max_auto_rows=12, height=480)
            if table.rows else components.empty_state(i18n.t("no_rows", lang)),
            id_=f"{PREFIX}-ranking",
        ),
        dbc.Row(
            [
                dbc.Col(
                    components.section(
                        i18n.t("funnel_title", lang, indicator=label),
                        [components.graph(f"{PREFIX}-funnel", funnel),
                         html.P(i18n.t("funnel_note", lang, x=figure_spec["denominator_label"],
                                       y=label), className="text-muted small mb-0")],
                        id_=f"{PREFIX}-funnel-card",
                    ),
                    xl=7,
                ),
                dbc.Col(
                    [
                        components.section(i18n.t("model_list_title", lang),
                                           model_list(snap, lang), id_=f"{PREFIX}-model"),
                        components.section(i18n.t("under_title", lang),
                                           under_list(snap, lang), id_=f"{PREFIX}-under"),
                    ],
                    xl=5,
                ),
            ]
        ),
    ]


def summary_cards(snap: data.Snapshot, table: tables.Table, lang: str) -> dbc.Row:
    rows = table.rows
    model = snap.get("decisions", {}).get("model_villages")
    under = under_registration_codes(snap)
    shown = {r.get("village_code") for r in shown_rows(snap)}
    cards = [
        ("card_villages", len(rows)),
        ("card_meets", sum(1 for r in rows if r.get("is_meets_standard"))),
        ("card_model", None if model is None else
         len([r for r in model if not snap["town"] or r.get("town_code") == snap["town"]])),
        ("card_under", None if under is None else len(under & shown)),
    ]
    if "is_insufficient_data" in snap["columns"]:
        cards.append(("card_insufficient", sum(1 for r in rows if r.get("is_insufficient_data"))))
    return dbc.Row(
        [
            dbc.Col(components.stat_card(i18n.t(key, lang), value, id_=f"{PREFIX}-{key}"),
                    xs=6, md=True)
            for key, value in cards
        ],
        className="g-3 mb-3",
    )


def _simple_table(rows: list[dict[str, Any]], columns: list[tuple[str, str, str]],
                  id_: str) -> dbc.Table:
    def cell(row: dict[str, Any], field: str, kind: str) -> str:
        value = row.get(field)
        if value is None:
            return "—"
        if kind == "prob":
            return f"{100 * value:.0f}%"
        if kind == "dec2":
            return f"{value:.2f}"
        return str(value)

    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(h, className="text-end" if k != "text" else None)
                                for _, h, k in columns])),
            html.Tbody(
                [
                    html.Tr([html.Td(cell(r, f, k), className="text-end" if k != "text" else None)
                             for f, _, k in columns])
                    for r in rows
                ]
            ),
        ],
        size="sm",
        striped=True,
        hover=True,
        className="mb-0 compact-table",
        id=id_,
    )


def model_list(snap: data.Snapshot, lang: str) -> Any:
    t = i18n.t
    decided = snap.get("decisions", {}).get("model_villages")
    town = snap["town"]
    if decided is None:
        rows = [r for r in shown_rows(snap) if r.get("is_meets_standard")]
        intro = html.P(t("model_list_fallback", lang), className="text-muted small")
    else:
        rows = [dict(r) for r in decided if not town or r.get("town_code") == town]
        for r in rows:
            low, high = r.get("rank_low"), r.get("rank_high")
            r["rank_interval"] = f"{low}–{high}" if low is not None and high is not None else None
        intro = html.P(t("model_list_intro", lang, count=len(rows)), className="text-muted small")
    if not rows:
        return [intro, components.empty_state(t("model_none", lang))]
    columns = [("village_name", t("col_village", lang), "text"),
               ("town_name", t("col_town", lang), "text"),
               ("petitions_per_1k", t("col_per_1k", lang), "dec2")]
    if "rank_median" in rows[0]:
        columns += [("rank_median", t("col_rank", lang), "text"),
                    ("rank_interval", t("col_rank_interval", lang), "text")]
    return [intro, html.Div(_simple_table(rows, columns, f"{PREFIX}-model-table"),
                            className="scroll-box")]


def under_list(snap: data.Snapshot, lang: str) -> Any:
    """Each flagged village with the numbers that raised the flag."""
    t = i18n.t
    decided = snap.get("decisions", {}).get("under_registration")
    if decided is None:
        return components.empty_state(t("under_pending", lang))
    town = snap["town"]
    rows = [r for r in decided if not town or r.get("town_code") == town]
    if not rows:
        return components.empty_state(t("under_none", lang))
    columns = [("village_name", t("col_village", lang), "text"),
               ("town_name", t("col_town", lang), "text")]
    known = {
        "above_county_petitions": (t("col_above_county", lang), "text"),
        "above_county_petitions_per_1k": (t("col_above_county_per_1k", lang), "dec2"),
        "above_county_limit": (t("col_above_county_limit", lang), "dec2"),
        "local_petitions_per_1k": (t("col_local_per_1k", lang), "dec2"),
        "county_local_petitions_per_1k": (t("col_county_local_per_1k", lang), "dec2"),
    }
    columns += [(c, *known[c]) for c in known if c in rows[0]]
    return [
        html.P(t("under_intro", lang), className="text-muted small"),
        html.Div(_simple_table(rows, columns, f"{PREFIX}-under-table"), className="scroll-box"),
    ]
