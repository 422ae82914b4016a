"""Damaged deliveries (`--broken KIND`), as they arrive in real life: a normal drop in which one
file has been damaged, or a month is missing, or a file was sent twice."""

from __future__ import annotations

import csv
import io
import shutil

from pipelines.demo_data.drop import DropResult, Written
from pipelines.demo_data.profile import Profile

KINDS = ("truncated", "encoding", "missing-month", "duplicate", "shifted")
DESCRIPTIONS = {
    "truncated": "文件在一行中间被截断 (a cases file cut off mid-row)",
    "encoding": "文件字节既非 UTF-8 也非 GB18030（UTF-16，无 BOM）(a cases file in UTF-16 without BOM)",
    "missing-month": "缺少一个月的数据 (one month has no items)",
    "duplicate": "同一交付以另一文件名重复发送 (the same files again under another name)",
    "shifted": "信访方式一列的值错位到下一列 (the channel values shifted by one column)",
}


def missing_month(profile: Profile) -> tuple[int, int]:
    """The month a `missing-month` delivery lacks: June of the middle year."""
    return profile.years[len(profile.years) // 2], 6


def apply(result: DropResult, kind: str) -> str:
    """Damage the written drop in place; returns a one-line description of what was done."""
    years = result.profile.years
    if kind == "missing-month":
        y, m = missing_month(result.profile)
        return f"{DESCRIPTIONS[kind]}: {y}-{m:02d}"
    if kind == "truncated":
        path = result.file("cases", years[-1])
        data = path.read_bytes()
        start = data.index(b"\n", int(len(data) * 0.6)) + 1  # a row in the later part
        cut = start
        for _ in range(5):  # after its fifth field: the row stops in the middle
            cut = data.index(b",", cut) + 1
        path.write_bytes(data[:cut])
        line = data[:start].count(b"\n") + 1
        _recount(result, path.name, line - 2)  # complete rows before the cut one
        return f"{DESCRIPTIONS[kind]}: {path.name}, line {line}"
    if kind == "encoding":
        path = result.file("cases", years[0])
        text = path.read_bytes().decode("gb18030")
        path.write_bytes(text.encode("utf-16-le"))
        return f"{DESCRIPTIONS[kind]}: {path.name}"
    if kind == "duplicate":
        names = []
        for entity in ("cases", "case_events"):
            src = result.file(entity, years[-1])
            dst = src.with_name(f"{src.stem} - 副本{src.suffix}")
            shutil.copyfile(src, dst)
            rows = next(w.rows for w in result.files if w.name == src.name)
            kind_ = next(w.kind for w in result.files if w.name == src.name)
            result.files.append(Written(dst.name, entity, kind_, rows))
            names.append(dst.name)
        return f"{DESCRIPTIONS[kind]}: {', '.join(names)}"
    if kind == "shifted":
        path = result.file("cases", years[-1])
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        header, body = rows[0], rows[1:]
        at = header.index("channel")
        shifted = [r[:at] + [""] + r[at:-1] for r in body]
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(shifted)
        path.write_text(buf.getvalue(), encoding="utf-8", newline="")
        return f"{DESCRIPTIONS[kind]}: {path.name}"
    raise ValueError(kind)


def _recount(result: DropResult, name: str, rows: int) -> None:
    for w in result.files:
        if w.name == name:
            w.rows = rows
