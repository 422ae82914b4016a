"""The offline quality report: one self-contained HTML page per build (and per `xinfang check`)
under $XINFANG_HOME/reports/, in Chinese, with inline CSS only — no CDN, no script, no font
download (the reader's Chinese system fonts are used). GX's own Data Docs are not used: they
load their CSS from a CDN. Every label comes from pipelines.labels (`report.*` texts, column
labels, the check/build/ledger status vocabularies); `render` takes the Labels to use (the
seed files by default: a build's report is written from the seeds it was built with)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

import polars as pl

from pipelines import audit, fsutil, paths
from pipelines.gates.config import Params
from pipelines.labels import Labels, from_files

CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
       "WenQuanYi Micro Hei", sans-serif; margin: 2rem auto; max-width: 72rem; color: #1f2933;
       padding: 0 1rem; line-height: 1.5; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 2px solid #d9e2ec; padding-bottom: .25rem; }
.sub { color: #627d98; margin-top: 0; }
.verdict { padding: .75rem 1rem; border-radius: .4rem; font-weight: 600; margin: 1rem 0; }
.ok { background: #e3f9e5; color: #05400a; border: 1px solid #8eeda6; }
.bad { background: #ffe3e3; color: #610404; border: 1px solid #ffa3a3; }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; }
.card { border: 1px solid #d9e2ec; border-radius: .4rem; padding: .5rem 1rem; min-width: 8rem; }
.card b { display: block; font-size: 1.4rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; margin-top: .5rem; }
th, td { border: 1px solid #d9e2ec; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f0f4f8; }
td.num { text-align: right; white-space: nowrap; }
code { font-family: "Noto Sans Mono CJK SC", monospace; font-size: .85rem; overflow-wrap: anywhere; }
details { margin: .4rem 0; }
summary { cursor: pointer; }
.tag { display: inline-block; padding: 0 .4rem; border-radius: .3rem; font-size: .8rem; white-space: nowrap; }
.fail-error { background: #ffe3e3; color: #8a041a; }
.fail-warn { background: #fff3c4; color: #8d2b0b; }
.pass { background: #e3f9e5; color: #05400a; }
footer { margin-top: 2rem; color: #829ab1; font-size: .8rem; }
"""


def report_path(build_id: str, kind: str = "build") -> Path:
    if kind == "check":
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        return paths.reports_dir() / f"check-{build_id}-{stamp}.html"
    return paths.reports_dir() / f"quality-{build_id}.html"


def _tag(severity: str, status: str, labels: Labels) -> str:
    if status == "pass":
        return f'<span class="tag pass">{escape(labels.vocab("check_status", "pass"))}</span>'
    css = "fail-error" if severity == "error" else "fail-warn"
    return f'<span class="tag {css}">{escape(labels.vocab("check_severity", severity))}</span>'


def _head(labels: Labels, *keys: str) -> str:
    """A header row: `column.<name>` labels, or other label keys given in full."""
    cells = (labels.text(k) if "." in k else labels.column(k) for k in keys)
    return "<tr>" + "".join(f"<th>{escape(c)}</th>" for c in cells) + "</tr>"


def _cell(value: Any) -> str:
    return "" if value is None else escape(str(value))


def _check_rows(records: Iterable[dict[str, Any]], labels: Labels) -> str:
    rows = []
    for r in records:
        rows.append(
            "<tr>"
            f"<td>{_tag(r['severity'], r['status'], labels)}</td>"
            f"<td><code>{_cell(r['check_name'])}</code></td>"
            f"<td><code>{_cell(r['table_name'])}</code></td>"
            f"<td class=num>{_cell(r['observed'])}</td>"
            f"<td>{_cell(r['detail'])}</td>"
            "</tr>"
        )
    head = _head(labels, "report.col_result", "check_name", "table_name", "observed", "detail")
    return f"<table>{head}{''.join(rows)}</table>" if rows else f"<p>{labels.text('report.none')}</p>"


def _order(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def key(r: dict[str, Any]) -> tuple:
        failing = r["status"] == "fail"
        return (not failing, r["severity"] != "error", r["table_name"] or "", r["check_name"])

    return sorted(records, key=key)


def _table_section(name: str, rows: list[dict[str, Any]], labels: Labels) -> str:
    """One table's checks, folded away unless one of them failed."""
    failing = [r for r in rows if r["status"] == "fail"]
    summary = (labels.text("report.table_failed", total=len(rows), failed=len(failing))
               if failing else labels.text("report.table_passed", total=len(rows)))
    opened = " open" if failing else ""
    return (f"<details{opened}><summary><code>{escape(name)}</code> · {escape(summary)}</summary>"
            f"{_check_rows(rows, labels)}</details>")


def _ledger_rows(ledger: pl.DataFrame, labels: Labels) -> str:
    if ledger.height == 0:
        return f"<p>{labels.text('report.no_deliveries')}</p>"
    rows = []
    for r in ledger.iter_rows(named=True):
        rows.append(
            "<tr>"
            f"<td>{_cell(Path(str(r['file_name'])).name)}</td>"
            f"<td>{_cell(labels.vocab('entity', r['entity']))}</td>"
            f"<td class=num>{r['rows_read'] or 0:,}</td><td class=num>{r['rows_loaded'] or 0:,}</td>"
            f"<td class=num>{r['rows_quarantined'] or 0:,}</td>"
            f"<td>{_cell(labels.vocab('ledger_status', r['status']))}</td>"
            f"<td>{_cell(r['message'])}</td>"
            "</tr>"
        )
    head = _head(labels, "file_name", "entity", "rows_read", "rows_loaded", "rows_quarantined",
                 "status", "message")
    return f"<table>{head}{''.join(rows)}</table>"


def render(
    build_id: str,
    records: list[dict[str, Any]],
    *,
    kind: str = "build",
    build: dict[str, Any] | None = None,
    ledger: pl.DataFrame | None = None,
    params: Params | None = None,
    gate_seconds: float | None = None,
    labels: Labels | None = None,
) -> str:
    """The report page as a string (pure: everything it shows is passed in)."""
    labels = labels or from_files()
    text = labels.text
    errors = [r for r in records if r["status"] == "fail" and r["severity"] == "error"]
    warns = [r for r in records if r["status"] == "fail" and r["severity"] == "warn"]
    passed = [r for r in records if r["status"] == "pass"]
    title = text("report.title_build" if kind == "build" else "report.title_check")
    status = (build or {}).get("status")
    if kind == "check":
        verdict = text("report.verdict_check_ok" if not errors else "report.verdict_check_bad")
    elif status == "published":
        verdict = text("report.verdict_published") + (
            text("report.verdict_warnings", count=len(warns)) if warns else "")
    else:
        failed = (build or {}).get("failed_check")
        verdict = (text("report.verdict_failed_check", check=failed) if failed
                   else text("report.verdict_failed"))
    ok = not errors and (kind == "check" or status == "published")
    facts = [(labels.column("build_id"), build_id)]
    if build:
        facts += [
            (labels.column("status"), labels.vocab("build_status", build.get("status"))),
            (labels.column("as_of"), build.get("as_of")),
            (labels.column("started_at"), build.get("started_at")),
            (labels.column("finished_at"), build.get("finished_at")),
        ]
    if gate_seconds is not None:
        facts.append((text("report.gate_seconds"), text("report.seconds", seconds=f"{gate_seconds:.1f}")))
    fact_rows = "".join(f"<tr><th>{escape(k)}</th><td>{_cell(v)}</td></tr>" for k, v in facts)
    cards = "".join(
        f'<div class="card">{escape(label)}<b>{n}</b></div>'
        for label, n in ((text("report.card_checks"), len(records)),
                         (labels.vocab("check_status", "pass"), len(passed)),
                         (labels.vocab("check_severity", "warn"), len(warns)),
                         (labels.vocab("check_severity", "error"), len(errors)))
    )
    by_table: dict[str, list[dict[str, Any]]] = {}
    for r in _order(records):
        by_table.setdefault(r["table_name"] or "-", []).append(r)
    tables = "".join(_table_section(name, rows, labels) for name, rows in sorted(by_table.items()))
    param_rows = ""
    if params is not None:
        param_rows = "".join(
            f"<tr><td><code>{escape(k)}</code></td><td class=num>{_cell(v)}</td></tr>" for k, v in params.flat()
        )
        param_rows = (f"<table>{_head(labels, 'report.col_parameter', 'report.col_value')}"
                      f"{param_rows}</table><p class=sub>"
                      f"{escape(text('report.params_source', sources='；'.join(params.sources)))}</p>")
    ledger_html = (_ledger_rows(ledger, labels) if ledger is not None
                   else f"<p>{text('report.ledger_on_demand')}</p>")
    generated = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · {escape(build_id)}</title>
<style>{CSS}</style>
</head>
<body>
<h1>{escape(title)}</h1>
<p class="sub">{escape(text("report.subtitle", build_id=build_id))}</p>
<div class="verdict {'ok' if ok else 'bad'}">{escape(verdict)}</div>
<div class="cards">{cards}</div>
<table>{fact_rows}</table>
<h2>{text("report.heading_failed")}</h2>
{_check_rows(_order(errors + warns), labels)}
<h2>{text("report.heading_ledger")}</h2>
{ledger_html}
<h2>{text("report.heading_all")}</h2>
<p class="sub">{text("report.all_note")}</p>
{tables}
<h2>{text("report.heading_params")}</h2>
{param_rows or f"<p>{text('report.no_params')}</p>"}
<footer>{text("report.footer", generated=generated)}</footer>
</body>
</html>
"""


def judged_ledger(build_id: str) -> pl.DataFrame:
    """Ledger records of the deliveries the build judged (see pipelines.gates.context)."""
    from pipelines.gates.context import judged_window

    since, until = judged_window(build_id)
    ledger = audit.read("load_ledger")
    if since is not None:
        ledger = ledger.filter(pl.col("loaded_at") >= since)
    if until is not None:
        ledger = ledger.filter(pl.col("loaded_at") < until)
    return ledger.sort(["loaded_at", "batch_id"])


def write_build_report(build_id: str, gate_seconds: float | None = None) -> Path:
    """The report of a finished build (published or failed), from the audit records."""
    from pipelines.gates.config import load_params

    records = audit.read("quality_results").filter(pl.col("build_id") == build_id).to_dicts()
    builds = audit.read("builds").filter(pl.col("build_id") == build_id).to_dicts()
    html = render(build_id, records, kind="build", build=builds[0] if builds else None,
                  ledger=judged_ledger(build_id), params=load_params(), gate_seconds=gate_seconds)
    path = report_path(build_id)
    fsutil.write_text_atomic(html, path)
    return path


def write_check_report(build_id: str, records: list[dict[str, Any]],
                       gate_seconds: float | None = None) -> Path:
    from pipelines.gates.config import load_params
    from pipelines.labels import published

    html = render(build_id, records, kind="check", params=load_params(), gate_seconds=gate_seconds,
                  labels=published())
    path = report_path(build_id, "check")
    fsutil.write_text_atomic(html, path)
    return path
