"""总览 · 一低四控: the year's volume and four controls against last year and their targets,
monthly trends with control limits, and the county → town → village drill-down."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, ctx, html

from dashboards import components, data, figures, fmt, i18n, tables
from pipelines.stats import verdicts

PATH = "/"
PREFIX = "ov"

components.register_page(__name__, PATH, "overview", 0)


def layout(lang: str | None = None, year: str | None = None, town: str | None = None,
           **_query: Any) -> html.Div:
    return components.filters_layout(PATH, PREFIX, "overview", data.COUNTY, lang, year, town)


@callback(
    Output(f"{PREFIX}-scope", "value"),
    Input(f"{PREFIX}-drill", "clickData"),
    Input(f"{PREFIX}-back", "n_clicks"),
    prevent_initial_call=True,
)
def drill(click: dict[str, Any] | None, back: int | None) -> Any:
    """A click on a town's bar shows that town; the back button shows the county. Both
    components are re-created with the content, so only a real click counts."""
    if ctx.triggered_id == f"{PREFIX}-back":
        return data.COUNTY if back else dash.no_update
    points = (click or {}).get("points") or []
    if not points:
        return dash.no_update
    custom = points[0].get("customdata") or []
    if len(custom) >= 4 and custom[3] == "towns":
        return custom[0]
    return dash.no_update


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


def _stem(snap: data.Snapshot, lang: str) -> str:
    return components.file_stem(i18n.t("page.overview", lang), snap, lang, data.COUNTY)


def render(snap: data.Snapshot, lang: str) -> Any:
    if snap.build is None:
        return components.no_build_alert(lang)
    stamp = components.build_stamp(snap.build, lang)
    if snap["year"] is None or snap["row"] is None:
        return components.no_data_year(snap, lang)
    return [
        stamp,
        *cards(snap, lang),
        dbc.Row(
            [
                dbc.Col(components.section(i18n.t("text.trend_title", lang), trends(snap, lang),
                                           id_=f"{PREFIX}-trends"), xl=8),
                dbc.Col(
                    components.section(
                        i18n.t("text.change_title", lang),
                        [components.graph(
                            f"{PREFIX}-forest",
                            figures.rate_ratio_forest(snap["changes"], list(data.INDICATORS), lang),
                        ),
                         html.P(i18n.t("text.zero_side_note", lang),
                                className="text-muted small mb-0")],
                        id_=f"{PREFIX}-change",
                    ),
                    xl=4,
                ),
            ]
        ),
        dbc.Row(
            [
                dbc.Col(drill_section(snap, lang), xl=4),
                dbc.Col(
                    components.section(
                        i18n.t("text.drill_table_title", lang) + " · " + components.scope_name(snap, lang, data.COUNTY),
                        components.grid_or_empty(drill_table(snap, lang), f"{PREFIX}-grid", lang),
                        id_=f"{PREFIX}-table",
                    ),
                    xl=8,
                ),
            ]
        ),
    ]


def cards(snap: data.Snapshot, lang: str) -> list[Any]:
    """The five year-over-year cards and the repeat-visit share, each with its verdict
    (pipelines.stats.verdicts), and the verdict rules under them."""
    row, targets = snap["row"], snap["targets"]
    min_items = snap["parameters"]["verdict_min_items"]
    changes = {c["indicator"]: c for c in snap["changes"]}
    items = [
        indicator_card(code, row, changes.get(code), targets.get(code), min_items, lang)
        for code in data.INDICATORS
    ]
    items.append(share_card(row, targets.get("repeat_visit_share"), min_items, lang))
    rules = " ".join(components.verdict_rule(key, min_items, lang)
                     for key in ("text.verdict_rule_change", "text.verdict_rule_target"))
    return [
        dbc.Row([dbc.Col(c, xs=12, sm=6, lg=4, xxl=2) for c in items], className="g-3 mb-1"),
        html.P(rules, className="text-muted small mb-3", id=f"{PREFIX}-verdict-rule"),
    ]


def change_verdict(code: str, row: dict[str, Any], change: dict[str, Any] | None,
                   min_items: float) -> verdicts.Verdict:
    """The year-over-year verdict of one indicator: the mart's flag judged with its interval."""
    return verdicts.change_verdict(
        row.get(data.CONTROL_FLAGS[code]), (change or {}).get("is_significant_rise"),
        row.get(code), row.get(f"{code}_prev_year"), min_items)


def indicator_card(code: str, row: dict[str, Any], change: dict[str, Any] | None,
                   target: dict[str, Any] | None, min_items: float, lang: str) -> dbc.Card:
    value, prev = row.get(code), row.get(f"{code}_prev_year")
    verdict = change_verdict(code, row, change, min_items)
    met, missed = (("text.low_running", "text.not_low_running") if code == "petitions"
                   else ("text.controlled", "text.not_controlled"))
    status = components.verdict_status(
        verdict, lang, met, missed, components.verdict_rule("text.verdict_rule_change",
                                                            min_items, lang))
    if verdict.status == verdicts.UNKNOWN:
        status = (i18n.t("text.no_prev_year", lang), "secondary")
    lines: list[Any] = []
    head = []
    if prev is not None:
        head.append(f"{i18n.t('text.prev_year', lang)} {fmt.integer(prev)}")
    zero_sided = fmt.is_zero_sided(value, prev)
    if zero_sided:  # a ratio with a zero is 0 or unbounded: the counts say it plainly
        head.append(f"{i18n.t('text.change', lang)} {fmt.count_change(prev, value)}")
    elif change and change.get("change") is not None:
        head.append(f"{i18n.t('text.change', lang)} {fmt.signed_pct(change['change'])}")
    if head:
        lines.append(" · ".join(head))
    if change and change.get("rate_ratio_low") is not None:
        sig = ("text.sig_fall" if change["is_significant_fall"] else
               "text.sig_rise" if change["is_significant_rise"] else "text.not_sig")
        if not zero_sided:
            lines.append(
                html.Span(
                    f"{i18n.t('text.interval_95', lang)} {fmt.signed_pct(change['change_low'])}"
                    f" ~ {fmt.signed_pct(change['change_high'])}",
                    className="text-muted",
                )
            )
        lines.append(html.Span(i18n.t(sig, lang), className=f"sig sig-{sig.removeprefix('text.')}"))
    if target:
        note = target.get("note_en" if lang == "en" else "note_zh")
        if note:
            lines.append(html.Span(f"{i18n.t('text.target', lang)}{i18n.colon(lang)}{note}", className="text-muted"))
    unit = "" if lang == "en" else " " + i18n.t("text.items_unit", lang)
    return components.kpi_card(i18n.indicator_label(code, lang), fmt.integer(value) + unit,
                               lines, status, id_=f"{PREFIX}-card-{code}")


def share_card(row: dict[str, Any], target: dict[str, Any] | None, min_items: float,
               lang: str) -> dbc.Card:
    """The repeat-visit share against its target (seed dashboard_targets), judged with the
    exact binomial interval of repeat visits / visits."""
    target = target or {}
    limit, direction = target.get("target_value"), target.get("direction")
    verdict = verdicts.rate_verdict(row.get("repeat_visits"), row.get("visits"), limit,
                                    direction, min_items)
    status = components.verdict_status(
        verdict, lang, "text.target_met", "text.target_missed",
        components.verdict_rule("text.verdict_rule_target", min_items, lang))
    if limit is None:
        status = (i18n.t("text.no_target", lang), "secondary")
    lines: list[Any] = [
        i18n.t("text.visits_detail", lang, visits=fmt.integer(row.get("visits")),
               repeat=fmt.integer(row.get("repeat_visits"))),
    ]
    if verdict.low is not None:
        lines.append(html.Span(fmt.interval(verdict.low, verdict.high, lang),
                               className="text-muted"))
    if limit is not None and direction in verdicts.DIRECTIONS:
        lines.append(html.Span(f"{i18n.t('text.target', lang)}{i18n.colon(lang)}"
                               f"{fmt.bound(direction)} {fmt.pct(limit, 0)}",
                               className="text-muted"))
    return components.kpi_card(i18n.indicator_label("repeat_visit_share", lang),
                               fmt.pct(row.get("repeat_visit_share")), lines, status,
                               id_=f"{PREFIX}-card-repeat_visit_share")


def trends(snap: data.Snapshot, lang: str) -> list[Any]:
    monthly, year = snap["monthly"], snap["year"]
    small = []
    for code in data.INDICATORS[1:]:
        small.append(
            dbc.Col(
                [
                    html.H6(i18n.indicator_label(code, lang), className="figure-title"),
                    components.graph(f"{PREFIX}-trend-{code}",
                                     figures.monthly_trend(monthly, code, year, lang, height=250)),
                ],
                md=6,
                className="mb-2",
            )
        )
    return [
        html.H6(i18n.indicator_label("petitions", lang), className="figure-title"),
        components.graph(f"{PREFIX}-trend-petitions",
                         figures.monthly_trend(monthly, "petitions", year, lang, height=320)),
        dbc.Row(small, className="g-3 mt-1"),
        html.P(i18n.t("text.trend_note", lang), className="text-muted small mb-0 mt-2"),
    ]


def drill_section(snap: data.Snapshot, lang: str) -> dbc.Card:
    town = snap["town"]
    children = snap["children"]
    if town:
        level, title = "villages", i18n.t("text.drill_town_title", lang, town=components.scope_name(snap, lang, data.COUNTY))
        reference = snap.get("standards", {}).get("petitions_per_1k")
    else:
        level, title = "towns", i18n.t("text.drill_county_title", lang)
        reference = snap["row"]["petitions_per_1k"]  # the county's, from fct_one_low_four_controls
    towns = [c for c in children if c.get("scope_type") != "no_town"]
    figure = figures.drill_bars(towns, level=level, reference=reference, lang=lang)
    for trace in figure.data:
        trace.customdata = [list(c) + [level] for c in trace.customdata]
    head = html.Div(
        [
            html.H5(title, className="mb-0"),
            dbc.Button(i18n.t("text.drill_back", lang), id=f"{PREFIX}-back", size="sm", color="link",
                       className="p-0", style={} if town else {"display": "none"}),
        ],
        className="d-flex justify-content-between align-items-center",
    )
    hint = None if town else html.P(i18n.t("text.drill_hint", lang), className="text-muted small mb-1")
    no_town = {c["code"]: c["petitions"] for c in children if c.get("scope_type") == "no_town"}
    note = None if town else html.P(
        i18n.t("text.no_town_note", lang, county_level=f"{no_town.get('county_level', 0):,}",
               unknown_village=f"{no_town.get('unknown_village', 0):,}"),
        className="text-muted small mb-0", id=f"{PREFIX}-no-town")
    return dbc.Card(
        [dbc.CardHeader(head),
         dbc.CardBody([hint, components.graph(f"{PREFIX}-drill", figure), note])],
        className="mb-3",
        id=f"{PREFIX}-drilldown",
    )


def drill_table(snap: data.Snapshot, lang: str) -> tables.Table:
    """The towns of the county (or the villages of a town) as the drill-down shows them."""
    town = bool(snap["town"])
    name = "village_name" if town else "town_name"
    rows = []
    for r in snap["children"]:
        known = [f for f in (r.get(data.CONTROL_FLAGS[c]) for c in data.INDICATORS[1:])
                 if f is not None]
        shown = (i18n.vocab("scope", r["code"], lang) if r.get("scope_type") == "no_town"
                 else r["name"])
        rows.append({**r, name: shown,
                     "controls": f"{sum(known)}/{len(known)}" if known else None})
    fields = [
        ("population", "int"),
        ("petitions", "int"),
        *([] if town else [("petitions_prev_year", "int")]),
        ("petitions_per_1k", "dec2"),
        *((c, "int") for c in data.INDICATORS[1:]),
        *([("visits", "int"), ("is_meets_standard", "flag")] if town else
          [("repeat_visit_share", "pct"), ("is_low_running", "flag"), ("controls", "text")]),
    ]
    columns = [components.column(name, lang, width=110 if town else 100, pinned=True),
               *(components.column(field, lang, kind) for field, kind in fields)]
    return tables.Table.of(_stem(snap, lang), columns, rows)


update_content, download = components.register_report(
    PREFIX, PATH, data.COUNTY, data.overview, render, drill_table)
