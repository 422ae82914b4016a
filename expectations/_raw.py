"""Shared building blocks of the raw-entity suites (villages, cadres, cases, case_events,
nominations).

Every raw entity gets two suites:

- `delivery` (before dbt, from the raw tables and the audit records): the ledger adds up,
  and each delivered file of the build is whole — not mostly quarantined, not cut off mid-row,
  without a column shifted;
- `batches` (after dbt, which loads the seeds): each delivered file of the build, validated on
  its own rows in raw.<entity> (by `_batch_id`): required values present, codes in their
  vocabularies (from seeds.vocabularies), values in range; and the whole entity reconciles
  from raw to staging.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime

import great_expectations.expectations as gxe
import pandas as pd

from pipelines.gates.context import GateContext, file_label
from pipelines.gates.spec import Check, Expect, Frame, Suite
from pipelines.text import fold

SHIFT_SAMPLE_ROWS = 2000  # quarantined rows read per file for the column-shift signature


def raw_table(entity: str) -> str:
    return f"raw.{entity}"


# ---------------------------------------------------------------- delivery phase
def delivery_checks(entity: str) -> list[Check]:
    table = raw_table(entity)
    return [
        Check(f"{entity}.truncated_file", table, "error",
              "交付文件的最后一条记录字段不全（文件在一行中间被截断）"),
        Check(f"{entity}.shifted_columns", table, "error",
              "隔离行中某列的代码整体出现在相邻一列（列错位）"),
        Check(f"{entity}.quarantine_share", table, "error",
              "每个交付文件被隔离的行数占比不超过上限"),
        Check(f"{entity}.quarantine_jump", table, "warn",
              "交付文件的隔离占比不比此前文件突然升高"),
        Check(f"{entity}.ledger_reconciles", table, "error",
              "载入台账与原始数据、隔离记录逐批次一致：读取 = 载入 + 隔离"),
    ]


def ledger_frame(ctx: GateContext, entity: str) -> pd.DataFrame:
    """One row per loaded batch of the entity (every delivery, not only the judged ones):
    the ledger's counts beside the rows found in raw.<entity> and in audit.quarantine."""
    ledger = ctx.ledger[(ctx.ledger["entity"] == entity) & (ctx.ledger["status"] == "loaded")]
    frame = ledger[["batch_id", "file_name", "rows_read", "rows_loaded", "rows_quarantined"]].copy()
    raw_counts = ctx.df(
        f"select _batch_id as batch_id, count(*) as raw_rows, max(_line_number) as last_loaded_line "
        f"from {raw_table(entity)} group by 1"
    )
    quarantine = ctx.quarantine(frame["batch_id"].tolist(), "batch_id, line_number, reason")
    q_counts = quarantine.groupby("batch_id").size().rename("quarantine_rows").reset_index()
    frame = frame.merge(raw_counts, on="batch_id", how="left").merge(q_counts, on="batch_id", how="left")
    for column in ("raw_rows", "quarantine_rows"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["read_check"] = frame["rows_loaded"] + frame["rows_quarantined"]
    frame["file"] = frame["file_name"].map(file_label)
    return frame.reset_index(drop=True)


def _judged(ctx: GateContext, entity: str, frame: pd.DataFrame) -> pd.DataFrame:
    judged_ids = set(ctx.judged_batches(entity)["batch_id"])
    return frame[frame["batch_id"].isin(judged_ids)].reset_index(drop=True)


def truncation_frame(ctx: GateContext, entity: str, ledger: pd.DataFrame) -> pd.DataFrame:
    """Per judged batch: its last record's line, and whether that record was quarantined as a
    ragged row (a file cut off mid-row ends with a short record)."""
    judged = _judged(ctx, entity, ledger)
    if judged.empty:
        return judged.assign(last_line=pd.Series(dtype="int64"), last_is_ragged=pd.Series(dtype=bool))
    quarantine = ctx.quarantine(judged["batch_id"].tolist(), "batch_id, line_number, reason")
    last_q = quarantine.groupby("batch_id")["line_number"].max().rename("last_q_line")
    ragged = quarantine[quarantine["reason"] == "ragged_row"].groupby("batch_id")["line_number"].max()
    out = judged.merge(last_q, left_on="batch_id", right_index=True, how="left")
    out = out.merge(ragged.rename("last_ragged_line"), left_on="batch_id", right_index=True, how="left")
    out["last_line"] = out[["last_loaded_line", "last_q_line"]].max(axis=1)
    out["last_is_ragged"] = (out["last_ragged_line"].notna()) & (out["last_ragged_line"] == out["last_line"])
    out["last_is_ragged"] = out["last_is_ragged"].astype(bool)
    return out


def quarantine_share_frame(ctx: GateContext, entity: str, ledger: pd.DataFrame) -> pd.DataFrame:
    """Per judged batch with rows: quarantined share, the entity's share before, top reason."""
    judged = _judged(ctx, entity, ledger)
    judged = judged[judged["rows_read"] > 0].reset_index(drop=True)
    history = ctx.earlier_batches(entity)
    read_before = int(history["rows_read"].sum()) if len(history) else 0
    before = float(history["rows_quarantined"].sum()) / read_before if read_before else 0.0
    judged["share"] = judged["rows_quarantined"] / judged["rows_read"]
    judged["share_before"] = before
    judged["jump"] = judged["share"] - before
    quarantine = ctx.quarantine(judged["batch_id"].tolist(), "batch_id, reason")
    if len(quarantine):
        top = (
            quarantine.groupby(["batch_id", "reason"]).size().rename("n").reset_index()
            .sort_values(["batch_id", "n", "reason"], ascending=[True, False, True])
            .drop_duplicates("batch_id")
        )
        judged = judged.merge(top[["batch_id", "reason"]], on="batch_id", how="left")
    else:
        judged["reason"] = None
    return judged


def _column_names(entity: str) -> dict[str, str]:
    """Header spellings (contract name or Chinese label, folded) -> contract column."""
    from pipelines import seeds

    names: dict[str, str] = {}
    for column in seeds.input_columns(entity):
        names[fold(column.name)] = column.name
        names[fold(column.label_zh)] = column.name
    return names


def shift_frame(ctx: GateContext, entity: str, ledger: pd.DataFrame) -> pd.DataFrame:
    """Per judged batch and vocabulary column C: the share of quarantined rows whose value in
    the neighbouring column (left or right, in the file's own column order) is a code of C that
    the neighbour's own vocabulary does not have — the signature of a column shifted by one."""
    from pipelines import seeds

    judged = _judged(ctx, entity, ledger)
    judged = judged[judged["rows_quarantined"] > 0]
    vocab_of = {c.name: c.vocabulary for c in seeds.input_columns(entity) if c.vocabulary}
    labels = {c.name: c.label_zh for c in seeds.input_columns(entity)}
    names = _column_names(entity)
    min_rows = ctx.params("deliveries", "shift_min_rows")
    rows = []
    for batch in judged.itertuples():
        sample = ctx.quarantine_sample(batch.batch_id, SHIFT_SAMPLE_ROWS)
        records = []
        for text in sample["original_values"]:
            try:
                value = json.loads(text) if text else {}
            except ValueError:
                value = {}
            if isinstance(value, dict):
                records.append(value)
        tallies: dict[tuple[str, str, str], int] = {}
        for record in records:
            keys = [names.get(fold(str(k)), str(k)) for k in record]
            values = [fold(str(v)) if v is not None else "" for v in record.values()]
            for i, column in enumerate(keys):
                vocabulary = vocab_of.get(column)
                if vocabulary is None:
                    continue
                own = ctx.spellings(vocabulary)
                for step, side in ((1, "right"), (-1, "left")):
                    j = i + step
                    if not 0 <= j < len(keys):
                        continue
                    neighbour_vocab = vocab_of.get(keys[j])
                    theirs = ctx.spellings(neighbour_vocab) if neighbour_vocab else set()
                    if values[j] in own and values[j] not in theirs and values[i] not in own:
                        key = (column, keys[j], side)
                        tallies[key] = tallies.get(key, 0) + 1
        signatures = [(key, n) for key, n in tallies.items() if n >= min_rows]
        # the leftmost shifted column names the file's problem; the others follow from it
        for (column, neighbour, side), n in signatures[:1]:
            rows.append({
                "batch_id": batch.batch_id,
                "file": batch.file,
                "column": column,
                "column_zh": labels.get(column, column),
                "neighbour": neighbour,
                "neighbour_zh": labels.get(neighbour, neighbour),
                "side": side,
                "rows": n,
                "sampled": len(records),
                "share": n / len(records) if records else 0.0,
                "columns": len(signatures),
            })
    frame = pd.DataFrame(rows, columns=[
        "batch_id", "file", "column", "column_zh", "neighbour", "neighbour_zh", "side", "rows",
        "sampled", "share", "columns",
    ])
    return frame


def delivery_frames(ctx: GateContext, entity: str, extra: Callable[[GateContext], Iterator[Frame]] | None = None) -> Iterator[Frame]:
    ledger = ledger_frame(ctx, entity)
    p = ctx.params

    truncated = truncation_frame(ctx, entity, ledger)
    yield Frame(truncated, [Expect(
        f"{entity}.truncated_file",
        gxe.ExpectColumnValuesToBeInSet(column="last_is_ragged", value_set=[False]),
        lambda rows: "；".join(
            f"{r.file} 的最后一条记录（第 {int(r.last_line)} 行）字段不全，文件在一行中间被截断"
            " (the file ends mid-row)"
            for r in rows.itertuples()
        ),
    )])

    shifted = shift_frame(ctx, entity, ledger)
    limit = p("deliveries", "shift_min_share")
    yield Frame(shifted, [Expect(
        f"{entity}.shifted_columns",
        gxe.ExpectColumnValuesToBeBetween(column="share", max_value=limit, strict_max=True),
        lambda rows: "；".join(
            f"{r.file}：「{r.column_zh}」({r.column}) 的值出现在{'右' if r.side == 'right' else '左'}侧"
            f"一列「{r.neighbour_zh}」({r.neighbour}) 中（抽查的隔离行 {r.rows:,}/{r.sampled:,}）"
            + (f"，共 {r.columns} 列的值错位" if r.columns > 1 else "")
            + f"，疑似列错位 ({r.column} values shifted one column {r.side})"
            for r in rows.itertuples()
        ),
    )])

    shares = quarantine_share_frame(ctx, entity, ledger)
    cap = p("deliveries", "max_quarantine_share")
    jump = p("deliveries", "quarantine_jump")
    yield Frame(shares, [
        Expect(
            f"{entity}.quarantine_share",
            gxe.ExpectColumnValuesToBeBetween(column="share", max_value=cap),
            lambda rows: "；".join(
                f"{r.file} 隔离 {int(r.rows_quarantined):,}/{int(r.rows_read):,} 行 ({r.share:.1%})，"
                f"超过上限 {cap:.0%}" + (f"，主要原因 {r.reason}" if isinstance(r.reason, str) else "")
                + " (quarantined share above the limit)"
                for r in rows.itertuples()
            ),
        ),
        Expect(
            f"{entity}.quarantine_jump",
            gxe.ExpectColumnValuesToBeBetween(column="jump", max_value=jump),
            lambda rows: "；".join(
                f"{r.file} 隔离占比 {r.share:.1%}，此前的文件为 {r.share_before:.1%}"
                " (quarantined share jumped)"
                for r in rows.itertuples()
            ),
        ),
    ])

    explain_ledger = lambda rows: "；".join(
        f"{r.file}：台账 读取 {int(r.rows_read):,} / 载入 {int(r.rows_loaded):,} / 隔离 "
        f"{int(r.rows_quarantined):,}，原始数据 {int(r.raw_rows):,} 行，隔离记录 "
        f"{int(r.quarantine_rows):,} 行 (the ledger does not add up)"
        for r in rows.itertuples()
    )
    yield Frame(ledger, [
        Expect(f"{entity}.ledger_reconciles",
               gxe.ExpectColumnPairValuesToBeEqual(column_A="raw_rows", column_B="rows_loaded"),
               explain_ledger),
        Expect(f"{entity}.ledger_reconciles",
               gxe.ExpectColumnPairValuesToBeEqual(column_A="quarantine_rows", column_B="rows_quarantined"),
               explain_ledger),
        Expect(f"{entity}.ledger_reconciles",
               gxe.ExpectColumnPairValuesToBeEqual(column_A="rows_read", column_B="read_check"),
               explain_ledger),
    ])
    if extra is not None:
        yield from extra(ctx)


# ---------------------------------------------------------------- build phase, per batch
def judged_rows(ctx: GateContext, entity: str) -> Iterator[pd.DataFrame]:
    """The rows of the judged batches in raw.<entity>, in bounded chunks, each row tagged with
    its file (`_file`) and the file's load time (`_loaded_at`). Validating the judged batches
    together costs one GX call per expectation instead of one per file; a failure still names
    the file of each failing row."""
    judged = ctx.judged_batches(entity)
    if judged.empty:
        return
    files = dict(zip(judged["batch_id"], judged["file_name"].map(file_label)))
    loaded = dict(zip(judged["batch_id"], pd.to_datetime(judged["loaded_at"])))
    for chunk in ctx.chunks(
        f"select * from {raw_table(entity)} where _batch_id in (select unnest(?::varchar[])) "
        "order by _batch_id, _line_number",
        [list(files)],
    ):
        if chunk.empty:
            continue
        chunk["_file"] = chunk["_batch_id"].map(files)
        chunk["_loaded_at"] = pd.to_datetime(chunk["_batch_id"].map(loaded))
        yield chunk


def vocabulary_checks(ctx: GateContext, entity: str) -> list[Check]:
    return [
        Check(f"{entity}.{column}_in_vocabulary", raw_table(entity), "error",
              f"{column} 的代码都在词表 {vocabulary} 中（seeds.vocabularies）")
        for column, vocabulary in ctx.vocabulary_columns(entity).items()
    ]


def required_columns(ctx: GateContext, entity: str) -> list[str]:
    rows = ctx.con.sql(
        "select column_name from seeds.input_columns where entity = ? and is_required = 'true' "
        "and value_type <> 'identity' order by sort_order",
        params=[entity],
    ).fetchall()
    return [r[0] for r in rows]


def batch_expects(ctx: GateContext, entity: str) -> list[Expect]:
    """Required values and vocabularies (from the seeds in the build database)."""
    expects = [
        Expect(f"{entity}.required_present", gxe.ExpectColumnValuesToNotBeNull(column=column),
               explain_values(column, "为空 (missing)"))
        for column in required_columns(ctx, entity)
    ]
    for column, vocabulary in ctx.vocabulary_columns(entity).items():
        expects.append(Expect(
            f"{entity}.{column}_in_vocabulary",
            gxe.ExpectColumnValuesToBeInSet(column=column, value_set=ctx.codes(vocabulary)),
            explain_values(column, "不在词表中 (not in the vocabulary)"),
        ))
    return expects


def where(rows: pd.DataFrame) -> str:
    """「file 第 n, m 行」for the first failing rows of a judged-batch frame."""
    if "_file" not in rows or rows.empty:
        return ""
    parts = []
    for file, group in rows.groupby("_file", sort=False):
        lines = ", ".join(str(int(v)) for v in group["_line_number"].head(3))
        parts.append(f"{file} 第 {lines} 行")
    return "（" + "；".join(parts[:2]) + "）"


def explain_values(column: str, what: str) -> Callable[[pd.DataFrame], str]:
    def explain(rows: pd.DataFrame) -> str:
        values = ", ".join(repr(_plain(v)) for v in rows[column].drop_duplicates().head(5))
        return f"{column} = {values} {what}{where(rows)}"

    return explain


def _plain(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ")
    return value


def date_checks(entity: str, column: str) -> list[Check]:
    return [
        Check(f"{entity}.{column}_not_after_loading", raw_table(entity), "error",
              f"{column} 不晚于该文件的载入时间"),
        Check(f"{entity}.{column}_plausible", raw_table(entity), "warn",
              f"{column} 不早于 [ranges] min_year 年"),
    ]


def date_expects(ctx: GateContext, entity: str, column: str) -> list[Expect]:
    earliest = pd.Timestamp(datetime(int(ctx.params("ranges", "min_year")), 1, 1))
    return [
        Expect(f"{entity}.{column}_not_after_loading",
               gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="_loaded_at", column_B=column, or_equal=True,
                                                           ignore_row_if="either_value_is_missing"),
               explain_values(column, "晚于文件的载入时间 (dated after loading)")),
        Expect(f"{entity}.{column}_plausible",
               gxe.ExpectColumnMinToBeBetween(column=column, min_value=earliest),
               lambda rows: f"最早的 {column} 早于 {earliest:%Y} 年 (implausibly old)"),
    ]


def unique_check(entity: str, key: str, severity: str) -> Check:
    return Check(f"{entity}.{key.replace(', ', '_')}_unique_in_batch", raw_table(entity), severity,
                 f"同一交付文件中 ({key}) 不重复")


def unique_frame(ctx: GateContext, entity: str, key: str) -> Frame:
    """Keys repeated within one judged file, counted in DuckDB (exact whatever the size)."""
    name = f"{entity}.{key.replace(', ', '_')}_unique_in_batch"
    judged = ctx.judged_batches(entity)
    files = dict(zip(judged["batch_id"], judged["file_name"].map(file_label)))
    counts = ctx.df(
        f"select _batch_id, {key}, count(*) as n from {raw_table(entity)} "
        "where _batch_id in (select unnest(?::varchar[])) group by all",
        [list(files) or [""]],
    )
    counts["_file"] = counts["_batch_id"].map(files)
    first = key.split(", ")[0]
    return Frame(counts, [Expect(
        name, gxe.ExpectColumnValuesToBeBetween(column="n", max_value=1),
        lambda rows: "；".join(f"{r._file}: {first} = {getattr(r, first)!r} 出现 {int(r.n)} 次 (repeated)"
                              for r in rows.head(3).itertuples()),
    )])


# ---------------------------------------------------------------- build phase, raw → staging
def reconcile_check(entity: str, staging: str) -> Check:
    return Check(f"{entity}.raw_to_staging", f"staging.{staging}", "error",
                 "原始数据去重后的键数等于 staging 行数（最新交付优先，相同事件合并）")


def reconcile_frame(ctx: GateContext, entity: str, staging: str, key_sql: str) -> Frame:
    counts = ctx.df(
        f"select (select count(*) from (select distinct {key_sql} from {raw_table(entity)})) as raw_keys, "
        f"(select count(*) from {raw_table(entity)}) as raw_rows, "
        f"(select count(*) from staging.{staging}) as staging_rows"
    )
    r = counts.iloc[0]
    note = f"原始 {int(r.raw_rows):,} 行，{int(r.raw_keys):,} 个不同键 → staging {int(r.staging_rows):,} 行"
    return Frame(counts, [Expect(
        f"{entity}.raw_to_staging",
        gxe.ExpectColumnPairValuesToBeEqual(column_A="raw_keys", column_B="staging_rows"),
        lambda rows: note + " (raw does not reconcile with staging)",
    )], note=note)


def batch_frames(
    ctx: GateContext,
    entity: str,
    extra: Callable[[GateContext, pd.DataFrame], list[Expect]] | None = None,
) -> Iterator[Frame]:
    """The judged batches' rows (in chunks) with the required, vocabulary and extra expectations."""
    for chunk in judged_rows(ctx, entity):
        expects = batch_expects(ctx, entity)
        if extra is not None:
            expects += extra(ctx, chunk)
        yield Frame(chunk, expects)


def batch_checks(ctx: GateContext, entity: str) -> list[Check]:
    return [
        Check(f"{entity}.required_present", raw_table(entity), "error",
              "必填列（seeds.input_columns）在每个交付文件中都有值"),
        *vocabulary_checks(ctx, entity),
    ]


# ---------------------------------------------------------------- an entity with a key only
def keyed_entity_suites(entity: str, key: str, staging: str, severity: str = "warn") -> list[Suite]:
    """The two suites of an entity that needs no checks of its own: the shared delivery and
    batch checks, its key unique within a file (`severity`), and raw → staging by that key."""

    def entity_delivery_checks(ctx: GateContext) -> list[Check]:
        return delivery_checks(entity)

    def entity_delivery_frames(ctx: GateContext) -> Iterator[Frame]:
        yield from delivery_frames(ctx, entity)

    def entity_batch_checks(ctx: GateContext) -> list[Check]:
        return [*batch_checks(ctx, entity), unique_check(entity, key, severity),
                reconcile_check(entity, staging)]

    def entity_batch_frames(ctx: GateContext) -> Iterator[Frame]:
        yield from batch_frames(ctx, entity)
        yield unique_frame(ctx, entity, key)
        yield reconcile_frame(ctx, entity, staging, key)

    return [
        Suite(f"{entity}.delivery", "delivery", entity_delivery_checks, entity_delivery_frames),
        Suite(f"{entity}.batches", "build", entity_batch_checks, entity_batch_frames),
    ]
