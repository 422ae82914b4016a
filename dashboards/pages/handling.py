"""办理质量: closure within a month, statutory timeliness, shelved share, leads turned into
cases, satisfaction and ceased rates, the channel mix and real-name against anonymous."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from dashboards import components, data, figures, fmt, i18n, tables
from pipelines.stats import verdicts

PATH = "/handling"
PREFIX = "hq"
# (rate, numerator, denominator) as in fct_handling_performance.
RATES = (
    ("first_time_closure_rate", "first_time_closed_within_30d", "first_time_due"),
    ("on_time_rate", "on_time", "on_time_due"),
    ("accepted_on_time_rate", "accepted_on_time", "accepted_due"),
    ("feedback_on_time_rate", "feedback_on_time", "feedback_due"),
    ("shelved_share", "shelved", "petitions"),
    ("case_conversion_rate", "cases_opened", "leads"),
    ("satisfaction_rate", "satisfaction_score", "rated"),
    ("ceased_rate", "ceased", "closed"),
    ("real_name_share", "real_name", "petitions"),
)

components.register_page(__name__, PATH, "handling", 3)


def layout(lang: str | None = None, year: str | None = None, town: str | None = None,
           **_query: Any) -> html.Div:
    return components.filters_layout(PATH, PREFIX, "handling", data.COUNTY, lang, year, town)


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


def render(snap: data.Snapshot, lang: str) -> Any:
    if snap.build is None:
        return components.no_build_alert(lang)
    stamp = components.build_stamp(snap.build, lang)
    by_year = snap["by_year"]
    row = next((r for r in by_year if r["year"] == snap["year"]), None)
    if snap["year"] is None or row is None:
        return components.no_data_year(snap, lang)
    prev = next((r for r in by_year if r["year"] == snap["year"] - 1), None)
    scope = components.scope_name(snap, lang, data.COUNTY)
    table = towns_table(snap, lang)
    return [
        stamp,
        *rate_cards(row, prev, snap["targets"], snap["parameters"]["verdict_min_items"],
                    lang),
        dbc.Row(
            [
                dbc.Col(components.section(
                    i18n.t("text.rates_trend_title", lang) + " · " + scope,
                    components.graph(f"{PREFIX}-rates", figures.rates_by_year(by_year, lang)),
                    id_=f"{PREFIX}-rates-card"), xl=4),
                dbc.Col(components.section(
                    i18n.t("text.channel_title", lang) + " · " + scope,
                    components.graph(f"{PREFIX}-channels",
                                     figures.channel_mix(snap["monthly"], snap["year"], lang)),
                    id_=f"{PREFIX}-channels-card"), xl=4),
                dbc.Col(components.section(
                    i18n.t("text.realname_title", lang) + " · " + scope,
                    components.graph(f"{PREFIX}-realname", figures.real_name_days(by_year, lang)),
                    id_=f"{PREFIX}-realname-card"), xl=4),
            ]
        ),
        components.section(
            i18n.t("text.towns_table_title", lang) + f" · {snap['year']}",
            components.grid_or_empty(table, f"{PREFIX}-grid", lang),
            id_=f"{PREFIX}-table",
        ),
    ]


def rate_cards(row: dict[str, Any], prev: dict[str, Any] | None,
               targets: dict[str, dict[str, Any]], min_items: float, lang: str) -> list[Any]:
    """One card per rate with its verdict against the seed's target (pipelines.stats.verdicts:
    red only when the exact binomial interval lies wholly on the wrong side), and the rule."""
    rule = components.verdict_rule("text.verdict_rule_target", min_items, lang)
    cards = []
    for rate, numerator, denominator in RATES:
        value = row.get(rate)
        target = targets.get(rate) or {}
        limit, direction = target.get("target_value"), target.get("direction")
        den = row.get(denominator)
        verdict = verdicts.rate_verdict(row.get(numerator), den, limit, direction, min_items)
        status = components.verdict_status(verdict, lang, "text.target_met",
                                           "text.target_missed", rule)
        lines: list[Any] = []
        if den is not None:
            lines.append(i18n.t("text.of_denominator", lang, num=fmt.count(row.get(numerator)),
                                den=fmt.integer(den)))
        if verdict.low is not None:
            lines.append(html.Span(fmt.interval(verdict.low, verdict.high, lang),
                                   className="text-muted"))
        if prev and prev.get(rate) is not None and value is not None:
            lines.append(i18n.t("text.pp_change", lang, delta=fmt.points(value - prev[rate], lang)))
        note = target.get("note_en" if lang == "en" else "note_zh")
        if limit is not None and direction in verdicts.DIRECTIONS:
            lines.append(html.Span(f"{i18n.t('text.target', lang)}{i18n.colon(lang)}"
                                   f"{fmt.bound(direction)} {fmt.pct(limit, 0)}",
                                   className="text-muted"))
        elif note:  # a monitored rate: the seed says why it has no target
            lines.append(html.Span(note, className="text-muted"))
        cards.append(
            dbc.Col(
                components.kpi_card(i18n.indicator_label(rate, lang), fmt.pct(value), lines,
                                    status, id_=f"{PREFIX}-card-{rate}"),
                xs=12, sm=6, lg=4, xxl=True,
            )
        )
    return [dbc.Row(cards, className="g-3 mb-1 row-cols-xxl-5"),
            html.P(rule, className="text-muted small mb-3", id=f"{PREFIX}-verdict-rule")]


TOWN_COLUMNS = (
    ("petitions", "int"),
    *((rate, "pct") for rate in (
        "first_time_closure_rate", "on_time_rate", "accepted_on_time_rate",
        "feedback_on_time_rate", "shelved_share", "case_conversion_rate", "satisfaction_rate",
        "ceased_rate", "real_name_share")),
    ("letters", "int"),
    ("visits", "int"),
    ("median_days_to_close_real_name", "dec1"),
    ("median_days_to_close_anonymous", "dec1"),
)


def towns_table(snap: data.Snapshot, lang: str) -> tables.Table:
    C = components.column
    columns = [C("town_name", lang, width=90, pinned=True),
               *[C(name, lang, kind) for name, kind in TOWN_COLUMNS]]
    rows = [{**r, "town_name": i18n.vocab("scope", r["scope_code"], lang)}
            if r["scope_type"] == "no_town" else r for r in snap["town_rows"]]
    return tables.Table.of(f"{i18n.t('text.towns_table_title', lang)}_{snap['year']}", columns,
                           rows)


update_content, download = components.register_report(
    PREFIX, PATH, data.COUNTY, data.handling, render, towns_table)
