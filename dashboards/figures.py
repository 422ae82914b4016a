"""Plotly figures of the dashboards: pure functions from rows to figures."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from dashboards import i18n

FONT_FAMILY = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
    '"WenQuanYi Micro Hei", sans-serif'
)
BAR_COLOR = "#b02a37"
GRAPH_CONFIG: dict[str, Any] = {
    "displayModeBar": False,
    "showLink": False,
    "showSendToCloud": False,
}


def _base_layout(height: int) -> dict[str, Any]:
    return {
        "template": "plotly_white",
        "font": {"family": FONT_FAMILY, "size": 13},
        "height": height,
        "margin": {"l": 10, "r": 20, "t": 10, "b": 30},
    }


def empty_figure(message: str, height: int = 220) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(**_base_layout(height))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(
        text=message,
        showarrow=False,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        font={"size": 15, "color": "#6c757d"},
    )
    return fig


def quarantine_by_reason(rows: list[dict[str, Any]], lang: str = "zh") -> go.Figure:
    """Horizontal bars: quarantined rows per reason, the largest on top."""
    if not rows:
        return empty_figure(i18n.t("no_quarantine", lang))
    ordered = sorted(rows, key=lambda r: r["rows"])
    labels = [i18n.reason_label(r["reason"], lang) for r in ordered]
    values = [r["rows"] for r in ordered]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker_color=BAR_COLOR,
            text=[f"{v:,}" for v in values],
            textposition="auto",
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    fig.update_layout(**_base_layout(max(160, 44 * len(rows) + 60)))
    fig.update_xaxes(title_text=i18n.t("col_rows", lang), rangemode="tozero", tickformat=",d")
    if max(values) <= 10:
        fig.update_xaxes(dtick=1)
    return fig
