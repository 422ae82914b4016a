"""The project's own docs: docs/columns.md is generated from the dbt YAML and current, docs
blocks resolve, and every relative link in README.md and docs/ points at a file that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from pipelines import docgen
from pipelines.paths import REPO_ROOT


def test_columns_md_is_current() -> None:
    current = (REPO_ROOT / docgen.OUTPUT).read_text(encoding="utf-8")
    assert current == docgen.render(), (
        "docs/columns.md is stale against models/**/*.yml: run `make docs` and commit it"
    )


def test_every_model_and_column_of_the_yaml_is_listed() -> None:
    text = (REPO_ROOT / docgen.OUTPUT).read_text(encoding="utf-8")
    for path in docgen.yaml_files(REPO_ROOT):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in data.get("models") or []:
            assert f"### {model['name']}\n" in text, model["name"]
            for column in model.get("columns") or []:
                assert f"| `{column['name']}` |" in text, (model["name"], column["name"])


def _project(tmp_path: Path, description: str, docs_md: str) -> Path:
    (tmp_path / "models" / "marts").mkdir(parents=True)
    (tmp_path / "models" / "marts" / "fct_things.sql").write_text("select 1 as thing_id\n")
    (tmp_path / "models" / "marts" / "_marts__models.yml").write_text(
        "version: 2\n"
        "models:\n"
        "  - name: fct_things\n"
        f"    description: \"{description}\"\n"
        "    config: {contract: {enforced: true}}\n"
        "    columns:\n"
        "      - name: thing_id\n"
        "        data_type: varchar\n"
        "        description: \"{{ doc('thing_id') }}\"\n"
        "        data_tests: [unique, {in_vocabulary: {arguments: {vocabulary: channel}}}]\n",
        encoding="utf-8",
    )
    (tmp_path / "models" / "docs.md").write_text(docs_md, encoding="utf-8")
    return tmp_path


def test_docs_blocks_are_resolved(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        "{{ doc('fct_things') }}",
        "{% docs fct_things %}\nOne row per thing (件).\n\nSecond | paragraph.\n{% enddocs %}\n"
        "{%- docs thing_id -%}The thing's id.{%- enddocs -%}\n",
    )
    text = docgen.render(root)
    assert "One row per thing (件).\n\nSecond | paragraph." in text  # model text as written
    assert (
        "| `thing_id` | varchar | The thing's id. | `unique`, `in_vocabulary(channel)` |" in text
    )
    assert "[models/marts/fct_things.sql](../models/marts/fct_things.sql)" in text
    assert "contract enforced" in text


def test_a_table_cell_keeps_paragraphs_and_escapes_pipes() -> None:
    assert docgen.cell("a | b\n\nc\n  d") == "a \\| b<br>c d"


def test_an_unknown_docs_block_is_an_error(tmp_path: Path) -> None:
    root = _project(tmp_path, "{{ doc('missing') }}", "{% docs thing_id %}x{% enddocs %}")
    with pytest.raises(docgen.DocgenError, match="missing"):
        docgen.render(root)


def test_check_mode_reports_a_stale_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path, "Things.", "{% docs thing_id %}x{% enddocs %}")
    monkeypatch.setattr(docgen, "REPO_ROOT", root)
    assert docgen.main(["--check"]) == 1
    assert docgen.main([]) == 0
    assert docgen.main(["--check"]) == 0


LINK = re.compile(r"\]\(([^)\s]+)\)")


def heading_anchors(path: Path) -> set[str]:
    """GitHub's anchors for the headings of a Markdown file."""
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    headings = re.findall(r"^#+\s+(.+?)\s*$", text, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize(
    "page",
    ["README.md", *sorted(p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "docs").glob("*.md"))],
)
def test_relative_links_point_at_files_in_the_repository(page: str) -> None:
    source = REPO_ROOT / page
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)  # code blocks are not links
    missing = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (source.parent / path).resolve() if path else source.resolve()
        inside = resolved.exists() and REPO_ROOT.resolve() in (resolved, *resolved.parents)
        heading_ok = inside and (
            not anchor or resolved.suffix != ".md" or anchor in heading_anchors(resolved)
        )
        if not (inside and heading_ok):
            missing.append(target)
    assert not missing, f"{page}: links to files or headings not in the repository: {missing}"
