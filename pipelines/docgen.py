"""`python -m pipelines.docgen` (`make docs`): write docs/columns.md from the dbt YAML.

The column reference is generated, never written by hand: every model, source table and
exposure declared in `models/**/*.yml` (and seed properties in `seeds/**/*.yml`, if any), with
its description, the data type its contract declares and its data tests. Descriptions may be
`{{ doc('name') }}` references to `{% docs name %}…{% enddocs %}` blocks in `models/**/*.md`
(dbt's `docs-paths`); they are resolved here the way dbt resolves them.

`--check` writes nothing and exits 1 when docs/columns.md differs from what the YAML gives
(tests/test_docgen.py does the same), so a YAML change without `make docs` is caught.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipelines.paths import REPO_ROOT

OUTPUT = Path("docs") / "columns.md"
YAML_DIRS = ("models", "seeds")

# Layers by the first folder under models/: (folder, heading, schema in the warehouse).
LAYERS = (
    ("marts", "Public marts", "marts"),
    ("staging", "Staging", "staging"),
    ("intermediate", "Intermediate", "intermediate"),
)

DOC_BLOCK = re.compile(
    r"\{%-?\s*docs\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}(.*?)\{%-?\s*enddocs\s*-?%\}", re.DOTALL
)
DOC_REF = re.compile(r"\{\{\s*doc\(\s*['\"]([^'\"]+)['\"]\s*\)\s*\}\}")


class DocgenError(Exception):
    """The YAML cannot be turned into the reference (e.g. an unknown docs block)."""


@dataclass
class Column:
    name: str
    data_type: str | None
    description: str
    checks: list[str]


@dataclass
class Node:
    """A model, source table or seed as its YAML declares it."""

    name: str
    kind: str  # model, source, seed
    description: str
    yaml_path: str
    code_path: str | None = None
    layer: str = "other"
    contract: bool = False
    checks: list[str] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)


# ------------------------------------------------------------------------------ reading
def doc_blocks(root: Path) -> dict[str, str]:
    """Every `{% docs name %}` block of models/**/*.md, by name (dbt's docs-paths)."""
    blocks: dict[str, str] = {}
    for path in sorted((root / "models").rglob("*.md")):
        for name, body in DOC_BLOCK.findall(path.read_text(encoding="utf-8")):
            if name in blocks:
                raise DocgenError(f"docs block {name!r} is defined twice ({path.relative_to(root)})")
            blocks[name] = body.strip()
    return blocks


def resolve(text: Any, blocks: dict[str, str], where: str) -> str:
    """A description with its `{{ doc('name') }}` references replaced by the blocks."""
    if text is None:
        return ""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in blocks:
            raise DocgenError(f"{where}: unknown docs block {name!r}")
        return blocks[name]

    return DOC_REF.sub(substitute, str(text)).strip()


def yaml_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for folder in YAML_DIRS:
        base = root / folder
        if base.is_dir():
            files += [p for p in base.rglob("*") if p.suffix in (".yml", ".yaml")]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def _tests_of(entry: dict[str, Any]) -> list[Any]:
    return list(entry.get("data_tests") or entry.get("tests") or [])


def check_label(test: Any) -> str:
    """A data test as a short label: `unique`, `in_vocabulary(channel)`, `relationships(→ dim_town.town_code)`."""
    if isinstance(test, str):
        return test
    if not isinstance(test, dict) or not test:
        return str(test)
    name, spec = next(iter(test.items()))
    spec = spec if isinstance(spec, dict) else {}
    args = dict(spec.get("arguments") or {})
    args.update({k: v for k, v in spec.items() if k not in ("arguments", "config", "name")})
    severity = (spec.get("config") or {}).get("severity")
    label = spec.get("name") or name
    detail = ""
    if name == "in_vocabulary":
        detail = str(args.get("vocabulary", ""))
    elif name == "relationships":
        target = re.sub(r"^ref\(['\"](.+)['\"]\)$", r"\1", str(args.get("to", "")))
        detail = f"→ {target}.{args.get('field', '')}"
    elif name == "accepted_values":
        detail = ", ".join(str(v) for v in args.get("values") or [])
    elif name == "accepted_range":
        low, high = args.get("min_value"), args.get("max_value")
        detail = f"{'' if low is None else low}…{'' if high is None else high}"
    elif name == "unique_combination_of_columns":
        detail = ", ".join(args.get("combination_of_columns") or [])
    elif name == "expression_is_true" and not spec.get("name"):
        detail = str(args.get("expression", ""))
    text = f"{label}({detail})" if detail else label
    return f"{text} [{severity}]" if severity and str(severity).lower() == "warn" else text


def _columns(entry: dict[str, Any], blocks: dict[str, str], where: str) -> list[Column]:
    return [
        Column(
            name=str(col["name"]),
            data_type=col.get("data_type"),
            description=resolve(col.get("description"), blocks, f"{where}.{col['name']}"),
            checks=[check_label(t) for t in _tests_of(col)],
        )
        for col in entry.get("columns") or []
    ]


def _code_files(root: Path) -> dict[str, str]:
    """Model name → its .sql or .py file (relative to the repository)."""
    found: dict[str, str] = {}
    for path in sorted((root / "models").rglob("*")):
        if path.suffix in (".sql", ".py") and path.is_file():
            found.setdefault(path.stem, path.relative_to(root).as_posix())
    return found


def _layer(code_path: str | None, yaml_path: str) -> str:
    parts = Path(code_path or yaml_path).parts
    return parts[1] if len(parts) > 2 and parts[0] == "models" else "other"


def read_project(root: Path = REPO_ROOT) -> tuple[list[Node], list[dict[str, Any]]]:
    """Models, source tables and seeds (as Nodes), and the exposures, from the YAML."""
    blocks = doc_blocks(root)
    code = _code_files(root)
    nodes: list[Node] = []
    exposures: list[dict[str, Any]] = []
    for path in yaml_files(root):
        rel = path.relative_to(root).as_posix()
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            continue
        for entry in data.get("models") or []:
            name = str(entry["name"])
            config = entry.get("config") or {}
            contract = bool((config.get("contract") or {}).get("enforced"))
            nodes.append(Node(
                name=name,
                kind="model",
                description=resolve(entry.get("description"), blocks, name),
                yaml_path=rel,
                code_path=code.get(name),
                layer=_layer(code.get(name), rel),
                contract=contract,
                checks=[check_label(t) for t in _tests_of(entry)],
                columns=_columns(entry, blocks, name),
            ))
        for source in data.get("sources") or []:
            source_text = resolve(source.get("description"), blocks, source["name"])
            for table in source.get("tables") or []:
                where = f"{source['name']}.{table['name']}"
                nodes.append(Node(
                    name=where,
                    kind="source",
                    description=resolve(table.get("description"), blocks, where) or source_text,
                    yaml_path=rel,
                    layer="source",
                    checks=[check_label(t) for t in _tests_of(table)],
                    columns=_columns(table, blocks, where),
                ))
        for entry in data.get("seeds") or []:
            name = str(entry["name"])
            csv_path = root / "seeds" / f"{name}.csv"
            nodes.append(Node(
                name=name,
                kind="seed",
                description=resolve(entry.get("description"), blocks, name),
                yaml_path=rel,
                code_path=csv_path.relative_to(root).as_posix() if csv_path.exists() else None,
                layer="seed",
                checks=[check_label(t) for t in _tests_of(entry)],
                columns=_columns(entry, blocks, name),
            ))
        for entry in data.get("exposures") or []:
            exposures.append({
                **entry,
                "description": resolve(entry.get("description"), blocks, entry["name"]),
                "yaml_path": rel,
            })
    return nodes, exposures


# ------------------------------------------------------------------------------ writing
def cell(text: str) -> str:
    """Text for one Markdown table cell: one line, pipes escaped, paragraphs kept as <br>."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip())]
    return "<br>".join(p for p in paragraphs if p).replace("|", "\\|")


def _link(path: str) -> str:
    return f"[{path}](../{path})"


def _ref_name(ref: str) -> str:
    match = re.match(r"^(?:ref|source)\((.+)\)$", ref.strip())
    if not match:
        return ref
    return ".".join(part.strip().strip("'\"") for part in match.group(1).split(","))


def _node_section(node: Node) -> list[str]:
    out = [f"### {node.name}", ""]
    if node.description:
        out += [node.description, ""]
    facts = []
    if node.code_path:
        facts.append(("code " if node.kind != "seed" else "data ") + _link(node.code_path))
    facts.append("properties " + _link(node.yaml_path))
    if node.kind == "model":
        facts.append("contract enforced" if node.contract else "no enforced contract")
    out += [" · ".join(facts), ""]
    if node.checks:
        out += ["Table checks: " + "; ".join(f"`{c}`" for c in node.checks), ""]
    if node.columns:
        out += ["| column | type | description | checks |", "|---|---|---|---|"]
        for col in node.columns:
            checks = ", ".join(f"`{cell(c)}`" for c in col.checks)
            out.append(
                f"| `{col.name}` | {col.data_type or ''} | {cell(col.description)} | {checks} |"
            )
        out.append("")
    return out


def render(root: Path = REPO_ROOT) -> str:
    """The whole of docs/columns.md for the YAML under `root`."""
    nodes, exposures = read_project(root)
    groups: list[tuple[str, list[Node]]] = []
    for folder, heading, schema in LAYERS:
        members = [n for n in nodes if n.kind == "model" and n.layer == folder]
        groups.append((f"{heading} (schema `{schema}`)", members))
    groups.append(("Raw lake (source, schema `raw`)", [n for n in nodes if n.kind == "source"]))
    groups.append(("Seeds (schema `seeds`)", [n for n in nodes if n.kind == "seed"]))
    known = {folder for folder, _, _ in LAYERS}
    groups.append(("Other models", [n for n in nodes if n.kind == "model" and n.layer not in known]))
    groups = [(title, sorted(members, key=_order)) for title, members in groups if members]

    out = [
        "# Column reference (数据字典)",
        "",
        "<!-- Generated by `python -m pipelines.docgen` (`make docs`) from the dbt YAML under",
        "     models/. Do not edit by hand: tests/test_docgen.py fails when it is stale. -->",
        "",
        "Every model of the dbt project with its description, the column types its contract",
        "declares and its data tests, as the YAML under `models/` states them. The public",
        "marts (schema `marts`) are what readers may rely on ([contract.md](contract.md));",
        "staging and intermediate models are the project's own working tables. The same",
        "descriptions, with lineage, are browsable at `/docs/` of `xinfang serve`.",
        "Regenerate after a YAML change with `make docs`.",
        "",
        "## Contents",
        "",
    ]
    for title, members in groups:
        links = " · ".join(f"[{n.name}](#{_anchor(n.name)})" for n in members)
        out += [f"- **{title}**: {links}"]
    if exposures:
        out += ["- **Dashboard pages (dbt exposures)**: [exposures](#dashboard-pages-dbt-exposures)"]
    out.append("")
    for title, members in groups:
        out += [f"## {title}", ""]
        for node in members:
            out += _node_section(node)
    if exposures:
        out += [
            "## Dashboard pages (dbt exposures)",
            "",
            "Each page of `xinfang serve` and what it reads (`dbt ls -s +exposure:<name>`).",
            "",
            "| exposure | page | url | reads | description |",
            "|---|---|---|---|---|",
        ]
        for exp in sorted(exposures, key=lambda e: e["name"]):
            reads = ", ".join(f"`{_ref_name(r)}`" for r in exp.get("depends_on") or [])
            out.append(
                f"| `{exp['name']}` | {cell(str(exp.get('label') or ''))} | "
                f"{exp.get('url') or ''} | {reads} | {cell(exp['description'])} |"
            )
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _order(node: Node) -> tuple[int, str]:
    """Facts first, then dimensions, then the rest, each alphabetical; fct_cases leads."""
    name = node.name
    if name == "fct_cases":
        return (0, name)
    return (1 if name.startswith("fct_") else 2 if name.startswith("dim_") else 3, name)


def _anchor(name: str) -> str:
    """GitHub's heading anchor: lower case, punctuation other than - and _ dropped."""
    return re.sub(r"[^a-z0-9_\- ]", "", name.lower()).replace(" ", "-")


# ------------------------------------------------------------------------------ command
def write(root: Path | None = None) -> Path:
    target = (root or REPO_ROOT) / OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(root or REPO_ROOT), encoding="utf-8")
    return target


def is_current(root: Path | None = None) -> bool:
    root = root or REPO_ROOT
    target = root / OUTPUT
    return target.exists() and target.read_text(encoding="utf-8") == render(root)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.docgen", description="Write docs/columns.md from the dbt YAML."
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/columns.md is stale")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        if args.check:
            if is_current():
                print(f"{OUTPUT} is up to date")
                return 0
            print(f"{OUTPUT} is stale: run `make docs`", file=sys.stderr)
            return 1
        print(f"wrote {OUTPUT} ({write().stat().st_size:,} bytes)")
        return 0
    except (DocgenError, yaml.YAMLError, KeyError) as exc:
        print(f"docgen: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
