"""数据质量 · 载入记录: the load ledger, quarantine by reason, rows per entity of the build."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import duckdb
from dash import Input, Output, State, callback, ctx, dcc, html

from dashboards import components, data, figures, i18n, tables
from pipelines.errors import XinfangError

PATH = "/quality"
PREFIX = "dq"

dash.register_page(
    __name__,
    path=PATH,
    name="数据质量",
    title="数据质量 · 载入记录 — 信访数据仓库",
    order=4,
    nav_key="quality_nav",
)


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
                            html.H2(i18n.t("quality_title", lang), className="page-title"),
                            html.A(
                                i18n.t("refresh", lang),
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
                    html.P(i18n.t("quality_intro", lang), className="text-muted"),
                    dcc.Store(id=f"{PREFIX}-lang", data=lang),
                    _build_banner(snap, lang),
                    _totals_row(snap, lang),
                    components.section(
                        i18n.t("checks_title", lang), _checks(snap, lang), id_="checks"
                    ),
                    components.section(
                        i18n.t("ledger_title", lang), _ledger_grid(snap, lang), id_="ledger"
                    ),
                    dbc.Row(
                        [
                            dbc.Col(
                                components.section(
                                    i18n.t("quarantine_title", lang),
                                    _quarantine(snap, lang),
                                    id_="quarantine",
                                ),
                                lg=7,
                            ),
                            dbc.Col(
                                components.section(
                                    i18n.t("entities_title", lang),
                                    _entity_table(snap, lang),
                                    id_="entities",
                                ),
                                lg=5,
                            ),
                        ]
                    ),
                    components.section(
                        i18n.t("builds_title", lang), _builds(snap, lang), id_="builds"
                    ),
                    html.P(i18n.t("audit_note", lang), className="text-muted small"),
                ],
                fluid=True,
                className="pb-4",
            ),
        ]
    )


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
    return tables.download(table, fmt, lang, i18n.t("ledger_title", lang))


def _checks(snap: data.QualitySnapshot, lang: str) -> Any:
    if snap.build_id is None:
        return components.empty_state(i18n.t("no_build", lang), id_="checks-empty")
    if not snap.checks:
        return components.empty_state(i18n.t("no_checks", lang), id_="checks-empty")
    failed = [c for c in snap.checks if c["status"] == "fail"]
    warned = [c for c in failed if c["severity"] == "warn"]
    summary = i18n.t(
        "checks_summary",
        lang,
        total=len(snap.checks),
        passed=len(snap.checks) - len(failed),
        failed=len(failed),
        warned=len(warned),
    )
    rows = [
        {
            **c,
            "status_text": i18n.t(f"status_{c['status']}", lang)
            if c["status"] in ("pass", "fail")
            else c["status"],
            "severity_text": i18n.t(f"severity_{c['severity']}", lang)
            if c["severity"] in ("error", "warn")
            else c["severity"],
        }
        for c in snap.checks
    ]
    C = tables.Column
    table = tables.Table.of(
        "checks",
        [
            C("status_text", i18n.t("col_status", lang), width=80),
            C("severity_text", i18n.t("col_severity", lang), width=80),
            C("table_name", i18n.t("col_table", lang), width=160),
            C("check_name", i18n.t("col_check", lang), width=320, tooltip_field="check_name"),
            C("observed", i18n.t("col_observed", lang), width=90),
            C("detail", i18n.t("col_detail", lang), width=160),
        ],
        rows,
    )
    color = "success" if not failed else ("warning" if len(warned) == len(failed) else "danger")
    return [
        dbc.Alert(summary, color=color, className="py-2", id="checks-summary"),
        tables.grid(table, "checks-grid", lang, max_auto_rows=8, height=320),
    ]


def _builds(snap: data.QualitySnapshot, lang: str) -> Any:
    if not snap.builds:
        return components.empty_state(i18n.t("no_builds", lang), id_="builds-empty")
    labels = {"published": i18n.t("build_published", lang), "failed": i18n.t("build_failed", lang)}
    rows = [{**b, "status_text": labels.get(b["status"], b["status"])} for b in snap.builds]
    C = tables.Column
    table = tables.Table.of(
        "builds",
        [
            C("build_id", i18n.t("col_build", lang), width=190),
            C("status_text", i18n.t("col_status", lang), width=80),
            C("as_of", i18n.t("as_of", lang), width=110),
            C("started_at", i18n.t("col_started", lang), width=170),
            C("finished_at", i18n.t("col_finished", lang), width=170),
            C("failed_check", i18n.t("col_failed_check", lang), width=200),
        ],
        rows,
    )
    return tables.grid(table, "builds-grid", lang, max_auto_rows=10, height=320)


def ledger_table(snap: data.QualitySnapshot, lang: str) -> tables.Table:
    rows = [
        {
            "file_name": PurePath(r["file_name"] or "").name,
            "entity": i18n.entity_label(r["entity"], lang),
            "rows_read": r["rows_read"],
            "rows_loaded": r["rows_loaded"],
            "rows_quarantined": r["rows_quarantined"],
            "status": i18n.status_label(r["status"], lang),
            "loaded_at": r["loaded_at"],
            "message": r["message"] or "",
            "sha": r["file_sha256"] or "",
        }
        for r in snap.ledger
    ]
    C = tables.Column
    return tables.Table.of(
        "ledger",
        [
            C("file_name", i18n.t("col_file_name", lang)),
            C("entity", i18n.t("col_entity", lang)),
            C("rows_read", i18n.t("rows_read", lang), "int"),
            C("rows_loaded", i18n.t("rows_loaded", lang), "int"),
            C("rows_quarantined", i18n.t("rows_quarantined", lang), "int"),
            C("status", i18n.t("col_status", lang)),
            C("loaded_at", i18n.t("col_loaded_at", lang)),
            C("message", i18n.t("col_message", lang)),
            C("sha", i18n.t("col_sha", lang)),
        ],
        rows,
    )


def _build_banner(snap: data.QualitySnapshot, lang: str) -> Any:
    if snap.build_id is None:
        return dbc.Alert(i18n.t("no_build", lang), color="warning", id="build-info")
    info = snap.build_info or {}
    items = [
        (i18n.t("published_build", lang), html.Span(snap.build_id, className="build-id")),
        (i18n.t("as_of", lang), info.get("as_of") or "—"),
        (i18n.t("built_at", lang), info.get("built_at") or "—"),
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
    keys = ["files", "rows_read", "rows_loaded", "rows_quarantined", "files_refused"]
    return dbc.Row(
        [dbc.Col(components.stat_card(i18n.t(k, lang), totals[k], id_=f"total-{k}")) for k in keys],
        className="g-3 mb-3",
    )


def _ledger_grid(snap: data.QualitySnapshot, lang: str) -> Any:
    if not snap.ledger:
        return components.empty_state(i18n.t("no_ledger", lang), id_="ledger-empty")
    rows = [
        {
            "file_name": PurePath(r["file_name"] or "").name,
            "file_path": r["file_name"],
            "entity": i18n.entity_label(r["entity"], lang),
            "rows_read": r["rows_read"],
            "rows_loaded": r["rows_loaded"],
            "rows_quarantined": r["rows_quarantined"],
            "status": i18n.status_label(r["status"], lang),
            "balanced": {True: "✓", False: "✗"}.get(r["is_balanced"], ""),
            "loaded_at": r["loaded_at"],
            "message": r["message"] or "",
            "sha": (r["file_sha256"] or "")[:12],
        }
        for r in snap.ledger
    ]
    number = {
        "type": "rightAligned",
        "minWidth": 110,
        "valueFormatter": {
            "function": "params.value == null ? '' : Number(params.value).toLocaleString('en-US')"
        },
    }
    columns = [
        {
            "field": "file_name",
            "headerName": i18n.t("col_file_name", lang),
            "tooltipField": "file_path",
            "minWidth": 180,
        },
        {"field": "entity", "headerName": i18n.t("col_entity", lang), "minWidth": 100},
        {"field": "rows_read", "headerName": i18n.t("rows_read", lang), **number},
        {"field": "rows_loaded", "headerName": i18n.t("rows_loaded", lang), **number},
        {"field": "rows_quarantined", "headerName": i18n.t("rows_quarantined", lang), **number},
        {"field": "status", "headerName": i18n.t("col_status", lang), "minWidth": 110},
        {"field": "balanced", "headerName": i18n.t("col_balanced", lang), "minWidth": 110},
        {"field": "loaded_at", "headerName": i18n.t("col_loaded_at", lang), "minWidth": 170},
        {"field": "message", "headerName": i18n.t("col_message", lang), "minWidth": 200},
        {"field": "sha", "headerName": i18n.t("col_sha", lang), "minWidth": 140},
    ]
    return dag.AgGrid(
        id="ledger-grid",
        rowData=rows,
        columnDefs=columns,
        defaultColDef={
            "sortable": True,
            "filter": True,
            "resizable": True,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        columnSize="responsiveSizeToFit",
        dashGridOptions={"domLayout": "autoHeight" if len(rows) <= 15 else "normal"},
        style={"height": None if len(rows) <= 15 else "480px"},
    )


def _quarantine(snap: data.QualitySnapshot, lang: str) -> Any:
    if not snap.quarantine_by_reason:
        return components.empty_state(i18n.t("no_quarantine", lang), id_="quarantine-empty")
    table = dbc.Table(
        [
            html.Thead(
                html.Tr(
                    [
                        html.Th(i18n.t("col_reason", lang)),
                        html.Th(i18n.t("col_rows", lang), className="text-end"),
                        html.Th(i18n.t("col_files", lang), className="text-end"),
                    ]
                )
            ),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(i18n.reason_label(r["reason"], lang)),
                            html.Td(f"{r['rows']:,}", className="text-end"),
                            html.Td(f"{r['files']:,}", className="text-end"),
                        ]
                    )
                    for r in snap.quarantine_by_reason
                ]
            ),
        ],
        size="sm",
        striped=True,
        className="mb-2",
        id="quarantine-table",
    )
    graph = dcc.Graph(
        id="quarantine-chart",
        figure=figures.quarantine_by_reason(snap.quarantine_by_reason, lang),
        config=figures.GRAPH_CONFIG,
    )
    return [graph, table]


def _entity_table(snap: data.QualitySnapshot, lang: str) -> Any:
    if snap.build_id is None:
        return components.empty_state(i18n.t("no_build", lang), id_="entities-empty")
    if not snap.entity_counts:
        return components.empty_state(i18n.t("no_models", lang), id_="entities-empty")
    return dbc.Table(
        [
            html.Thead(
                html.Tr(
                    [
                        html.Th(i18n.t("col_entity", lang)),
                        html.Th(i18n.t("col_model", lang)),
                        html.Th(i18n.t("col_rows", lang), className="text-end"),
                    ]
                )
            ),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(i18n.entity_label(r["entity"], lang)),
                            html.Td(html.Code(r["model"])),
                            html.Td(f"{r['rows']:,}", className="text-end"),
                        ]
                    )
                    for r in snap.entity_counts
                ]
            ),
        ],
        size="sm",
        striped=True,
        id="entity-table",
    )
