"""村居排名 · 示范村居: the villages needing attention first, the ranking (median rank and 90%
interval), the five standards, a funnel plot per indicator, the model-village title's changes
(named, kept, revoked, with reasons) and the under-registration flags."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from dashboards import components, data, figures, i18n, tables
from pipelines.stats import verdicts

PATH = "/villages"
PREFIX = "vr"
DEFAULT_INDICATOR = "petitions_per_1k"

components.register_page(__name__, PATH, "villages", 1)


def layout(lang: str | None = None, year: str | None = None, town: str | None = None,
           indicator: str | None = None, **_query: Any) -> html.Div:
    lang = i18n.lang_of(lang)

    def controls(snap: data.Snapshot) -> list[Any]:
        specs = snap["specs"]
        codes = [s["indicator"] for s in specs]
        chosen = indicator if indicator in codes else (
            DEFAULT_INDICATOR if DEFAULT_INDICATOR in codes else (codes[0] if codes else None))
        return [
            components.year_control(PREFIX, snap["years"], snap["year"], lang),
            components.town_control(PREFIX, snap["towns"], snap["town"], lang, "all_towns"),
            components.control(
                i18n.t("text.filter_indicator", lang),
                components.dropdown(
                    f"{PREFIX}-indicator",
                    [{"label": spec_label(s, lang), "value": s["indicator"]} for s in specs],
                    chosen,
                ),
            ),
        ]

    return components.report_layout(
        PATH, PREFIX, "villages", lang,
        lambda: data.villages(components.as_int(year), town), controls)


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


def spec_label(spec: dict[str, Any], lang: str) -> str:
    return i18n.indicator_label(spec["indicator"], lang)


def denominator_label(column: str, lang: str) -> str:
    key = {"population": "text.den_population", "first_time_due": "text.den_first_time_due",
           "rated": "text.den_rated"}.get(column, "text.den_items")
    return i18n.t(key, lang)


def _stem(snap: data.Snapshot, lang: str) -> str:
    return components.file_stem(i18n.t("text.ranking_title", lang), snap, lang, "all_towns")


def _with_interval(row: dict[str, Any]) -> dict[str, Any]:
    low, high = row.get("rank_low"), row.get("rank_high")
    return {**row, "rank_interval": f"{low}–{high}" if low is not None and high is not None
            else None}


def shown_rows(snap: data.Snapshot) -> list[dict[str, Any]]:
    """The town's villages (or all), best rank first; unranked ones after, lowest rate first."""
    rows = [_with_interval(r) for r in snap["rows"]
            if not snap["town"] or r.get("town_code") == snap["town"]]
    return sorted(
        rows,
        key=lambda r: (
            r.get("rank_median") is None,
            r.get("rank_median") or 0,
            r.get("petitions_per_1k") or 0,
            r.get("village_code"),
        ),
    )


STANDARD_FLAGS = (
    "is_per_1k_within_standard",
    "is_repeat_within_standard",
    "is_skip_level_within_standard",
    "is_collective_within_standard",
    "is_abnormal_within_standard",
)


def ranking_table(snap: data.Snapshot, lang: str) -> tables.Table:
    C = components.column
    columns: list[tables.Column] = [
        C("village_name", lang, width=96, pinned=True),
        C("town_name", lang, width=84),
        *components.rank_columns(lang),
        *components.grouped(lang, "group.volume", [
            ("population", "int"), ("petitions", "int"), ("petitions_per_1k", "dec2"),
            ("petitions_per_1k_eb", "dec2"),
        ]),
        *components.grouped(lang, "group.standard", [
            *((flag, "flag") for flag in STANDARD_FLAGS), ("is_meets_standard", "flag"),
        ]),
        *components.grouped(lang, "group.decision", [
            ("is_model_village", "mark"), ("is_under_registration_signal", "alert"),
            ("accountability_flags", "int"), ("is_insufficient_data", "alert"),
        ]),
    ]
    return tables.Table.of(_stem(snap, lang), columns, shown_rows(snap))


def render(snap: data.Snapshot, indicator: str | None, lang: str) -> Any:
    if snap.build is None:
        return components.no_build_alert(lang)
    if snap["year"] is None or not snap["rows"]:
        return components.no_data_year(snap, lang)
    table = ranking_table(snap, lang)
    specs = {s["indicator"]: s for s in snap["specs"]}
    spec = specs.get(indicator or "") or specs.get(DEFAULT_INDICATOR) or next(iter(specs.values()))
    label = spec_label(spec, lang)
    figure_spec = {**spec, "label": label,
                   "denominator_label": denominator_label(spec["denominator"], lang)}
    funnel = figures.funnel(snap["rows"], figure_spec, lang, highlight_town=snap["town"])
    title = i18n.t("text.ranking_title", lang)
    sentences, note = ranking_summary(snap, lang)
    stamp, cards, ranking = components.ranking_head(
        snap, PREFIX, f"{title} · {components.scope_name(snap, lang, 'all_towns')}", table,
        summary_cards(snap, table, lang), lang, sentences, note)
    return [
        stamp,
        cards,
        components.section(i18n.t("text.attention_title", lang), attention_list(snap, lang),
                           id_=f"{PREFIX}-attention"),
        ranking,
        dbc.Row(
            [
                dbc.Col(
                    components.section(
                        i18n.t("text.funnel_title", lang, indicator=label),
                        [components.graph(f"{PREFIX}-funnel", funnel),
                         html.P(i18n.t("text.funnel_note", lang, x=figure_spec["denominator_label"],
                                       y=label), className="text-muted small mb-0")],
                        id_=f"{PREFIX}-funnel-card",
                    ),
                    xl=7,
                ),
                dbc.Col(
                    [
                        components.section(i18n.t("text.title_title", lang),
                                           title_changes(snap, lang), id_=f"{PREFIX}-titles"),
                        components.section(i18n.t("text.under_title", lang),
                                           under_list(snap, lang), id_=f"{PREFIX}-under"),
                    ],
                    xl=5,
                ),
            ]
        ),
    ]


def ranking_summary(snap: data.Snapshot, lang: str) -> tuple[list[str], str]:
    """The sentences under the ranking: the year's whole ranking (every town), from
    fct_village_year's is_insufficient_data and p_top_decile."""
    rows = snap["rows"]
    summary = verdicts.summarise_ranking([r.get("is_insufficient_data") for r in rows],
                                         [r.get("p_top_decile") for r in rows])
    return components.ranking_sentences("villages", summary, snap["ranking_parameters"], lang)


def _in_town(snap: data.Snapshot, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if not snap["town"] or r.get("town_code") == snap["town"]]


def summary_cards(snap: data.Snapshot, table: tables.Table, lang: str) -> dbc.Row:
    rows = table.rows
    decisions = snap["decisions"]
    titles = _in_town(snap, decisions["title_status"])
    return components.stat_cards(PREFIX, [
        ("text.card_villages", len(rows)),
        ("text.card_meets", sum(1 for r in rows if r.get("is_meets_standard"))),
        ("text.card_title_held", sum(1 for r in titles if r["is_title_held"])),
        ("text.card_revoked", sum(1 for r in titles if r["status"] == "revoked")),
        ("text.card_attention", len(_in_town(snap, decisions["attention"]))),
        ("text.card_under", len(_in_town(snap, decisions["under_registration"]))),
        ("text.card_insufficient", sum(1 for r in rows if r.get("is_insufficient_data"))),
    ], lang)


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "dec2":
        return f"{value:.2f}"
    return str(value)


def _columns_table(rows: list[dict[str, Any]], columns: list[tuple[str, str]], lang: str,
                   id_: str) -> Any:
    """Rows under the seed labels of their columns: (field, "text" | "dec2")."""
    return components.simple_table(
        [i18n.column(field, lang) for field, _ in columns],
        [[_cell(r.get(field), kind) for field, kind in columns] for r in rows],
        id_,
        numeric={j for j, (_, kind) in enumerate(columns) if kind != "text"},
    )


def _reasons(row: dict[str, Any], lang: str) -> str:
    """Why a village needs attention, in words, each reason with its evidence."""
    t = i18n.t
    out = []
    if row.get("beyond_998_indicators"):
        names = i18n.current().join([i18n.indicator_label(code, lang)
                                     for code in row["beyond_998_indicators"].split(",")], lang)
        out.append(t("text.attention_reasons_beyond", lang, indicators=names))
    if row.get("is_likely_bottom_decile"):
        out.append(t("text.attention_reasons_bottom", lang, p=f"{row['p_bottom_decile']:.0%}"))
    if row.get("accountability_flags"):
        out.append(t("text.attention_reasons_flags", lang, n=row["accountability_flags"]))
    return i18n.current().join(out, lang)


def attention_list(snap: data.Snapshot, lang: str) -> Any:
    """The villages that need attention, most reasons first, each with its reasons."""
    t = i18n.t
    rows = sorted(_in_town(snap, snap["decisions"]["attention"]),
                  key=lambda r: r["attention_order"])
    intro = html.P(t("text.attention_intro", lang,
                     threshold=f"{snap['attention_threshold']:.0%}"), className="text-muted small")
    if not rows:
        return [intro, components.empty_state(t("text.attention_none", lang))]
    shown = [{**r, "attention_reasons": _reasons(r, lang)} for r in rows]
    columns = [("village_name", "text"), ("town_name", "text"), ("petitions_per_1k", "dec2"),
               ("attention_reasons", "text")]
    return [intro, _columns_table(shown, columns, lang, f"{PREFIX}-attention-table")]


def title_changes(snap: data.Snapshot, lang: str) -> Any:
    """The title's changes of the year: who is named, who is revoked and why; holders kept."""
    t = i18n.t
    rows = _in_town(snap, snap["decisions"]["title_status"])
    counts = {status: sum(1 for r in rows if r["status"] == status)
              for status in ("named", "kept", "revoked")}
    intro = html.P(t("text.title_intro", lang, **counts), className="text-muted small")
    changed = sorted((r for r in rows if r["status"] in ("named", "revoked")),
                     key=lambda r: (r["status"] != "revoked", r.get("town_code") or "",
                                    r["village_code"]))
    if not changed:
        return [intro, components.empty_state(t("text.title_none", lang))]
    shown = [{**r, "status": i18n.vocab("title_status", r["status"], lang),
              "status_reason": i18n.vocab("title_reason", r["status_reason"], lang)}
             for r in changed]
    columns = [("village_name", "text"), ("town_name", "text"), ("status", "text"),
               ("status_reason", "text"), ("to_province_or_central", "text"),
               ("accountability_flags", "text")]
    return [intro, _columns_table(shown, columns, lang, f"{PREFIX}-title-table")]


def under_list(snap: data.Snapshot, lang: str) -> Any:
    """Each flagged village with the numbers that raised the flag."""
    rows = _in_town(snap, snap["decisions"]["under_registration"])
    if not rows:
        return components.empty_state(i18n.t("text.under_none", lang))
    columns = [("village_name", "text"), ("town_name", "text"),
               ("above_county_petitions", "text"), ("above_county_petitions_per_1k", "dec2"),
               ("above_county_limit", "dec2"), ("local_petitions_per_1k", "dec2"),
               ("county_local_petitions_per_1k", "dec2")]
    return [
        html.P(i18n.t("text.under_intro", lang), className="text-muted small"),
        _columns_table(rows, columns, lang, f"{PREFIX}-under-table"),
    ]


update_content, download = components.register_report(
    PREFIX, PATH, "all_towns", data.villages, render, ranking_table,
    extra=(("indicator", f"{PREFIX}-indicator", [DEFAULT_INDICATOR]),))
