"""Plotly figures of the dashboards: pure functions from rows to figures."""

from __future__ import annotations

import calendar
import math
from datetime import date
from typing import Any

import plotly.graph_objects as go

from dashboards import fmt, i18n
from pipelines.stats.control_charts import control_limits

FONT_FAMILY = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
    '"WenQuanYi Micro Hei", sans-serif'
)
BAR_COLOR = "#b02a37"
SERIES_COLOR = "#1f4e79"
SECOND_COLOR = "#d9822b"
SIGNAL_COLOR = "#c0392b"
GOOD_COLOR = "#2e7d4f"
MUTED_COLOR = "#8a939b"
LIMIT_COLOR = "#7f8c99"
YEAR_BAND = "rgba(255, 193, 7, 0.14)"
LEGEND_TOP = {
    "orientation": "h",
    "yanchor": "bottom",
    "y": 1.02,
    "xanchor": "left",
    "x": 0,
    "bgcolor": "rgba(0,0,0,0)",
}
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
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "separators": ".,",
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
        return empty_figure(i18n.t("text.no_quarantine", lang))
    ordered = sorted(rows, key=lambda r: r["rows"])
    labels = [i18n.vocab("quarantine_reason", r["reason"], lang) for r in ordered]
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
    fig.update_xaxes(title_text=i18n.t("column.rows", lang), rangemode="tozero", tickformat=",d")
    if max(values) <= 10:
        fig.update_xaxes(dtick=1)
    return fig



# ---------------------------------------------------------------------------------------------
# 总览 · 一低四控
# ---------------------------------------------------------------------------------------------


def _month_exposures(rows: list[dict[str, Any]]) -> list[float]:
    """Days in the month × residents that year, scaled to average 1 (u-chart exposures)."""
    raw = []
    for r in rows:
        month = date.fromisoformat(str(r["month_start"])[:10])
        days = calendar.monthrange(month.year, month.month)[1]
        raw.append(days * float(r.get("population") or 1.0))
    mean = sum(raw) / len(raw)
    return [x / mean for x in raw]


def monthly_trend(
    rows: list[dict[str, Any]],
    indicator: str,
    year: int | None,
    lang: str = "zh",
    height: int = 300,
) -> go.Figure:
    """Monthly counts with u-chart (or Laney u′) limits drawn on the count scale."""
    if not rows:
        return empty_figure(i18n.t("text.no_rows", lang), height)
    months = [str(r["month_start"])[:10] for r in rows]
    counts = [int(r[indicator] or 0) for r in rows]
    exposures = _month_exposures(rows)
    lim = control_limits(counts, exposures)
    centre = [lim.centre * n for n in exposures]
    upper = [u * n for u, n in zip(lim.upper, exposures, strict=True)]
    lower = [lo * n for lo, n in zip(lim.lower, exposures, strict=True)]
    method = i18n.t("text.method_laney" if lim.method == "laney" else "text.method_u", lang)
    unit = i18n.t("text.items_unit", lang)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=months + months[::-1],
            y=upper + lower[::-1],
            fill="toself",
            fillcolor="rgba(127, 140, 153, 0.12)",
            line={"width": 0},
            hoverinfo="skip",
            name=i18n.t("text.series_limits", lang, method=method),
        )
    )
    for values in (upper, lower):
        fig.add_trace(
            go.Scatter(
                x=months,
                y=values,
                mode="lines",
                line={"color": LIMIT_COLOR, "width": 1, "dash": "dot", "shape": "hvh"},
                hovertemplate="%{y:.1f}<extra>" + i18n.t("text.series_limits", lang, method=method)
                + "</extra>",
                showlegend=False,
            )
        )
    fig.add_trace(
        go.Scatter(
            x=months,
            y=centre,
            mode="lines",
            line={"color": MUTED_COLOR, "width": 1.2, "dash": "dash"},
            name=i18n.t("text.series_centre", lang),
            hovertemplate="%{y:.1f}<extra>" + i18n.t("text.series_centre", lang) + "</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=months,
            y=counts,
            mode="lines+markers",
            line={"color": SERIES_COLOR, "width": 2},
            marker={"size": 5},
            name=i18n.t("text.series_monthly", lang),
            hovertemplate="%{x|%Y-%m}：%{y:,} " + unit + "<extra></extra>",
        )
    )
    flagged = [i for i, out in enumerate(lim.outside) if out]
    if flagged:
        fig.add_trace(
            go.Scatter(
                x=[months[i] for i in flagged],
                y=[counts[i] for i in flagged],
                mode="markers",
                marker={"color": SIGNAL_COLOR, "size": 10, "symbol": "circle-open", "line": {"width": 2.5}},
                name=i18n.t("text.series_signal", lang),
                hovertemplate="%{x|%Y-%m}：%{y:,} " + unit + "<extra>"
                + i18n.t("text.series_signal", lang) + "</extra>",
            )
        )
    if year is not None:
        fig.add_vrect(
            x0=f"{year}-01-01", x1=f"{year}-12-31", fillcolor=YEAR_BAND, line_width=0, layer="below"
        )
    fig.update_layout(**_base_layout(height))
    fig.update_layout(legend=LEGEND_TOP, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    fig.update_xaxes(title_text=i18n.t("text.month_axis", lang), tickformat="%Y-%m",
                     dtick="M3" if height >= 300 else "M6", tickangle=0)
    fig.update_yaxes(title_text=i18n.t("text.items_axis", lang), rangemode="tozero")
    if max(counts + [0]) <= 8:
        fig.update_yaxes(dtick=1 if max(upper + [0]) <= 8 else None)
    return fig


def rate_ratio_forest(changes: list[dict[str, Any]], order: list[str], lang: str = "zh") -> go.Figure:
    """Each indicator's rate ratio (this year ÷ last) with its 95% interval, on a log axis.
    A change with zero on one side has a ratio of 0 or none and an interval reaching 0 or
    infinity: it is drawn as its counts ("6 → 0") at 1, with no marker and no interval."""
    rows = [r for code in order for r in changes if r["indicator"] == code]
    rows = [r for r in rows if r.get("count_prev_year") is not None
            and (r.get("rate_ratio_low") is not None
                 or fmt.is_zero_sided(r.get("count"), r["count_prev_year"]))]
    if not rows:
        return empty_figure(i18n.t("text.no_prev_year", lang), 260)
    rows = rows[::-1]
    labels = [i18n.indicator_label(r["indicator"], lang) for r in rows]
    zero = [fmt.is_zero_sided(r.get("count"), r["count_prev_year"]) for r in rows]
    ratio_rows = [r for r, z in zip(rows, zero, strict=True) if not z]
    ratio_labels = [label for label, z in zip(labels, zero, strict=True) if not z]
    fig = go.Figure()
    lows = [r["rate_ratio_low"] for r in ratio_rows]
    highs = [r["rate_ratio_high"] for r in ratio_rows]
    colors = [
        GOOD_COLOR if r["is_significant_fall"] else SIGNAL_COLOR if r["is_significant_rise"]
        else MUTED_COLOR
        for r in ratio_rows
    ]
    for label, lo, hi, color in zip(ratio_labels, lows, highs, colors, strict=True):
        fig.add_trace(
            go.Scatter(
                x=[lo, hi], y=[label, label], mode="lines", line={"color": color, "width": 3},
                hoverinfo="skip", showlegend=False,
            )
        )
    if ratio_rows:
        fig.add_trace(
            go.Scatter(
                x=[r["rate_ratio"] for r in ratio_rows],
                y=ratio_labels,
                mode="markers+text",
                marker={"color": colors, "size": 11, "symbol": "diamond"},
                text=[fmt.count_change(r["count_prev_year"], r["count"]) for r in ratio_rows],
                textposition="top center",
                textfont={"size": 11, "color": "#495057"},
                customdata=[[r["rate_ratio_low"], r["rate_ratio_high"]] for r in ratio_rows],
                hovertemplate="%{y}：%{x:.2f}（%{customdata[0]:.2f} – %{customdata[1]:.2f}）<extra></extra>",
                showlegend=False,
            )
        )
    counted = [(label, r) for label, r, z in zip(labels, rows, zero, strict=True) if z]
    if counted:
        note = i18n.t("text.zero_side_note", lang)
        fig.add_trace(
            go.Scatter(
                x=[1.0] * len(counted),
                y=[label for label, _ in counted],
                mode="text",
                text=[fmt.count_change(r["count_prev_year"], r["count"]) for _, r in counted],
                textposition="middle right",  # beside the line at 1, not across it
                textfont={"size": 12, "color": "#343a40"},
                hovertemplate="%{y}：%{text}<extra>" + note + "</extra>",
                showlegend=False,
            )
        )
    fig.add_vline(x=1, line={"color": "#343a40", "width": 1, "dash": "dash"})
    fig.update_layout(**_base_layout(70 * len(rows) + 80))
    fig.update_layout(margin={"l": 10, "r": 20, "t": 10, "b": 10},
                      yaxis={"categoryorder": "array", "categoryarray": labels})
    low = min(lows, default=0.5)
    high = max(highs, default=2.0)
    fig.update_xaxes(
        type="log",
        title_text=i18n.t("text.rate_ratio_axis", lang),
        tickvals=[0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
        ticktext=["0.05", "0.1", "0.2", "0.5", "1", "2", "5", "10"],
        range=[math.log10(max(0.03, min(low, 0.5) * 0.8)),
               math.log10(min(60, max(high, 2.0) * 1.25))],
    )
    fig.update_yaxes(automargin=True)
    return fig


def drill_bars(
    children: list[dict[str, Any]],
    *,
    level: str,
    reference: float | None,
    lang: str = "zh",
) -> go.Figure:
    """Items per 1,000 residents of the towns (colour: low running) or of one town's villages
    (colour: meets the standard); `customdata` carries the code for the drill-down."""
    rows = [r for r in children if r.get("petitions_per_1k") is not None]
    if not rows:
        return empty_figure(i18n.t("text.no_rows", lang), 240)
    rows = sorted(rows, key=lambda r: r["petitions_per_1k"])
    flag = "is_low_running" if level == "towns" else "is_meets_standard"
    names = {
        True: i18n.t("text.legend_low" if level == "towns" else "text.legend_meets", lang),
        False: i18n.t("text.legend_not_low" if level == "towns" else "text.legend_not_meets", lang),
        None: i18n.t("text.legend_unknown", lang),
    }
    colors = {True: SERIES_COLOR, False: SIGNAL_COLOR, None: MUTED_COLOR}
    unit = i18n.t("text.items_unit", lang)
    fig = go.Figure()
    for value in (True, False, None):
        part = [r for r in rows if r.get(flag) is value]
        if not part:
            continue
        fig.add_trace(
            go.Bar(
                x=[r["petitions_per_1k"] for r in part],
                y=[r["name"] or r["code"] for r in part],
                orientation="h",
                marker_color=colors[value],
                name=names[value],
                customdata=[[r["code"], r["petitions"], r.get("population")] for r in part],
                text=[f"{r['petitions_per_1k']:.2f}" for r in part],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}" + i18n.colon(lang) + "%{x:.2f} (%{customdata[1]:,} "
                + unit + ", %{customdata[2]:,} " + i18n.t("text.people_unit", lang)
                + ")<extra></extra>",
            )
        )
    if reference is not None:
        label = i18n.t("text.county_average" if level == "towns" else "text.standard_line", lang)
        fig.add_vline(
            x=reference,
            line={"color": "#343a40", "width": 1.2, "dash": "dash"},
            annotation={"text": f"{label} {reference:.2f}", "font": {"size": 11}},
            annotation_position="top",
        )
    fig.update_layout(**_base_layout(max(260, 26 * len(rows) + 110)))
    fig.update_layout(
        legend=LEGEND_TOP,
        margin={"l": 10, "r": 30, "t": 56, "b": 10},
        barmode="overlay",
        clickmode="event",
        yaxis={"categoryorder": "array", "categoryarray": [r["name"] or r["code"] for r in rows]},
    )
    top = max(r["petitions_per_1k"] for r in rows)
    fig.update_xaxes(
        title_text=i18n.t("text.per_1k_axis", lang),
        rangemode="tozero",
        range=[0, max(top, reference or 0) * 1.15 or 1],
    )
    fig.update_yaxes(automargin=True)
    return fig


# ---------------------------------------------------------------------------------------------
# 村居排名 · 干部考评
# ---------------------------------------------------------------------------------------------

FUNNEL_COLORS = {
    "within": SERIES_COLOR,
    "above_95": SECOND_COLOR,
    "above_998": SIGNAL_COLOR,
    "below_95": "#4c9f70",
    "below_998": GOOD_COLOR,
}
FUNNEL_ORDER = ("within", "above_95", "above_998", "below_95", "below_998")


def funnel(
    rows: list[dict[str, Any]],
    spec: dict[str, Any],
    lang: str = "zh",
    highlight_town: str | None = None,
    height: int = 440,
) -> go.Figure:
    """One indicator's funnel plot over every village of the year: the value against its
    denominator, with the 95% and 99.8% limits around the county value that the build used
    (`spec["funnel"]`, a row of marts.fct_funnel_parameters: θ₀ and τ², drawn by
    `pipelines.stats.funnel.funnel_limits`: exact, or overdispersion-adjusted). Points take
    the build's `<indicator>_funnel` position; hover names the village. A year without a
    county value (no denominator anywhere) has points only.
    `spec`: indicator, numerator, denominator, scale, family (rate | proportion), label."""
    from pipelines.stats.funnel import WITHIN, funnel_limits

    num, den = spec["numerator"], spec["denominator"]
    rows = [r for r in rows if (r.get(den) or 0) > 0 and r.get(num) is not None]
    if not rows:
        return empty_figure(i18n.t("text.no_rows", lang), height)
    parameters = spec["funnel"]
    scale = float(parameters["scale"])
    kind = "proportion" if parameters["family"] == "proportion" else "rate"
    observed = [float(r[num]) for r in rows]
    denominators = [float(r[den]) for r in rows]
    column = f"{spec['indicator']}_funnel"
    positions = [r.get(column) or WITHIN for r in rows]
    values = [scale * o / n for o, n in zip(observed, denominators, strict=True)]
    order = sorted(range(len(rows)), key=lambda i: denominators[i])
    xs = [denominators[i] for i in order]
    fig = go.Figure()
    theta0 = parameters.get("theta0")
    if theta0 is not None:
        limits = funnel_limits(kind, xs, theta0, float(parameters.get("tau2") or 0.0))
        for low, high, dash, key in (
            (limits.low_95, limits.high_95, "dash", "text.funnel_limit_95"),
            (limits.low_998, limits.high_998, "dot", "text.funnel_limit_998"),
        ):
            for limit, show in ((high, True), (low, False)):
                fig.add_trace(
                    go.Scatter(
                        x=xs,
                        y=[scale * float(v) for v in limit],
                        mode="lines",
                        line={"color": LIMIT_COLOR, "width": 1.2, "dash": dash},
                        name=i18n.t(key, lang),
                        legendgroup=key,
                        showlegend=show,
                        hoverinfo="skip",
                    )
                )
        fig.add_hline(
            y=scale * theta0,
            line={"color": "#343a40", "width": 1},
            annotation={"text": f"{i18n.t('text.village_average', lang)} {_short(scale * theta0, kind)}",
                        "font": {"size": 11}},
            annotation_position="top right",
        )
    unit_value = ".1%" if kind == "proportion" and scale == 1 else ".2f"
    for pos in FUNNEL_ORDER:
        idx = [i for i, p in enumerate(positions) if p == pos]
        if not idx:
            continue
        faded = [highlight_town is not None and rows[i].get("town_code") != highlight_town
                 for i in idx]
        fig.add_trace(
            go.Scatter(
                x=[denominators[i] for i in idx],
                y=[values[i] for i in idx],
                mode="markers",
                marker={
                    "color": FUNNEL_COLORS[pos],
                    "size": [6 if f else 9 for f in faded],
                    "opacity": [0.25 if f else 0.9 for f in faded],
                    "line": {"width": 0.5, "color": "white"},
                },
                name=i18n.vocab("funnel_position", pos, lang),
                text=[rows[i].get("village_name") or rows[i].get("village_code") for i in idx],
                customdata=[[rows[i].get("town_name") or "", int(observed[i])] for i in idx],
                hovertemplate="<b>%{text}</b>（%{customdata[0]}）<br>"
                + spec["denominator_label"] + "：%{x:,}<br>"
                + spec["label"] + "：%{y:" + unit_value + "}（%{customdata[1]:,}）<extra></extra>",
            )
        )
    fig.update_layout(**_base_layout(height))
    fig.update_layout(legend=LEGEND_TOP, margin={"l": 10, "r": 20, "t": 60, "b": 10})
    ticks = _log_ticks(min(denominators), max(denominators))
    fig.update_xaxes(title_text=spec["denominator_label"], type="log", tickvals=ticks,
                     ticktext=[f"{v:,.0f}" for v in ticks], minor={"showgrid": False})
    fig.update_yaxes(title_text=spec["label"], rangemode="tozero",
                     tickformat=".0%" if kind == "proportion" and scale == 1 else None)
    return fig


def _log_ticks(lo: float, hi: float) -> list[float]:
    """1-2-5 ticks covering [lo, hi] for a log axis (at least two)."""
    lo, hi = max(lo, 1.0), max(hi, 1.0)
    ticks = []
    for exponent in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        for mantissa in (1, 2, 5):
            value = mantissa * 10.0**exponent
            if lo * 0.8 <= value <= hi * 1.25:
                ticks.append(value)
    return ticks or [lo, hi]


def _short(value: float, kind: str) -> str:
    return f"{value:.1%}" if kind == "proportion" and value <= 1 else f"{value:.2f}"


def rank_intervals(
    rows: list[dict[str, Any]], label_field: str, lang: str = "zh", limit: int = 40
) -> go.Figure:
    """Median rank with its 90% interval (rank 1 best), best first; at most `limit` units."""
    ranked = [r for r in rows if r.get("rank_median") is not None]
    if not ranked:
        return empty_figure(i18n.t("text.no_rows", lang), 240)
    ranked = sorted(ranked, key=lambda r: r["rank_median"])[:limit]
    labels = [str(r.get(label_field) or "—") for r in ranked][::-1]
    ranked = ranked[::-1]
    fig = go.Figure(
        go.Scatter(
            x=[r["rank_median"] for r in ranked],
            y=labels,
            mode="markers",
            marker={"color": SERIES_COLOR, "size": 8},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [r["rank_high"] - r["rank_median"] for r in ranked],
                "arrayminus": [r["rank_median"] - r["rank_low"] for r in ranked],
                "color": LIMIT_COLOR,
                "thickness": 2,
                "width": 0,
            },
            customdata=[[r["rank_low"], r["rank_high"]] for r in ranked],
            hovertemplate="%{y}：%{x}（%{customdata[0]} – %{customdata[1]}）<extra></extra>",
        )
    )
    fig.update_layout(**_base_layout(max(260, 20 * len(ranked) + 90)))
    fig.update_layout(margin={"l": 10, "r": 20, "t": 10, "b": 10})
    fig.update_xaxes(title_text=i18n.t("text.rank_axis", lang), rangemode="tozero")
    fig.update_yaxes(automargin=True, categoryorder="array", categoryarray=labels)
    return fig


# ---------------------------------------------------------------------------------------------
# 办理质量
# ---------------------------------------------------------------------------------------------

HANDLING_TREND = ("first_time_closure_rate", "on_time_rate", "satisfaction_rate", "ceased_rate")
TREND_COLORS = (SERIES_COLOR, SECOND_COLOR, GOOD_COLOR, "#6f42c1")


def rates_by_year(by_year: list[dict[str, Any]], lang: str = "zh", height: int = 320) -> go.Figure:
    if not by_year:
        return empty_figure(i18n.t("text.no_rows", lang), height)
    years = [str(r["year"]) for r in by_year]
    fig = go.Figure()
    for code, color in zip(HANDLING_TREND, TREND_COLORS, strict=True):
        label = i18n.indicator_label(code, lang)
        fig.add_trace(
            go.Scatter(
                x=years,
                y=[r.get(code) for r in by_year],
                mode="lines+markers",
                line={"color": color, "width": 2},
                marker={"size": 8},
                name=label,
                hovertemplate="%{x}：%{y:.1%}<extra>" + label + "</extra>",
            )
        )
    fig.update_layout(**_base_layout(height))
    fig.update_layout(legend=LEGEND_TOP, margin={"l": 10, "r": 20, "t": 60, "b": 10})
    fig.update_xaxes(title_text=i18n.t("text.year_axis", lang), type="category")
    fig.update_yaxes(title_text=i18n.t("text.share_axis", lang), tickformat=".0%")
    return fig


def channel_mix(monthly: list[dict[str, Any]], year: int | None, lang: str = "zh",
                height: int = 320) -> go.Figure:
    """Letters against visits, items per month."""
    if not monthly:
        return empty_figure(i18n.t("text.no_rows", lang), height)
    months = [str(r["month_start"])[:10] for r in monthly]
    unit = i18n.t("text.items_unit", lang)
    fig = go.Figure()
    for code, field, color in (("letter", "letters", SERIES_COLOR), ("visit", "visits", SECOND_COLOR)):
        label = i18n.vocab("channel", code, lang)
        fig.add_trace(
            go.Scatter(
                x=months,
                y=[r[field] for r in monthly],
                mode="lines+markers",
                marker={"size": 4},
                line={"color": color, "width": 2},
                name=label,
                hovertemplate="%{x|%Y-%m}：%{y:,} " + unit + "<extra>" + label + "</extra>",
            )
        )
    if year is not None:
        fig.add_vrect(x0=f"{year}-01-01", x1=f"{year}-12-31", fillcolor=YEAR_BAND, line_width=0,
                      layer="below")
    fig.update_layout(**_base_layout(height))
    fig.update_layout(legend=LEGEND_TOP, margin={"l": 10, "r": 20, "t": 40, "b": 10})
    fig.update_xaxes(title_text=i18n.t("text.month_axis", lang), tickformat="%Y-%m", dtick="M6",
                     tickangle=0)
    fig.update_yaxes(title_text=i18n.t("text.items_axis", lang), rangemode="tozero")
    return fig


def real_name_days(by_year: list[dict[str, Any]], lang: str = "zh", height: int = 320) -> go.Figure:
    """Median days to close, real-name against anonymous items, by year."""
    if not by_year:
        return empty_figure(i18n.t("text.no_rows", lang), height)
    years = [str(r["year"]) for r in by_year]
    fig = go.Figure()
    for key, field, color in (
        ("text.real_name", "median_days_to_close_real_name", SERIES_COLOR),
        ("text.anonymous", "median_days_to_close_anonymous", SECOND_COLOR),
    ):
        values = [r.get(field) for r in by_year]
        label = i18n.t(key, lang)
        fig.add_trace(
            go.Bar(
                x=years,
                y=values,
                name=label,
                marker_color=color,
                text=["" if v is None else f"{v:g}" for v in values],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{x}" + i18n.colon(lang) + "%{y} "
                + i18n.t("text.days_unit", lang) + "<extra>" + label + "</extra>",
            )
        )
    fig.update_layout(**_base_layout(height))
    fig.update_layout(legend=LEGEND_TOP, margin={"l": 10, "r": 20, "t": 40, "b": 10},
                      barmode="group", bargap=0.35)
    fig.update_xaxes(title_text=i18n.t("text.year_axis", lang), type="category")
    fig.update_yaxes(title_text=i18n.t("text.days_axis", lang), rangemode="tozero")
    return fig
