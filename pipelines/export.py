"""`xinfang export`: the annual assessment workbook (CONTRACT §1; built in issue 4)."""

from __future__ import annotations

from pathlib import Path

from pipelines.errors import UsageError


def export_workbook(year: int, out: Path | None = None) -> Path:
    raise UsageError("年度考核工作簿导出尚未实现（见 issue 4）(the assessment workbook is not built yet)")
