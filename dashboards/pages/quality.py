"""数据质量 · 载入记录: the load ledger, quarantine by reason, rows per entity of the build."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import dash
import dash_bootstrap_components as dbc
import duckdb
from dash import Input, Output, State, callback, ctx, dcc, html

from dashboards import components, data, figures, i18n, tables
from pipelines.errors import XinfangError

PATH = "/quality"
PREFIX = "dq"

components.register_page(__name__, PATH, "quality", 4)


def layout(lang: str | None = None, **_query: Any) -> html.Div:
    lang = i18n.lang_of(lang)
    try:
        snap = data.quality_snapshot()
    except (XinfangError, duckdb.Error) as exc:  # an unreadable pointer or audit file
        return html.Div(
            [
                components.navbar(PATH, lang),
                dbc.Container(components.error_alert(str(exc), lang), fluid=True),
            ]
        )
    return html.Div(
        [
            components.navbar(PATH, lang),
            dbc.Container(
                [
                    html.Div(
                        [
                            html.H2(i18n.t("page.quality", lang), className="page-title"),
                            html.A(
                                i18n.t("text.refresh", lang),
                                href=components.with_lang(PATH, lang),
                                className="btn btn-outline-secondary btn-sm ms-3",
                            ),
                            html.Div(
                                components.download_controls(PREFIX, lang).children,
                                className="ms-auto",
                            ),
                        ],
                        className="d-flex align-items-center mb-1",
                    ),
                    html.P(i18n.t("intro.quality", lang), className="text-muted"),
                    dcc.Store(id=f"{PREFIX}-lang", data=lang),
                    _build_banner(snap, lang),
                    _totals_row(snap, lang),
                    _section("checks", _checks(snap, lang), lang),
                    _section("ledger", _ledger_grid(snap, lang), lang),
                    dbc.Row(
                        [
                            dbc.Col(_section("quarantine", _quarantine(snap, lang), lang), lg=7),
                            dbc.Col(_section("entities", _entity_table(snap, lang), lang), lg=5),
                        ]
                    ),
                    _section("builds", _builds(snap, lang), lang),
                    html.P(i18n.t("text.audit_note", lang), className="text-muted small"),
                ],
                fluid=True,
                className="pb-4",
            ),
        ]
    )


def _section(name: str, children: Any, lang: str) -> dbc.Card:
    """A titled part of the page (`text.<name>_title`), its id the name."""
    return components.section(i18n.t(f"text.{name}_title", lang), children, id_=name)


@callback(
    Output(f"{PREFIX}-download", "data"),
    Input(f"{PREFIX}-csv", "n_clicks"),
    Input(f"{PREFIX}-xlsx", "n_clicks"),
    State(f"{PREFIX}-lang", "data"),
    prevent_initial_call=True,
)
def download(_csv: int | None, _xlsx: int | None, lang: str | None) -> Any:
    """The load ledger as CSV or XLSX."""
    lang = i18n.lang_of(lang)
    fmt = "csv" if ctx.triggered_id == f"{PREFIX}-csv" else "xlsx"
    if not (_csv if fmt == "csv" else _xlsx):
        return dash.no_update
    table = ledger_table(data.quality_snapshot(), lang)
    return tables.download(table, fmt, lang, i18n.t("text.ledger_title", lang))


def _checks(snap: data.QualitySnapshot, lang: str) -> Any:
    if snap.build_id is None:
        return components.empty_state(i18n.t("text.no_data_page", lang), id_="checks-empty")
    if not snap.checks:
        return components.empty_state(i18n.t("text.no_checks", lang), id_="checks-empty")
    failed = [c for c in snap.checks if c["status"] == "fail"]
    warned = [c for c in failed if c["severity"] == "warn"]
    summary = i18n.t(
        "text.checks_summary",
        lang,
        total=len(snap.checks),
        passed=len(snap.checks) - len(failed),
        warned=len(warned),
        errors=len(failed) - len(warned),
    )
    # a check's level is shown only where it failed: a passing check is just 通过
    rows = [{**c, "status": i18n.vocab("check_status", c["status"], lang),
             "severity": i18n.vocab("check_severity", c["severity"], lang)
             if c["status"] == "fail" else ""} for c in snap.checks]
    color = "success" if not failed else ("warning" if len(warned) == len(failed) else "danger")
    return [
        dbc.Alert(summary, color=color, className="py-2", id="checks-summary"),
        _text_grid("checks", rows, (("status", 80), ("severity", 80), ("table_name", 160),
                                    ("check_name", 320), ("observed", 90), ("detail", 160)),
                   lang, max_auto_rows=8),
    ]


def _text_grid(name: str, rows: list[dict[str, Any]], widths: tuple[tuple[str, int], ...],
               lang: str, max_auto_rows: int) -> Any:
    """A grid of text columns (field, minimum width); long check names show in a tooltip."""
    columns = [components.column(field, lang, width=width,
                                 tooltip_field=field if field == "check_name" else None)
               for field, width in widths]
    return tables.grid(tables.Table.of(name, columns, rows), f"{name}-grid", lang,
                       max_auto_rows=max_auto_rows, height=320)


def _builds(snap: data.QualitySnapshot, lang: str) -> Any:
    if not snap.builds:
        return components.empty_state(i18n.t("text.no_builds", lang), id_="builds-empty")
    rows = [{**b, "status": i18n.vocab("build_status", b["status"], lang)} for b in snap.builds]
    return _text_grid("builds", rows, (("build_id", 190), ("status", 80), ("as_of", 110),
                                       ("started_at", 170), ("finished_at", 170),
                                       ("failed_check", 200)), lang, max_auto_rows=10)


def ledger_table(snap: data.QualitySnapshot, lang: str) -> tables.Table:
    """The load ledger as the page shows it and downloads it."""
    rows = [
        {
            **r,
            "file_name": PurePath(r["file_name"] or "").name,
            "file_path": r["file_name"],
            "entity": i18n.vocab("entity", r["entity"], lang),
            "status": i18n.vocab("ledger_status", r["status"], lang),
            "message": r["message"] or "",
            "file_sha256": r["file_sha256"] or "",
        }
        for r in snap.ledger
    ]
    C = components.column
    return tables.Table.of(
        "ledger",
        [
            C("file_name", lang, width=180, tooltip_field="file_path"),
            C("entity", lang, width=100),
            C("rows_read", lang, "int"),
            C("rows_loaded", lang, "int"),
            C("rows_quarantined", lang, "int"),
            C("status", lang, width=110),
            C("is_balanced", lang, "flag"),
            C("loaded_at", lang, width=170),
            C("message", lang, width=200),
            C("file_sha256", lang, width=140),
        ],
        rows,
    )


def _build_banner(snap: data.QualitySnapshot, lang: str) -> Any:
    if snap.build_id is None:
        return dbc.Alert(i18n.t("text.no_data_page", lang), color="warning", id="build-info")
    info = snap.build_info or {}
    items = [
        (i18n.t("text.published_build", lang), html.Span(snap.build_id, className="build-id")),
        (i18n.t("column.as_of", lang), info.get("as_of") or "—"),
        (i18n.t("column.built_at", lang), info.get("built_at") or "—"),
    ]
    return dbc.Alert(
        dbc.Row(
            [
                dbc.Col([html.Span(f"{label}{i18n.colon(lang)}", className="text-muted"), value], md="auto")
                for label, value in items
            ],
            className="g-4",
        ),
        color="light",
        className="border",
        id="build-info",
    )


def _totals_row(snap: data.QualitySnapshot, lang: str) -> dbc.Row:
    totals = snap.totals
    labels = {"files": i18n.t("text.files", lang), "files_refused": i18n.t("text.files_refused", lang)}
    return dbc.Row(
        [dbc.Col(components.stat_card(labels.get(k) or i18n.column(k, lang), v, id_=f"total-{k}"))
         for k, v in totals.items()],
        className="g-3 mb-3",
    )


def _ledger_grid(snap: data.QualitySnapshot, lang: str) -> Any:
    if not snap.ledger:
        return components.empty_state(i18n.t("text.no_ledger", lang), id_="ledger-empty")
    return tables.grid(ledger_table(snap, lang), "ledger-grid", lang, height=480)


def _quarantine(snap: data.QualitySnapshot, lang: str) -> Any:
    if not snap.quarantine_by_reason:
        return components.empty_state(i18n.t("text.no_quarantine", lang), id_="quarantine-empty")
    table = components.simple_table(
        [i18n.column(c, lang) for c in ("reason", "rows", "files")],
        [[i18n.vocab("quarantine_reason", r["reason"], lang), f"{r['rows']:,}", f"{r['files']:,}"]
         for r in snap.quarantine_by_reason],
        "quarantine-table",
        numeric={1, 2},
    )
    graph = dcc.Graph(
        id="quarantine-chart",
        figure=figures.quarantine_by_reason(snap.quarantine_by_reason, lang),
        config=figures.GRAPH_CONFIG,
    )
    return [graph, table]


def _entity_table(snap: data.QualitySnapshot, lang: str) -> Any:
    if snap.build_id is None:
        return components.empty_state(i18n.t("text.no_data_page", lang), id_="entities-empty")
    if not snap.entity_counts:
        return components.empty_state(i18n.t("text.no_models", lang), id_="entities-empty")
    return components.simple_table(
        [i18n.column(c, lang) for c in ("entity", "model", "rows")],
        [[i18n.vocab("entity", r["entity"], lang), html.Code(r["model"]), f"{r['rows']:,}"]
         for r in snap.entity_counts],
        "entity-table",
        numeric={2},
    )
