"""十件新事 · 先进个人评选 on the cadres page: the nominees with their evidence and the
committee's decisions when nominations were delivered for the year, else the proposed
shortlist with a plain statement of how well its top can be told apart, else what is missing
and whom to ask. Presentation only: the rows come from dashboards.data (`_selection`), every
definition from the marts (fct_nominee_evidence, fct_cadre_shortlist)."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards import components, fmt, i18n

PREFIX = "cd-selection"


def section(selection: dict[str, Any], lang: str) -> Any:
    """The section's card (id `cd-selection`)."""
    intro = html.P(i18n.t("text.selection_intro", lang), className="text-muted small")
    if selection["nominees"]:
        body = nominees_view(selection["nominees"], lang)
    elif selection["shortlist"]:
        body = shortlist_view(selection, lang)
    else:
        body = [components.empty_state(
            i18n.t("text.selection_none", lang, min_items=selection["min_items"]),
            id_=f"{PREFIX}-empty")]
    return components.section(i18n.t("text.selection_title", lang), [intro, *body], id_=PREFIX)


# --- cells ----------------------------------------------------------------------------------


def rate_cell(row: dict[str, Any], rate: str, lang: str) -> str:
    """A rate with its 95% interval: 80.0%（38%–96%）; a dash without a denominator."""
    if row.get(rate) is None:
        return fmt.DASH
    return i18n.t("text.with_interval", lang, value=fmt.pct(row[rate]),
                  low=fmt.pct(row.get(f"{rate}_low"), 0), high=fmt.pct(row.get(f"{rate}_high"), 0))


def rank_cell(row: dict[str, Any], lang: str) -> str:
    """The median rank with its 90% interval: 11（3–51）."""
    if row.get("rank_median") is None:
        return fmt.DASH
    return i18n.t("text.with_interval", lang, value=row["rank_median"], low=row["rank_low"],
                  high=row["rank_high"])


def name_cell(row: dict[str, Any], lang: str) -> str:
    if not row.get("is_registered", True):  # no name to show (ids stay off the pages)
        return i18n.vocab("selection_note", "unregistered", lang)
    return row.get("cadre_name") or fmt.DASH


def decision_cell(row: dict[str, Any], lang: str) -> str:
    if row.get("decision") is None:
        shown = i18n.t("text.selection_pending", lang)
    else:
        shown = i18n.vocab("award_decision", row["decision"], lang)
        if row.get("decision_reason"):
            shown += i18n.colon(lang) + i18n.vocab("decision_reason", row["decision_reason"], lang)
    if row.get("is_disqualified"):
        reason = i18n.vocab("disqualification_reason", row.get("disqualification_reason"), lang)
        shown = i18n.t("text.selection_disqualified", lang, reason=reason) + " · " + shown
    return shown


def evidence_cells(row: dict[str, Any], lang: str) -> list[str]:
    """Items, on-time and ceased rates with intervals, repeats, escalations, satisfaction,
    rank, P(top decile) and flags; a nominee without items says so instead."""
    if row.get("is_without_items"):
        return [i18n.vocab("selection_note", "without_items", lang)] + [fmt.DASH] * 8
    return [
        fmt.integer(row.get("cases_assigned")),
        rate_cell(row, "on_time_rate", lang),
        rate_cell(row, "ceased_rate", lang),
        fmt.integer(row.get("repeats_after_close")),
        fmt.integer(row.get("escalations")),
        fmt.pct(row.get("satisfaction_rate")),
        rank_cell(row, lang),
        fmt.pct(row.get("p_top_decile"), 0),
        fmt.integer(row.get("accountability_flags")),
    ]


EVIDENCE = ("cases_assigned", "on_time_rate", "ceased_rate", "repeats_after_close",
            "escalations", "satisfaction_rate", "rank_median", "p_top_decile",
            "accountability_flags")


def _heads(fields: tuple[str, ...], lang: str) -> list[str]:
    return [i18n.column(field, lang) for field in fields]


# --- the three states -----------------------------------------------------------------------


def nominees_view(rows: list[dict[str, Any]], lang: str) -> list[Any]:
    decided = [r for r in rows if r.get("decision")]
    summary = i18n.t(
        "text.selection_nominees_summary", lang, nominees=len(rows),
        selected=sum(1 for r in decided if r["decision"] == "selected"),
        not_selected=sum(1 for r in decided if r["decision"] == "not_selected"),
        pending=len(rows) - len(decided),
        disqualified=sum(1 for r in rows if r.get("is_disqualified")))
    head = _heads(("selection_order", "cadre_name", "unit_name", "nominating_unit", "deed_type",
                   *EVIDENCE, "decision"), lang)
    body = [
        [str(r["nominee_order"]), name_cell(r, lang), r.get("unit_name") or fmt.DASH,
         r["nominating_unit"], i18n.vocab("deed_type", r["deed_type"], lang),
         *evidence_cells(r, lang), decision_cell(r, lang)]
        for r in rows
    ]
    return [html.P(summary, id=f"{PREFIX}-summary"),
            components.simple_table(head, body, f"{PREFIX}-table")]


def separation_sentence(selection: dict[str, Any], lang: str) -> str:
    """How well the shortlist's top can be told apart, in words, from the mart's columns
    (fct_cadre_shortlist: overlapping_in_award_count, eligible_cadres)."""
    first = selection["shortlist"][0]
    awards = int(first["award_count"])
    values = {"awards": awards, "next": awards + 1}
    if first.get("overlapping_in_award_count") is None:
        return i18n.t("text.selection_too_few", lang, eligible=first["eligible_cadres"], **values)
    overlapping = int(first["overlapping_in_award_count"])
    if overlapping == 0:
        return i18n.t("text.selection_separated", lang, **values)
    return i18n.t("text.selection_overlapping", lang, overlapping=overlapping, **values)


def shortlist_view(selection: dict[str, Any], lang: str) -> list[Any]:
    rows = selection["shortlist"]
    note = i18n.t("text.selection_no_nominations", lang, length=len(rows),
                  awards=rows[0]["award_count"])
    head = _heads(("shortlist_order", "cadre_name", "unit_name", *EVIDENCE,
                   "is_overlapping_next"), lang)
    body = [
        [str(r["shortlist_order"]), name_cell(r, lang), r.get("unit_name") or fmt.DASH,
         *evidence_cells(r, lang),
         i18n.t("text.selection_overlaps", lang) if r.get("is_overlapping_next") else ""]
        for r in rows
    ]
    return [
        components.empty_state(note, id_=f"{PREFIX}-no-nominations"),
        html.P(html.Strong(separation_sentence(selection, lang)), id=f"{PREFIX}-sentence",
               className="mt-3"),
        components.simple_table(head, body, f"{PREFIX}-table"),
    ]
