"""The offline quality report: one self-contained HTML page per build (and per `xinfang check`)
under $XINFANG_HOME/reports/, in Chinese, with inline CSS only — no CDN, no script, no font
download (the reader's Chinese system fonts are used). GX's own Data Docs are not used: they
load their CSS from a CDN.

The page is the Jinja2 template `templates/quality_report.html.j2` (autoescaped); this module
gathers what it shows. Every label comes from pipelines.labels (`report.*` texts, column
labels, the check/build/ledger status vocabularies); `render` takes the Labels to use (the
seed files by default: a build's report is written from the seeds it was built with)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import polars as pl
from markupsafe import Markup

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


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pipelines.gates", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = lambda value: "" if value is None else str(value)
    env.filters["thousands"] = lambda value: f"{value or 0:,}"
    env.filters["basename"] = lambda value: Path(str(value)).name
    return env.get_template("quality_report.html.j2")


def _order(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def key(r: dict[str, Any]) -> tuple:
        failing = r["status"] == "fail"
        return (not failing, r["severity"] != "error", r["table_name"] or "", r["check_name"])

    return sorted(records, key=key)


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
    facts: list[tuple[str, Any]] = [(labels.column("build_id"), build_id)]
    if build:
        facts += [
            (labels.column("status"), labels.vocab("build_status", build.get("status"))),
            (labels.column("as_of"), build.get("as_of")),
            (labels.column("started_at"), build.get("started_at")),
            (labels.column("finished_at"), build.get("finished_at")),
        ]
    if gate_seconds is not None:
        facts.append((text("report.gate_seconds"),
                      text("report.seconds", seconds=f"{gate_seconds:.1f}")))
    by_table: dict[str, list[dict[str, Any]]] = {}
    for r in _order(records):
        by_table.setdefault(r["table_name"] or "-", []).append(r)
    return _template().render(
        title=title,
        build_id=build_id,
        css=Markup(CSS),
        verdict=verdict,
        ok=not errors and (kind == "check" or status == "published"),
        cards=[(text("report.card_checks"), len(records)),
               (labels.vocab("check_status", "pass"), len(passed)),
               (labels.vocab("check_severity", "warn"), len(warns)),
               (labels.vocab("check_severity", "error"), len(errors))],
        facts=facts,
        failing=_order(errors + warns),
        ledger=None if ledger is None else ledger.to_dicts(),
        tables=sorted(by_table.items()),
        params=list(params.flat()) if params is not None else [],
        param_sources="；".join(params.sources) if params is not None else "",
        text=text,
        column=labels.column,
        vocab=labels.vocab,
        generated=datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
    )


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
