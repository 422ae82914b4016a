"""数据质量 · 载入记录: the load ledger, quarantine by reason, rows per entity of the build."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboards import components, data, figures, i18n

PATH = "/"

dash.register_page(
    __name__,
    path=PATH,
    name="数据质量",
    title="数据质量 · 载入记录 — 信访数据仓库",
    order=0,
    nav_key="quality_nav",
)


def layout(lang: str | None = None, **_query: Any) -> html.Div:
    lang = i18n.lang_of(lang)
    snap = data.quality_snapshot()
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
                        ],
                        className="d-flex align-items-center mb-1",
                    ),
                    html.P(i18n.t("quality_intro", lang), className="text-muted"),
                    _build_banner(snap, lang),
                    _totals_row(snap, lang),
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
                    html.P(i18n.t("audit_note", lang), className="text-muted small"),
                ],
                fluid=True,
            ),
        ]
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
                dbc.Col([html.Span(f"{label}：", className="text-muted"), value], md="auto")
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
