"""One fold() for comparing text with a vocabulary (pipelines.text): NFKC, trimmed, case-folded,
the same in a plain delivery and through a source mapping."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines import audit, paths, seeds
from pipelines.ingest import ingest_paths
from pipelines.text import fold, fold_expr

HEADER = "case_id,received_at,channel,category,subject_code,real_name\n"
MAPPING = """\
mapping: widths
version: 1
source:
  columns: [编号, 日期, 方式]
outputs:
  - name: cases
    entity: cases
    columns:
      case_id: {column: 编号}
      received_at: {column: 日期}
      channel: {column: 方式}
      category: {constant: appeal}
      subject_code: {constant: other}
      real_name: {constant: "no"}
"""


@pytest.fixture()
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("XINFANG_HOME", str(h))
    return h


def loaded_channels() -> list[str]:
    files = sorted(paths.lake_dir("cases").glob("*.parquet"))
    return pl.concat([pl.read_parquet(f) for f in files]).sort("case_id")["channel"].to_list()


def test_fold_is_nfkc_trimmed_and_case_folded():
    assert fold(" ＱＱ ") == fold("qq") == fold("\ufeffQQ") == "qq"
    assert fold("Ｌｅｔｔｅｒ") == "letter" and fold("来信") == "来信"
    frame = pl.DataFrame({"v": ["ＱＱ", " Qq", None]})
    assert frame.select(fold_expr(pl.col("v")))["v"].to_list() == ["qq", "qq", None]
    assert seeds.vocabulary("channel")[fold("ＱＱ")] == "qq"


def test_full_width_value_loads_in_a_plain_delivery(home, tmp_path):
    f = tmp_path / "cases.csv"
    f.write_text(HEADER + "F1,2011-03-05,ＱＱ,申诉,其他,否\nF2,2011-03-06, Ｌｅｔｔｅｒ ,申诉,其他,否\n",
                 encoding="utf-8")
    assert ingest_paths([f], quiet=True).exit_code == 0
    assert audit.read("quarantine").height == 0
    assert loaded_channels() == ["qq", "letter"]


def test_full_width_value_loads_through_a_mapping(home, tmp_path):
    m = tmp_path / "widths.yaml"
    m.write_text(MAPPING, encoding="utf-8")
    f = tmp_path / "export.csv"
    f.write_text("编号,日期,方式\nM1,2011-03-05,ＱＱ\nM2,2011-03-06,Ｌｅｔｔｅｒ\n", encoding="utf-8")
    assert ingest_paths([f], mapping=m, quiet=True).exit_code == 0
    assert audit.read("quarantine").height == 0
    assert loaded_channels() == ["qq", "letter"]


def test_a_full_width_header_is_recognised(home, tmp_path):
    f = tmp_path / "cases.csv"
    f.write_text(HEADER.replace("channel", "ｃｈａｎｎｅｌ") + "H1,2011-03-05,qq,申诉,其他,否\n",
                 encoding="utf-8")
    assert ingest_paths([f], quiet=True).exit_code == 0
    assert loaded_channels() == ["qq"]
