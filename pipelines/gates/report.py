"""The offline quality report: one self-contained HTML page per build (and per `xinfang check`)
under $XINFANG_HOME/reports/, in Chinese, with inline CSS only — no CDN, no script, no font
download (the reader's Chinese system fonts are used). GX's own Data Docs are not used: they
load their CSS from a CDN."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

import polars as pl

from pipelines import audit, fsutil, paths
from pipelines.gates.config import Params

SEVERITY_ZH = {"error": "错误", "warn": "警告"}
STATUS_ZH = {"pass": "通过", "fail": "未通过"}
BUILD_STATUS_ZH = {"published": "已发布", "failed": "未发布（未通过检查）"}
LEDGER_STATUS_ZH = {"loaded": "已载入", "duplicate": "重复文件", "refused": "拒收"}

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


def _tag(severity: str, status: str) -> str:
    if status == "pass":
        return '<span class="tag pass">通过</span>'
    css = "fail-error" if severity == "error" else "fail-warn"
    return f'<span class="tag {css}">{SEVERITY_ZH.get(severity, severity)}</span>'


def _cell(value: Any) -> str:
    return "" if value is None else escape(str(value))


def _check_rows(records: Iterable[dict[str, Any]]) -> str:
    rows = []
    for r in records:
        rows.append(
            "<tr>"
            f"<td>{_tag(r['severity'], r['status'])}</td>"
            f"<td><code>{_cell(r['check_name'])}</code></td>"
            f"<td><code>{_cell(r['table_name'])}</code></td>"
            f"<td class=num>{_cell(r['observed'])}</td>"
            f"<td>{_cell(r['detail'])}</td>"
            "</tr>"
        )
    head = "<tr><th>结果</th><th>检查</th><th>表</th><th>观测值</th><th>说明</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>" if rows else "<p>无。</p>"


def _order(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def key(r: dict[str, Any]) -> tuple:
        failing = r["status"] == "fail"
        return (not failing, r["severity"] != "error", r["table_name"] or "", r["check_name"])

    return sorted(records, key=key)


def _table_section(name: str, rows: list[dict[str, Any]]) -> str:
    """One table's checks, folded away unless one of them failed."""
    failing = [r for r in rows if r["status"] == "fail"]
    summary = f"{len(rows)} 项检查，" + (f"{len(failing)} 项未通过" if failing else "全部通过")
    opened = " open" if failing else ""
    return (f"<details{opened}><summary><code>{escape(name)}</code> · {summary}</summary>"
            f"{_check_rows(rows)}</details>")


def _ledger_rows(ledger: pl.DataFrame) -> str:
    if ledger.height == 0:
        return "<p>本次构建没有新交付的文件。</p>"
    rows = []
    for r in ledger.iter_rows(named=True):
        rows.append(
            "<tr>"
            f"<td>{_cell(Path(str(r['file_name'])).name)}</td><td>{_cell(r['entity'])}</td>"
            f"<td class=num>{r['rows_read'] or 0:,}</td><td class=num>{r['rows_loaded'] or 0:,}</td>"
            f"<td class=num>{r['rows_quarantined'] or 0:,}</td>"
            f"<td>{_cell(LEDGER_STATUS_ZH.get(r['status'], r['status']))}</td>"
            f"<td>{_cell(r['message'])}</td>"
            "</tr>"
        )
    head = ("<tr><th>文件</th><th>实体</th><th>读取</th><th>载入</th><th>隔离</th><th>状态</th>"
            "<th>说明</th></tr>")
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
) -> str:
    """The report page as a string (pure: everything it shows is passed in)."""
    errors = [r for r in records if r["status"] == "fail" and r["severity"] == "error"]
    warns = [r for r in records if r["status"] == "fail" and r["severity"] == "warn"]
    passed = [r for r in records if r["status"] == "pass"]
    title = "数据质量报告" if kind == "build" else "数据质量检查（按需）"
    status = (build or {}).get("status")
    if kind == "check":
        verdict = "已发布的数据仓库通过了全部错误级检查" if not errors else "已发布的数据仓库有未通过的错误级检查"
    elif status == "published":
        verdict = "已发布：全部错误级检查通过" + (f"，{len(warns)} 项警告" if warns else "")
    else:
        failed = (build or {}).get("failed_check")
        verdict = f"未发布，已保留上一次发布的数据仓库：检查 {failed} 未通过" if failed else "未发布"
    ok = not errors and (kind == "check" or status == "published")
    facts = [("构建", build_id)]
    if build:
        facts += [
            ("状态", BUILD_STATUS_ZH.get(build.get("status"), build.get("status"))),
            ("as_of", build.get("as_of")),
            ("开始", build.get("started_at")),
            ("结束", build.get("finished_at")),
        ]
    if gate_seconds is not None:
        facts.append(("质量门用时", f"{gate_seconds:.1f} 秒"))
    fact_rows = "".join(f"<tr><th>{escape(k)}</th><td>{_cell(v)}</td></tr>" for k, v in facts)
    cards = "".join(
        f'<div class="card">{label}<b>{n}</b></div>'
        for label, n in (("检查", len(records)), ("通过", len(passed)), ("警告", len(warns)),
                         ("错误", len(errors)))
    )
    by_table: dict[str, list[dict[str, Any]]] = {}
    for r in _order(records):
        by_table.setdefault(r["table_name"] or "-", []).append(r)
    tables = "".join(_table_section(name, rows) for name, rows in sorted(by_table.items()))
    param_rows = ""
    if params is not None:
        param_rows = "".join(
            f"<tr><td><code>{escape(k)}</code></td><td class=num>{_cell(v)}</td></tr>" for k, v in params.flat()
        )
        param_rows = (f"<table><tr><th>参数</th><th>值</th></tr>{param_rows}</table>"
                      f"<p class=sub>来源：{escape('；'.join(params.sources))}</p>")
    ledger_html = _ledger_rows(ledger) if ledger is not None else "<p>（按需检查不列出交付文件）</p>"
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
<p class="sub">信访数据仓库 · 构建 {escape(build_id)}</p>
<div class="verdict {'ok' if ok else 'bad'}">{escape(verdict)}</div>
<div class="cards">{cards}</div>
<table>{fact_rows}</table>
<h2>未通过的检查</h2>
{_check_rows(_order(errors + warns))}
<h2>本次判定的交付文件</h2>
{ledger_html}
<h2>全部检查（按表）</h2>
<p class="sub">错误级检查未通过时不发布；警告级检查未通过时照常发布并在此列出。dbt 数据测试与
Great Expectations 检查一并列出。</p>
{tables}
<h2>质量门槛</h2>
{param_rows or '<p>（无）</p>'}
<footer>生成于 {generated}。本报告离线生成，不引用任何外部资源。</footer>
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

    html = render(build_id, records, kind="check", params=load_params(), gate_seconds=gate_seconds)
    path = report_path(build_id, "check")
    fsutil.write_text_atomic(html, path)
    return path
