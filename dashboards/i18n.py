"""Display labels of the dashboards, Chinese first with English available (`?lang=en`).

Input vocabularies (channels, levels, ...) have their labels in the seeds; this module holds
only what belongs to presentation: page texts and the labels of the warehouse's own status
codes (ledger statuses, quarantine reasons, entity names).
"""

from __future__ import annotations

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

TEXTS: dict[str, dict[str, str]] = {
    "app_title": {"zh": "信访数据仓库", "en": "Petition-work warehouse"},
    "switch_lang": {"zh": "English", "en": "中文"},
    "quality_nav": {"zh": "数据质量", "en": "Data quality"},
    "quality_title": {"zh": "数据质量 · 载入记录", "en": "Data quality · load ledger"},
    "quality_intro": {
        "zh": "每个送达文件的读取、载入与隔离行数；被隔离的行按原因统计；"
        "已发布构建中各实体的行数。",
        "en": "Rows read, loaded and quarantined per delivered file; quarantined rows by "
        "reason; rows per entity in the published build.",
    },
    "audit_note": {
        "zh": "载入记录与隔离记录为读取时的最新状态，可能包含最近一次发布之后的导入。",
        "en": "The ledger and quarantine are shown as they are now, including loads since "
        "the last published build.",
    },
    "refresh": {"zh": "刷新", "en": "Refresh"},
    "published_build": {"zh": "已发布构建", "en": "Published build"},
    "as_of": {"zh": "数据截止日期", "en": "As of"},
    "built_at": {"zh": "构建时间", "en": "Built at"},
    "no_build": {
        "zh": "尚无已发布的构建。请先运行 xinfang build（或 make run）。",
        "en": "Nothing has been published yet. Run xinfang build (or make run) first.",
    },
    "no_ledger": {
        "zh": "尚无载入记录。请先运行 xinfang ingest 导入数据。",
        "en": "No files loaded yet. Run xinfang ingest first.",
    },
    "no_quarantine": {"zh": "没有被隔离的行。", "en": "No rows quarantined."},
    "no_models": {
        "zh": "已发布构建中尚无 staging 模型。",
        "en": "The published build has no staging models yet.",
    },
    "files": {"zh": "文件数", "en": "Files"},
    "rows_read": {"zh": "读取行数", "en": "Rows read"},
    "rows_loaded": {"zh": "载入行数", "en": "Rows loaded"},
    "rows_quarantined": {"zh": "隔离行数", "en": "Rows quarantined"},
    "files_refused": {"zh": "拒收文件", "en": "Files refused"},
    "ledger_title": {"zh": "载入记录", "en": "Load ledger"},
    "quarantine_title": {"zh": "隔离原因", "en": "Quarantine by reason"},
    "entities_title": {"zh": "各实体行数（已发布构建）", "en": "Rows per entity (published build)"},
    "col_file_name": {"zh": "文件", "en": "File"},
    "col_entity": {"zh": "实体", "en": "Entity"},
    "col_status": {"zh": "状态", "en": "Status"},
    "col_loaded_at": {"zh": "载入时间", "en": "Loaded at"},
    "col_balanced": {"zh": "行数平衡", "en": "Balanced"},
    "col_message": {"zh": "说明", "en": "Message"},
    "col_sha": {"zh": "文件指纹", "en": "SHA-256"},
    "col_reason": {"zh": "原因", "en": "Reason"},
    "col_rows": {"zh": "行数", "en": "Rows"},
    "col_model": {"zh": "模型", "en": "Model"},
    "col_files": {"zh": "涉及文件", "en": "Files"},
}

STATUS_LABELS: dict[str, dict[str, str]] = {
    "loaded": {"zh": "已载入", "en": "Loaded"},
    "duplicate": {"zh": "重复文件（未改变）", "en": "Duplicate (no change)"},
    "refused": {"zh": "拒收", "en": "Refused"},
}

REASON_LABELS: dict[str, dict[str, str]] = {
    "missing_required": {"zh": "缺少必填项", "en": "Missing required value"},
    "bad_date": {"zh": "日期无法识别", "en": "Unreadable date"},
    "future_date": {"zh": "日期晚于载入时间", "en": "Date in the future"},
    "bad_vocabulary": {"zh": "取值不在词表中", "en": "Value not in vocabulary"},
    "bad_number": {"zh": "数字无效", "en": "Invalid number"},
    "ragged_row": {"zh": "字段个数不符", "en": "Wrong number of fields"},
    "superseded_in_file": {"zh": "同一文件内被后行取代", "en": "Superseded within the file"},
}

ENTITY_LABELS: dict[str, dict[str, str]] = {
    "villages": {"zh": "村居", "en": "Villages"},
    "cadres": {"zh": "干部", "en": "Cadres"},
    "cases": {"zh": "信访件", "en": "Cases"},
    "case_events": {"zh": "办理过程", "en": "Case events"},
}


def lang_of(value: str | None) -> str:
    return value if value in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG) -> str:
    entry = TEXTS[key]
    return entry.get(lang_of(lang)) or entry[DEFAULT_LANG]


def _label(table: dict[str, dict[str, str]], code: str | None, lang: str) -> str:
    if code is None:
        return ""
    entry = table.get(code)
    return entry[lang_of(lang)] if entry else code


def status_label(code: str | None, lang: str = DEFAULT_LANG) -> str:
    return _label(STATUS_LABELS, code, lang)


def reason_label(code: str | None, lang: str = DEFAULT_LANG) -> str:
    return _label(REASON_LABELS, code, lang)


def entity_label(code: str | None, lang: str = DEFAULT_LANG) -> str:
    return _label(ENTITY_LABELS, code, lang)
