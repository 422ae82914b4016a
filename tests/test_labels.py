"""Labels in one place (issue 9): seeds/display_labels.csv and the code vocabularies of
seeds/vocabularies.csv are the only spelling of every label. Every column a page or the
workbook shows has one, every code the pipeline can emit has one, nothing in the code spells
a label again, and a published build's labels win over the files."""

from __future__ import annotations

import ast
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines import labels, paths, seeds, warehouse

REPO = Path(__file__).resolve().parent.parent
FILES = labels.from_files()


# ---------------------------------------------------------------------------------------------
# The seeds themselves
# ---------------------------------------------------------------------------------------------


def test_display_labels_have_unique_keys_and_both_languages() -> None:
    rows = seeds.read_seed("display_labels")
    counts = Counter(r["key"] for r in rows)
    assert not [k for k, n in counts.items() if n > 1], "duplicate keys"
    for r in rows:
        assert re.fullmatch(r"[a-z]+(\.[a-z0-9_]+)+", r["key"]), r["key"]
        assert r["label_zh"].strip() and r["label_en"].strip(), r["key"]
        assert r["label_zh"] == r["label_zh"].strip() and r["label_en"] == r["label_en"].strip()


def test_vocabularies_have_unique_codes_and_both_languages() -> None:
    rows = seeds.read_seed("vocabularies")
    counts = Counter((r["vocabulary"], r["code"]) for r in rows)
    assert not [k for k, n in counts.items() if n > 1], "duplicate codes"
    for r in rows:
        assert r["label_zh"].strip() and r["label_en"].strip(), (r["vocabulary"], r["code"])


def test_the_new_seed_is_declared_for_dbt() -> None:
    import yaml

    project = yaml.safe_load((REPO / "dbt_project.yml").read_text(encoding="utf-8"))
    declared = project["seeds"]["xinfang"]["display_labels"]["+column_types"]
    assert declared == {"key": "varchar", "label_zh": "varchar", "label_en": "varchar"}


def test_indicator_names_are_the_column_labels_of_the_same_name() -> None:
    """dashboard_targets, village_standards and ranking_indicators name an indicator exactly
    as display_labels names the column of that name (one spelling per concept)."""
    for seed in labels.INDICATOR_SEEDS:
        for r in seeds.read_seed(seed):
            key = f"column.{r['indicator']}"
            if key in FILES.texts:
                assert (r["label_zh"], r["label_en"]) == FILES.texts[key], (seed, r["indicator"])


def test_one_word_per_concept() -> None:
    every = [text for pair in FILES.texts.values() for text in pair]
    every += [text for pair in FILES.vocabularies.values() for text in pair]
    every += [text for pair in FILES.indicators.values() for text in pair]
    for rows in (seeds.read_seed("ranking_parameters"),):
        every += [r["description_zh"] for r in rows]
    for drifted in ("少登记", "越级升级"):
        assert not [t for t in every if drifted in t], drifted
    for drifted in ("重复信访件数", "越级访件数", "上年总量", "漏登提示数"):
        assert drifted not in every, drifted
    assert FILES.column("is_under_registration_signal") == "疑似漏登"
    assert FILES.column("escalations").startswith("越级上行")


def test_one_word_per_concept_in_code_models_and_docs() -> None:
    """The words not chosen appear nowhere a reader looks: code, models, YAML, docs."""
    places = [REPO / "README.md"]
    for folder in ("pipelines", "dashboards", "models", "macros", "docs", "seeds"):
        places += [p for p in (REPO / folder).rglob("*")
                   if p.suffix in (".py", ".sql", ".yml", ".md", ".csv", ".j2")]
    for path in places:
        text = path.read_text(encoding="utf-8")
        for drifted in ("少登记", "越级升级"):
            assert drifted not in text, (path.relative_to(REPO).as_posix(), drifted)


# ---------------------------------------------------------------------------------------------
# Every code the pipeline can emit has a label
# ---------------------------------------------------------------------------------------------


def _assigned_statuses(path: Path) -> set[str]:
    return set(re.findall(r'status = "(\w+)"', path.read_text(encoding="utf-8")))


def test_every_code_the_pipeline_emits_has_a_label() -> None:
    from pipelines.gates.spec import SEVERITIES
    from pipelines.ingest.validate import REASONS
    from pipelines.stats.funnel import ABOVE_95, ABOVE_998, BELOW_95, BELOW_998, WITHIN

    emitted = {
        "quarantine_reason": set(REASONS),
        "entity": set(paths.ENTITIES),
        "funnel_position": {WITHIN, ABOVE_95, ABOVE_998, BELOW_95, BELOW_998},
        "check_severity": set(SEVERITIES),
        "check_status": {"pass", "fail"} | _assigned_statuses(REPO / "pipelines/gates/runner.py"),
        "ledger_status": {"loaded"} | _assigned_statuses(REPO / "pipelines/ingest/run.py"),
        "build_status": {"published", "failed"},
        "yes_no": {"yes", "no"},
    }
    assert "identity_in_field" in emitted["quarantine_reason"]
    for vocabulary, codes in emitted.items():
        missing = codes - set(FILES.codes(vocabulary))
        assert not missing, (vocabulary, missing)
    build = (REPO / "pipelines/build/run.py").read_text(encoding="utf-8")
    assert '"failed" if failure else "published"' in build


# ---------------------------------------------------------------------------------------------
# Every column shown has a label, and it is the seed's
# ---------------------------------------------------------------------------------------------


def test_every_workbook_column_and_sheet_has_a_label() -> None:
    from pipelines import export

    for sheet in export.SHEETS:
        assert f"sheet.{sheet.key}" in FILES.texts, sheet.key
        headers = [FILES.column(c.source) for c in sheet.columns]  # KeyError if missing
        assert len(set(headers)) == len(headers), sheet.key
        for lang in ("zh", "en"):
            assert all(FILES.column(c.source, lang) for c in sheet.columns)
    for key in export.DEFINITIONS:
        assert key in FILES.texts and f"definition.{key}" in FILES.texts, key
    for sheet in export.SHEETS:  # what an empty sheet says, and the units headers state
        assert all(key in FILES.texts for key in sheet.empty), sheet.key
    assert all(key in FILES.texts for key in export.UNITS.values())


def _tables(snapshots: dict[str, Any], lang: str) -> list[Any]:
    from dashboards.pages import cadres, handling, overview, quality, villages

    return [
        overview.drill_table(snapshots["overview"], lang),
        overview.drill_table(snapshots["overview_town"], lang),
        villages.ranking_table(snapshots["villages"], lang),
        cadres.ranking_table(snapshots["cadres"], lang),
        handling.towns_table(snapshots["handling"], lang),
        quality.ledger_table(snapshots["quality"], lang),
    ]


@pytest.fixture(scope="module")
def demo_snapshots(demo_warehouse: Path) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XINFANG_HOME", str(demo_warehouse))
        from dashboards import data
        from dashboards.app import create_app

        create_app()
        return {
            "overview": data.overview(2011, None),
            "overview_town": data.overview(2011, "320982102"),
            "villages": data.villages(2011, None),
            "cadres": data.cadres(2011, None),
            "handling": data.handling(2011, None),
            "quality": data.quality_snapshot(),
        }


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_grid_column_is_headed_by_its_seed_label(demo_snapshots, demo_warehouse,
                                                         monkeypatch, lang) -> None:
    monkeypatch.setenv("XINFANG_HOME", str(demo_warehouse))
    for table in _tables(demo_snapshots, lang):
        assert table.rows, table.name
        for column in table.columns:
            assert column.header == FILES.column(column.field, lang), (table.name, column.field)


def test_page_tables_name_their_columns_by_the_seed(demo_snapshots, demo_warehouse,
                                                    monkeypatch) -> None:
    """The small tables (title changes, villages needing attention) show the seed's column
    labels too."""
    import json

    import plotly

    from dashboards.pages import villages

    monkeypatch.setenv("XINFANG_HOME", str(demo_warehouse))
    snap = demo_snapshots["villages"]
    text = json.dumps([villages.title_changes(snap, "en"), villages.attention_list(snap, "en")],
                      cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)
    for name in ("village_name", "town_name", "petitions_per_1k", "status", "status_reason",
                 "to_province_or_central", "accountability_flags", "attention_reasons"):
        assert f'"{FILES.column(name, "en")}"' in text, name


# ---------------------------------------------------------------------------------------------
# Nothing in the code spells a label again
# ---------------------------------------------------------------------------------------------

LABEL_READERS = [
    *sorted((REPO / "dashboards").rglob("*.py")),
    REPO / "pipelines/export.py",
    REPO / "pipelines/gates/report.py",
    REPO / "pipelines/ingest/run.py",
    REPO / "pipelines/cli.py",
    REPO / "pipelines/build/console.py",
]


def _string_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_no_label_is_spelled_in_the_code() -> None:
    """No string in the dashboards, the workbook, the gate report, the ingest summary or the
    command line equals a seed label: they read it from pipelines.labels instead."""
    spelled = {zh for key, (zh, _) in FILES.texts.items()
               if key.startswith(("column.", "sheet.", "page.", "nav."))}
    spelled |= {zh for (vocabulary, _), (zh, _) in FILES.vocabularies.items()
                if vocabulary in ("ledger_status", "quarantine_reason", "entity",
                                  "funnel_position", "check_severity", "check_status",
                                  "build_status")}
    found = [f"{path.relative_to(REPO)}:{line}: {value}"
             for path in LABEL_READERS for line, value in _string_literals(path)
             if value.strip() in spelled]
    assert not found, found


def test_no_label_key_is_missing_from_the_seed() -> None:
    """Every literal label key the code asks for exists."""
    pattern = re.compile(r"^(?:column|page|nav|intro|group|text|sheet|report|ingest|export|cli)"
                         r"\.[a-z0-9_.]*[a-z0-9]$")  # an f-string's head ends in _ or .
    asked = {value for path in LABEL_READERS for _, value in _string_literals(path)
             if pattern.match(value)}
    assert len(asked) > 100
    assert not sorted(asked - set(FILES.texts))


# ---------------------------------------------------------------------------------------------
# A published build's labels are used, not the files'
# ---------------------------------------------------------------------------------------------


def test_pages_and_workbook_follow_the_published_build(demo_warehouse: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    shutil.copytree(demo_warehouse, home)
    monkeypatch.setenv("XINFANG_HOME", str(home))
    build_id = warehouse.published_build_id()
    with duckdb.connect(str(warehouse.build_db_path(build_id))) as con:
        con.execute("update seeds.display_labels set label_zh = '信访件数（旧）' "
                    "where key = 'column.petitions'")
        con.execute("update seeds.display_labels set label_zh = '村居考核（旧）' "
                    "where key = 'sheet.village_assessment'")
        con.execute("update seeds.vocabularies set label_zh = '已载入（旧）' "
                    "where vocabulary = 'ledger_status' and code = 'loaded'")
    assert FILES.column("petitions") == "信访总量"  # the file is unchanged

    built = labels.published()
    assert built.source == build_id and built.column("petitions") == "信访件数（旧）"
    assert labels.from_files().column("petitions") == "信访总量"

    from dashboards import data, i18n
    from dashboards.app import create_app
    from dashboards.pages import overview, quality

    create_app()
    assert i18n.column("petitions", "zh") == "信访件数（旧）"
    table = overview.drill_table(data.overview(2011, None), "zh")
    assert "信访件数（旧）" in [c.header for c in table.columns]
    ledger = quality.ledger_table(data.quality_snapshot(), "zh")
    assert {r["status"] for r in ledger.rows} == {"已载入（旧）"}

    from pipelines import export

    workbook = export.read_workbook_data(2011)
    assert "信访件数（旧）（件）" in workbook.frames["village_assessment"].columns  # with its unit
    assert workbook.sheet_name(export.VILLAGES) == "村居考核（旧）"


def test_nothing_published_falls_back_to_the_files(xinfang_home: Path) -> None:
    assert labels.published() is labels.from_files()
    from dashboards import i18n

    assert i18n.t("app.title") == FILES.text("app.title")


# ---------------------------------------------------------------------------------------------
# The command line, the ingest summary and the gate report
# ---------------------------------------------------------------------------------------------


def test_help_texts_come_from_the_seed() -> None:
    from typer.testing import CliRunner

    from pipelines.cli import app

    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for key in ("cli.app", "cli.ingest", "cli.export"):
        assert FILES.text(key) in result.output, key
    result = CliRunner().invoke(app, ["export", "--help"])
    assert FILES.text("cli.export.year") in result.output


def test_gate_report_labels_statuses_from_the_vocabularies() -> None:
    import polars as pl

    from pipelines.gates.report import render

    ledger = pl.DataFrame([{"file_name": "x/cases_2011.csv", "entity": "cases", "rows_read": 3,
                            "rows_loaded": 3, "rows_quarantined": 0, "status": "duplicate",
                            "message": None}])
    page = render("b", [], build={"status": "failed", "failed_check": None}, ledger=ledger)
    for text in (FILES.vocab("ledger_status", "duplicate"), FILES.vocab("entity", "cases"),
                 FILES.vocab("build_status", "failed"), FILES.column("rows_quarantined"),
                 FILES.text("report.heading_params")):
        assert text in page, text
