"""audit.load_ledger — the deliveries of this build as a whole (before dbt).

A file refused at ingest (unreadable, wrong encoding, not matching its mapping) is reported
until a readable file of the same name is delivered again (a later `loaded` or `duplicate`
record resolves it). It is a warning, not an error: ingest has already exited 2 with the reason,
an earlier delivery may hold the same rows, and a refused file may not be data at all (a topic
list beside the messages). What a refused file leaves missing is caught by the completeness
gates on the data (case_events.orphan_share: events whose items never arrived). Duplicates are
the ledger's business (status `duplicate`), not a gate's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import great_expectations.expectations as gxe
import pandas as pd

from pipelines.gates.context import GateContext, file_label
from pipelines.gates.spec import Check, Expect, Frame, Suite

TABLE = "audit.load_ledger"


def checks(ctx: GateContext) -> list[Check]:
    return [
        Check("deliveries.refused_files", TABLE, "warn",
              "本次构建之前交付的文件没有被拒收（或已重新交付可读的同名文件）"),
    ]


def refused_frame(ctx: GateContext) -> pd.DataFrame:
    judged = ctx.judged
    refused = judged[judged["status"] == "refused"].copy()
    refused["file"] = refused["file_name"].map(file_label)
    ledger = ctx.ledger.assign(file=ctx.ledger["file_name"].map(file_label))
    readable = ledger[ledger["status"].isin(["loaded", "duplicate"])]

    def resolved(row: pd.Series) -> bool:
        later = readable[(readable["file"] == row["file"]) & (readable["loaded_at"] > row["loaded_at"])]
        return bool(len(later))

    refused["resolved"] = refused.apply(resolved, axis=1) if len(refused) else pd.Series(dtype=bool)
    refused["resolved"] = refused["resolved"].astype(bool)
    return refused.reset_index(drop=True)


def frames(ctx: GateContext) -> Iterator[Frame]:
    refused = refused_frame(ctx)
    offered = len(ctx.judged)
    yield Frame(refused, [Expect(
        "deliveries.refused_files",
        gxe.ExpectColumnValuesToBeInSet(column="resolved", value_set=[True]),
        lambda rows: "；".join(
            f"{r.file} 在导入时被拒收（{_short(r.message)}），其中的数据不在本次构建中；如需载入请改正后重新交付"
            " (a delivered file was refused at ingest)"
            for r in rows.itertuples()
        ),
    )], note=f"本次构建之前交付 {offered:,} 个文件，无未解决的拒收")


def _short(message: object) -> str:
    """The ledger's message without its English gloss."""
    text = re.sub(r"\s*\([^()]*\)\s*$", "", str(message or "").strip())
    return text[:80] or "无法读取"


SUITES = [Suite("deliveries", "delivery", checks, frames)]
