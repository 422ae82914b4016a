"""干部考评: the cadre ranking with intervals, advanced-individual candidates and
accountability flags with the counts behind them. Cadres are shown by name and unit; no
petitioner or reported person is identified anywhere."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from dashboards import components, data, figures, fmt, i18n, selection, tables
from pipelines.stats import verdicts

PATH = "/cadres"
PREFIX = "cd"
RANK_CHART_LIMIT = 30
components.register_page(__name__, PATH, "cadres", 2)


def layout(lang: str | None = None, year: str | None = None, town: str | None = None,
           **_query: Any) -> html.Div:
    return components.filters_layout(PATH, PREFIX, "cadres", "all_cadres", lang, year, town)


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


def _stem(snap: data.Snapshot, lang: str) -> str:
    return components.file_stem(i18n.t("text.cadre_ranking_title", lang), snap, lang, "all_cadres")


def _interval(row: dict[str, Any]) -> str | None:
    low, high = row.get("rank_low"), row.get("rank_high")
    return f"{low}–{high}" if low is not None and high is not None else None


def shown_rows(snap: data.Snapshot) -> list[dict[str, Any]]:
    rows = [{**r, "rank_interval": _interval(r)} for r in snap["rows"]]
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
    C = components.column
    columns: list[tables.Column] = [
        C("cadre_name", lang, width=80, pinned=True),
        C("unit_name", lang, width=150),
        C("post", lang, width=110),
        *components.rank_columns(lang),
        *components.grouped(lang, "group.handling", [
            ("cases_assigned", "int"), ("cases_as_lead", "int"), ("cases_as_responsible", "int"),
            ("closed", "int"), ("on_time_rate", "pct"), ("ceased_rate", "pct"),
            ("satisfaction_rate", "pct"), ("repeats_after_close", "int"), ("escalations", "int"),
        ]),
        *components.grouped(lang, "group.decision", [
            ("is_advanced_candidate", "mark"), ("accountability_flags", "int"),
            ("is_insufficient_data", "alert"),
        ]),
    ]
    return tables.Table.of(_stem(snap, lang), columns, shown_rows(snap))


def render(snap: data.Snapshot, lang: str) -> Any:
    if snap.build is None:
        return components.no_build_alert(lang)
    if snap["year"] is None:
        return components.no_data_year(snap, lang)
    table = ranking_table(snap, lang)
    chart = figures.rank_intervals(shown_rows(snap), "cadre_name", lang, limit=RANK_CHART_LIMIT)
    decisions = snap["decisions"]
    title = i18n.t("text.cadre_ranking_title", lang)
    sentences, note = ranking_summary(snap, lang)
    return [
        *components.ranking_head(
            snap, PREFIX, f"{title} · {components.scope_name(snap, lang, 'all_cadres')}", table,
            summary_cards(snap, table, lang), lang, sentences, note),
        dbc.Row(
            [
                dbc.Col(components.section(
                    i18n.t("text.rank_chart_title", lang, n=RANK_CHART_LIMIT),
                    [components.graph(f"{PREFIX}-chart", chart),
                     html.P(i18n.t("text.rank_note", lang), className="text-muted small mb-0")],
                    id_=f"{PREFIX}-chart-card"), xl=6),
                dbc.Col(
                    [
                        components.section(
                            i18n.t("text.candidates_title", lang),
                            candidates_list(decisions["cadre_candidates"], lang),
                            id_=f"{PREFIX}-candidates",
                        ),
                        components.section(
                            i18n.t("text.flags_title", lang),
                            flags_list(decisions["accountability"], lang),
                            id_=f"{PREFIX}-flags",
                        ),
                        components.section(
                            i18n.t("text.escalations_title", lang),
                            escalations_list(snap["escalations"], lang),
                            id_=f"{PREFIX}-escalations",
                        ),
                    ],
                    xl=6,
                ),
            ]
        ),
        selection.section(snap["selection"], lang),
    ]


def ranking_summary(snap: data.Snapshot, lang: str) -> tuple[list[str], str]:
    """The sentences under the ranking: the year's whole ranking (every town, whatever the
    filter), from fct_cadre_year's is_insufficient_data and p_top_decile, with the candidate
    threshold of seed candidate_eligibility (min_p_top_decile)."""
    rows = snap["ranking"]
    threshold = snap["eligibility"]["min_p_top_decile"]
    summary = verdicts.summarise_ranking([r.get("is_insufficient_data") for r in rows],
                                         [r.get("p_top_decile") for r in rows], threshold)
    return components.ranking_sentences("cadres", summary, snap["ranking_parameters"], lang,
                                        threshold)


def summary_cards(snap: data.Snapshot, table: tables.Table, lang: str) -> dbc.Row:
    decisions = snap["decisions"]
    return components.stat_cards(PREFIX, [
        ("text.card_cadres", len(table.rows)),
        ("text.card_candidates", len(decisions["cadre_candidates"])),
        ("text.card_flags", len(decisions["accountability"])),
        ("text.card_insufficient", sum(1 for r in snap["rows"] if r.get("is_insufficient_data"))),
    ], lang)


def _number(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _heads(fields: tuple[str, ...], lang: str) -> list[str]:
    return [i18n.column(field, lang) for field in fields]


def candidates_list(rows: list[dict[str, Any]], lang: str) -> Any:
    """The advanced-individual candidates with the numbers behind each."""
    if not rows:
        return components.empty_state(i18n.t("text.candidates_none", lang))
    rows = sorted(rows, key=lambda r: r.get("candidate_order") or 0)
    head = _heads(("candidate_order", "cadre_name", "unit_name", "cases_assigned",
                   "p_top_decile", "rank_median", "rank_interval", "on_time_rate",
                   "satisfaction_rate"), lang)
    body = [
        [
            str(r.get("candidate_order") or i + 1),
            r.get("cadre_name") or "—",
            r.get("unit_name") or "—",
            _number(r.get("cases_assigned")),
            fmt.pct(r.get("p_top_decile"), 0),
            _number(r.get("rank_median")),
            _interval(r) or "—",
            fmt.pct(r.get("on_time_rate")),
            fmt.pct(r.get("satisfaction_rate")),
        ]
        for i, r in enumerate(rows)
    ]
    return components.simple_table(head, body, f"{PREFIX}-candidates-table")


def flags_list(rows: list[dict[str, Any]], lang: str) -> Any:
    """Accountability flags: who, which indicator, for how many years, and the counts."""
    if not rows:
        return components.empty_state(i18n.t("text.flags_none", lang))
    head = _heads(("cadre_name", "unit_name", "indicator", "years_beyond", "counts_this_year",
                   "value_limit", "counts_prev_year"), lang)
    body = [
        [
            r.get("cadre_name") or "—",
            r.get("unit_name") or "—",
            i18n.indicator_label(r.get("indicator") or "", lang),
            _number(r.get("years_beyond")),
            f"{_number(r.get('observed'))} / {_number(r.get('denominator'))}",
            f"{fmt.decimal(r.get('value'))} / {fmt.decimal(r.get('limit_998'))}",
            f"{_number(r.get('observed_prev_year'))} / {_number(r.get('denominator_prev_year'))}",
        ]
        for r in sorted(rows, key=lambda r: (r.get("cadre_name") or "", r.get("indicator") or ""))
    ]
    return components.simple_table(head, body, f"{PREFIX}-flags-table")


def escalations_list(rows: list[dict[str, Any]], lang: str) -> Any:
    """对号问责: each item to the province or Beijing in a sensitive period, with the cadres
    it names (its lead and its responsible cadre) and the item as the evidence."""
    intro = html.P(i18n.t("text.escalations_intro", lang), className="text-muted small")
    if not rows:
        return [intro, components.empty_state(i18n.t("text.escalations_none", lang))]

    def who(name: str | None, unit: str | None) -> str:
        return f"{name}（{unit}）" if name and unit else (name or "—")

    head = _heads(("case_id", "received_date", "village_name", "town_name", "subject_code",
                   "lead_cadre_id", "responsible_cadre_id"), lang)
    body = [
        [
            r["case_id"],
            str(r["received_date"]),
            r.get("village_name") or "—",
            r.get("town_name") or "—",
            i18n.vocab("subject_code", r.get("subject_code"), lang),
            who(r.get("lead_cadre_name"), r.get("lead_unit_name")),
            who(r.get("responsible_cadre_name"), r.get("responsible_unit_name")),
        ]
        for r in rows
    ]
    return [intro, components.simple_table(head, body, f"{PREFIX}-escalations-table")]


update_content, download = components.register_report(
    PREFIX, PATH, "all_cadres", data.cadres, render, ranking_table)
