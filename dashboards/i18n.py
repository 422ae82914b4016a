"""Display labels of the dashboards, Chinese first with English available (`?lang=en`).

Input vocabularies (channels, levels, ...) have their labels in the seeds; this module holds
only what belongs to presentation: page texts and the labels of the warehouse's own status
codes (ledger statuses, quarantine reasons, entity names).
"""

from __future__ import annotations

from functools import cache

from pipelines import seeds

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
    # --- shared by every page ------------------------------------------------------------
    "filter_year": {"zh": "年度", "en": "Year"},
    "filter_scope": {"zh": "范围", "en": "Scope"},
    "filter_town": {"zh": "镇区", "en": "Town"},
    "filter_indicator": {"zh": "漏斗图指标", "en": "Funnel indicator"},
    "county": {"zh": "全县", "en": "Whole county"},
    "all_towns": {"zh": "全部镇区", "en": "All towns"},
    "year_suffix": {"zh": "{year}年", "en": "{year}"},
    "download_csv": {"zh": "下载 CSV", "en": "Download CSV"},
    "download_xlsx": {"zh": "下载 Excel", "en": "Download Excel"},
    "build_stamp": {
        "zh": "数据截止 {as_of} · 构建 {build_id} · 构建时间 {built_at}",
        "en": "As of {as_of} · build {build_id} · built {built_at}",
    },
    "no_data_year": {
        "zh": "所选年度没有数据。请换一个年度。",
        "en": "No data for the chosen year. Choose another year.",
    },
    "no_rows": {"zh": "没有符合条件的记录。", "en": "Nothing matches the filters."},
    "read_error": {
        "zh": "读取数据时出错：{message}。请稍后刷新页面；如仍出错，请联系管理员。",
        "en": "The data could not be read: {message}. Refresh the page later; if it persists, "
        "tell the administrator.",
    },
    "yes": {"zh": "是", "en": "Yes"},
    "no": {"zh": "否", "en": "No"},
    "items_unit": {"zh": "件", "en": "items"},
    "month_axis": {"zh": "月份", "en": "Month"},
    "year_axis": {"zh": "年度", "en": "Year"},
    "items_axis": {"zh": "件数", "en": "Items"},
    "per_1k_axis": {"zh": "每千人信访量（件）", "en": "Items per 1,000 residents"},
    "population_axis": {"zh": "户籍人口（人）", "en": "Registered residents"},
    "share_axis": {"zh": "比率", "en": "Rate"},
    "days_axis": {"zh": "办结用时中位数（天）", "en": "Median days to close"},
    "rank_axis": {"zh": "排名（1 为最好）", "en": "Rank (1 is best)"},
    "rate_ratio_axis": {"zh": "率比（本年 ÷ 上年，对数刻度）", "en": "Rate ratio (this year ÷ last, log)"},
    "not_ranked_yet": {
        "zh": "排名模型尚未发布（等待含排名列的构建），以下按原始数据列出，不作排名依据。",
        "en": "The ranking model is not in this build yet; the rows below are raw figures, "
        "not a ranking.",
    },
    # --- nav -----------------------------------------------------------------------------
    "overview_nav": {"zh": "总览 · 一低四控", "en": "Overview"},
    "villages_nav": {"zh": "村居排名 · 示范村居", "en": "Villages"},
    "cadres_nav": {"zh": "干部考评", "en": "Cadres"},
    "handling_nav": {"zh": "办理质量", "en": "Handling"},
    "docs_nav": {"zh": "数据字典", "en": "Data dictionary"},
    # --- overview --------------------------------------------------------------------------
    "overview_title": {"zh": "总览 · 一低四控", "en": "Overview · one low, four controls"},
    "overview_intro": {
        "zh": "信访总量与重复、越级、集体、异常四类信访的年度对比（率比及95%置信区间），"
        "按月趋势与控制限，全县到镇区、村居的逐级查看。点击镇区柱条可下钻。",
        "en": "Total items and the four controlled kinds against last year (rate ratio with "
        "its 95% interval), monthly trends with control limits, and the county → town → "
        "village drill-down. Click a town's bar to drill down.",
    },
    "prev_year": {"zh": "上年", "en": "Last year"},
    "change": {"zh": "同比", "en": "Change"},
    "interval_95": {"zh": "95%区间", "en": "95% interval"},
    "sig_fall": {"zh": "显著下降", "en": "Significant fall"},
    "sig_rise": {"zh": "显著上升", "en": "Significant rise"},
    "not_sig": {"zh": "变化不显著", "en": "Not significant"},
    "controlled": {"zh": "已控制", "en": "Controlled"},
    "not_controlled": {"zh": "未控制", "en": "Not controlled"},
    "low_running": {"zh": "低位运行", "en": "Low running"},
    "not_low_running": {"zh": "未低位运行", "en": "Not low running"},
    "no_prev_year": {"zh": "无上年数据", "en": "No previous year"},
    "target": {"zh": "目标", "en": "Target"},
    "target_met": {"zh": "达标", "en": "On target"},
    "target_missed": {"zh": "未达标", "en": "Off target"},
    "no_target": {"zh": "未设目标", "en": "No target"},
    "visits_detail": {
        "zh": "来访 {visits} 件，其中重复来访 {repeat} 件",
        "en": "{visits} visits, {repeat} of them repeats",
    },
    "trend_title": {"zh": "按月趋势与控制限", "en": "Monthly trends with control limits"},
    "trend_note": {
        "zh": "控制限按全部月份计算：u 图（泊松波动）；当月度波动明显大于泊松波动时改用 "
        "Laney u′ 图。红点为超出控制限的月份，阴影为所选年度。",
        "en": "Limits over all months: a u-chart, or Laney's u′ chart when the months vary "
        "more than Poisson. Red points are outside the limits; the shaded band is the "
        "chosen year.",
    },
    "series_monthly": {"zh": "月度件数", "en": "Items per month"},
    "series_centre": {"zh": "中心线", "en": "Centre line"},
    "series_limits": {"zh": "控制限（{method}）", "en": "Control limits ({method})"},
    "series_signal": {"zh": "超出控制限", "en": "Outside the limits"},
    "method_u": {"zh": "u 图", "en": "u-chart"},
    "method_laney": {"zh": "Laney u′ 图", "en": "Laney u′ chart"},
    "change_title": {"zh": "同比变化（率比与95%区间）", "en": "Change on last year (rate ratio, 95%)"},
    "drill_county_title": {"zh": "各镇区每千人信访量", "en": "Items per 1,000 residents by town"},
    "drill_town_title": {"zh": "{town}各村居每千人信访量", "en": "{town}: items per 1,000 by village"},
    "drill_back": {"zh": "返回全县", "en": "Back to the county"},
    "drill_hint": {"zh": "点击镇区柱条查看该镇区", "en": "Click a town to drill down"},
    "county_average": {"zh": "全县平均", "en": "County average"},
    "standard_line": {"zh": "创建标准", "en": "Standard"},
    "drill_table_title": {"zh": "明细表", "en": "Table"},
    "legend_low": {"zh": "低位运行", "en": "Low running"},
    "legend_not_low": {"zh": "高于上年", "en": "Above last year"},
    "legend_unknown": {"zh": "无上年数据", "en": "No previous year"},
    "legend_meets": {"zh": "达到创建标准", "en": "Meets the standard"},
    "legend_not_meets": {"zh": "未达标", "en": "Does not meet it"},
    # --- columns ----------------------------------------------------------------------------
    "col_town": {"zh": "镇区", "en": "Town"},
    "col_village": {"zh": "村居", "en": "Village"},
    "col_population": {"zh": "户籍人口", "en": "Residents"},
    "col_petitions": {"zh": "信访总量", "en": "Items"},
    "col_petitions_prev": {"zh": "上年总量", "en": "Items last year"},
    "col_per_1k": {"zh": "每千人信访量", "en": "Per 1,000"},
    "col_per_1k_eb": {"zh": "每千人（收缩估计）", "en": "Per 1,000 (EB)"},
    "col_repeat": {"zh": "重复", "en": "Repeat"},
    "col_skip": {"zh": "越级", "en": "Skip-level"},
    "col_collective": {"zh": "集体", "en": "Collective"},
    "col_abnormal": {"zh": "异常", "en": "Abnormal"},
    "col_visits": {"zh": "来访", "en": "Visits"},
    "col_repeat_visit_share": {"zh": "重访占来访比", "en": "Repeat-visit share"},
    "col_low_running": {"zh": "低位运行", "en": "Low running"},
    "col_controls": {"zh": "四控达成", "en": "Controls met"},
    "col_meets": {"zh": "达到创建标准", "en": "Meets standard"},
    "col_rank": {"zh": "排名（中位）", "en": "Median rank"},
    "col_rank_interval": {"zh": "90%排名区间", "en": "90% rank interval"},
    "col_p_top": {"zh": "前10%概率", "en": "P(top 10%)"},
    "col_p_bottom": {"zh": "后10%概率", "en": "P(bottom 10%)"},
    "col_insufficient": {"zh": "数据不足", "en": "Too little data"},
    "col_composite": {"zh": "综合得分", "en": "Composite"},
    "col_under_registration": {"zh": "疑似漏登", "en": "Possible under-registration"},
    "col_funnel": {"zh": "漏斗位置", "en": "Funnel position"},
    "col_name": {"zh": "姓名", "en": "Name"},
    "col_unit": {"zh": "单位", "en": "Unit"},
    "col_post": {"zh": "职务", "en": "Post"},
    "col_as_lead": {"zh": "包保领导件", "en": "As lead"},
    "col_as_responsible": {"zh": "责任人件", "en": "As responsible"},
    "col_assigned": {"zh": "包保件数", "en": "Items"},
    "col_closed": {"zh": "办结", "en": "Closed"},
    "col_on_time_rate": {"zh": "按期办结率", "en": "On time"},
    "col_ceased_rate": {"zh": "停诉息访率", "en": "Ceased"},
    "col_satisfaction_rate": {"zh": "满意率", "en": "Satisfaction"},
    "col_repeats_after_close": {"zh": "办结后重复", "en": "Repeats after close"},
    "col_escalations": {"zh": "越级升级", "en": "Escalations"},
    "col_flag_reason": {"zh": "原因", "en": "Reason"},
    "col_first_time_closure_rate": {"zh": "一个月内办结率", "en": "Closed in a month"},
    "col_accepted_on_time_rate": {"zh": "按时受理率", "en": "Accepted on time"},
    "col_feedback_on_time_rate": {"zh": "按时反馈率", "en": "Feedback on time"},
    "col_shelved_share": {"zh": "暂存件占比", "en": "Shelved share"},
    "col_case_conversion_rate": {"zh": "线索成案率", "en": "Leads → cases"},
    "col_real_name_share": {"zh": "实名占比", "en": "Real-name share"},
    "col_letters": {"zh": "来信", "en": "Letters"},
    "col_median_days_real": {"zh": "实名办结天数中位", "en": "Median days, real-name"},
    "col_median_days_anon": {"zh": "匿名办结天数中位", "en": "Median days, anonymous"},
    "col_check": {"zh": "检查项", "en": "Check"},
    "col_table": {"zh": "数据表", "en": "Table"},
    "col_severity": {"zh": "级别", "en": "Severity"},
    "col_observed": {"zh": "观测值", "en": "Observed"},
    "col_detail": {"zh": "说明", "en": "Detail"},
    "col_build": {"zh": "构建", "en": "Build"},
    "col_started": {"zh": "开始时间", "en": "Started"},
    "col_finished": {"zh": "结束时间", "en": "Finished"},
    "col_failed_check": {"zh": "失败检查", "en": "Failed check"},
    "den_population": {"zh": "户籍人口（人）", "en": "Registered residents"},
    "den_items": {"zh": "分母件数", "en": "Items (denominator)"},
    "per_1k_suffix": {"zh": "{label}（每千人）", "en": "{label} per 1,000"},
    "rank_unranked": {"zh": "未排名", "en": "Not ranked"},
    # --- villages ---------------------------------------------------------------------------
    "villages_title": {"zh": "村居排名 · 示范村居", "en": "Village ranking · model villages"},
    "villages_intro": {
        "zh": "排名按收缩估计与蒙特卡洛模拟给出排名中位数及90%区间，小村居不因偶然波动"
        "排在前后；五项创建标准逐项判定；漏斗图显示各村居是否明显偏离全县水平。",
        "en": "Ranks are medians with 90% intervals from shrunk estimates, so small villages "
        "are not ranked on chance; the five standards are judged one by one; the funnel "
        "plot shows which villages differ clearly from the county.",
    },
    "ranking_title": {"zh": "村居排名", "en": "Village ranking"},
    "funnel_title": {"zh": "漏斗图：{indicator}", "en": "Funnel plot: {indicator}"},
    "funnel_note": {
        "zh": "横轴为{x}（对数刻度），纵轴为{y}；虚线为95%、点线为99.8%控制限（已按过度离散"
        "调整），实线为全县水平。颜色按构建中的漏斗位置。悬停可看村居名称。",
        "en": "{x} across (log scale), {y} up; dashed lines are the 95% and dotted the 99.8% "
        "limits (adjusted for overdispersion) around the county value. Colours follow the "
        "build's funnel positions. Hover for the village.",
    },
    "den_first_time_due": {"zh": "初信初访应办结件数", "en": "First-time items due"},
    "den_rated": {"zh": "参评件数", "en": "Rated items"},
    "grp_rank": {"zh": "排名（模拟）", "en": "Rank (simulated)"},
    "grp_volume": {"zh": "信访量", "en": "Volume"},
    "grp_standard": {"zh": "创建标准逐项达标", "en": "Standards met"},
    "grp_decision": {"zh": "判定", "en": "Decisions"},
    "grp_cadre": {"zh": "干部", "en": "Cadre"},
    "grp_handling": {"zh": "包保件办理", "en": "Items in charge"},
    "col_rank_short": {"zh": "中位", "en": "Median"},
    "col_all_met": {"zh": "全部达标", "en": "All met"},
    "rank_note": {
        "zh": "区间越宽，说明数据越不足以区分名次；奖惩依据概率与区间，不看单一名次。",
        "en": "The wider the interval, the less the data can tell ranks apart; awards and "
        "accountability follow probabilities and intervals, never a bare rank.",
    },
    "funnel_within": {"zh": "在限内", "en": "Within limits"},
    "funnel_above_95": {"zh": "高于95%限", "en": "Above 95%"},
    "funnel_above_998": {"zh": "高于99.8%限", "en": "Above 99.8%"},
    "funnel_below_95": {"zh": "低于95%限", "en": "Below 95%"},
    "funnel_below_998": {"zh": "低于99.8%限", "en": "Below 99.8%"},
    "funnel_limit_95": {"zh": "95%控制限", "en": "95% limits"},
    "funnel_limit_998": {"zh": "99.8%控制限", "en": "99.8% limits"},
    "model_list_title": {"zh": "示范村居名单", "en": "Model villages"},
    "model_list_fallback": {
        "zh": "排名模型尚未发布，以下为本年度达到全部五项创建标准的村居。",
        "en": "The ranking model is not published yet: these villages meet all five "
        "standards this year.",
    },
    "under_title": {"zh": "疑似漏登提示", "en": "Possible under-registration"},
    "under_none": {"zh": "本年度没有疑似漏登的村居。", "en": "No village flagged this year."},
    "under_pending": {
        "zh": "漏登提示需要排名模型，当前构建尚未包含。",
        "en": "Under-registration flags come with the ranking model, not in this build yet.",
    },
    "model_none": {"zh": "本年度没有村居入选。", "en": "No village qualifies this year."},
    "model_list_intro": {
        "zh": "达到全部五项创建标准且无少登记疑点的村居，共 {count} 个（达标名单，不是排名）。",
        "en": "{count} villages meet all five standards with no under-registration signal "
        "(a pass list, not a ranking).",
    },
    "under_intro": {
        "zh": "县以上登记量超出其人口规模对应的控制限，而本地登记量不高于全县水平：可能存在"
        "少登记，应核查，不作为表扬依据。",
        "en": "Items lodged above the county beyond the limit for the village's size while "
        "local registrations are no higher than the county's: check for under-registration; "
        "never a reason for praise.",
    },
    "std_col": {"zh": "{label}达标", "en": "{label} within standard"},
    "col_model_village": {"zh": "示范村居", "en": "Model village"},
    "col_accountability_flags": {"zh": "问责提示数", "en": "Accountability flags"},
    "col_above_county": {"zh": "县以上登记件数", "en": "Lodged above county"},
    "col_above_county_per_1k": {"zh": "县以上每千人", "en": "Above county per 1,000"},
    "col_above_county_limit": {"zh": "控制限", "en": "Limit"},
    "col_local_per_1k": {"zh": "本地每千人", "en": "Local per 1,000"},
    "col_county_local_per_1k": {"zh": "全县本地每千人", "en": "County local per 1,000"},
    "col_indicator": {"zh": "指标", "en": "Indicator"},
    "col_years_beyond": {"zh": "连续超限年数", "en": "Years beyond"},
    "col_this_year": {"zh": "本年（件/分母）", "en": "This year (n / d)"},
    "col_prev_year_counts": {"zh": "上年（件/分母）", "en": "Last year (n / d)"},
    "col_value_limit": {"zh": "本年值 / 99.8%限", "en": "Value / 99.8% limit"},
    "col_order": {"zh": "序号", "en": "No."},
    "col_candidate": {"zh": "先进候选", "en": "Candidate"},
    "card_villages": {"zh": "村居数", "en": "Villages"},
    "card_meets": {"zh": "达到创建标准", "en": "Meet the standard"},
    "card_model": {"zh": "示范村居", "en": "Model villages"},
    "card_under": {"zh": "疑似漏登", "en": "Possible under-registration"},
    "card_insufficient": {"zh": "数据不足未排名", "en": "Not ranked (too little data)"},
    # --- cadres -----------------------------------------------------------------------------
    "cadres_title": {"zh": "干部考评", "en": "Cadre assessment"},
    "cadres_intro": {
        "zh": "包保干部的办结、按期、息访与满意情况，排名给出中位数与90%区间；"
        "先进个人候选与问责提示均列出所依据的件数。",
        "en": "Closure, timeliness, ceased and satisfaction for the cadres in charge, with "
        "median ranks and 90% intervals; candidates and accountability flags show the "
        "counts behind them.",
    },
    "cadre_ranking_title": {"zh": "干部排名", "en": "Cadre ranking"},
    "rank_chart_title": {
        "zh": "排名区间（中位数与90%区间，前 {n} 位）",
        "en": "Rank intervals (median and 90%, best {n})",
    },
    "cadre_scatter_title": {"zh": "按期办结率与包保件数", "en": "On-time rate against items"},
    "candidates_title": {"zh": "先进个人候选", "en": "Advanced-individual candidates"},
    "flags_title": {"zh": "问责提示", "en": "Accountability flags"},
    "decision_pending": {
        "zh": "该名单需要排名模型，当前构建尚未包含。",
        "en": "This list comes with the ranking model, not in this build yet.",
    },
    "candidates_none": {"zh": "本年度没有候选人。", "en": "No candidate this year."},
    "flags_none": {"zh": "本年度没有问责提示。", "en": "No flag this year."},
    "card_cadres": {"zh": "有包保件的干部", "en": "Cadres with items"},
    "card_candidates": {"zh": "先进候选", "en": "Candidates"},
    "card_flags": {"zh": "问责提示", "en": "Flags"},
    "all_cadres": {"zh": "全部干部", "en": "All cadres"},
    # --- handling ---------------------------------------------------------------------------
    "handling_title": {"zh": "办理质量", "en": "Handling quality"},
    "handling_intro": {
        "zh": "一个月内办结、法定期限内受理与办结、暂存件占比、线索成案、满意与息访，"
        "信访方式构成（来信与来访）以及实名与匿名件的办结用时。",
        "en": "Closure within a month, statutory timeliness, shelved share, leads turned "
        "into cases, satisfaction and ceased rates, the channel mix (letters against "
        "visits) and days to close for real-name against anonymous items.",
    },
    "rates_trend_title": {"zh": "主要办理指标（按年度）", "en": "Main handling rates by year"},
    "channel_title": {"zh": "来信与来访（按月）", "en": "Letters and visits by month"},
    "realname_title": {"zh": "实名与匿名件办结用时", "en": "Days to close: real-name and anonymous"},
    "towns_table_title": {"zh": "各镇区办理质量", "en": "Handling by town"},
    "real_name": {"zh": "实名", "en": "Real-name"},
    "col_rated": {"zh": "参评件数", "en": "Rated items"},
    "anonymous": {"zh": "匿名", "en": "Anonymous"},
    "pp_change": {"zh": "较上年 {delta}", "en": "{delta} on last year"},
    "of_denominator": {"zh": "{num} / {den} 件", "en": "{num} of {den}"},
    # --- quality ----------------------------------------------------------------------------
    "checks_title": {"zh": "测试与期望检查结果（已发布构建）", "en": "Tests and expectations (published build)"},
    "checks_summary": {
        "zh": "共 {total} 项：通过 {passed} 项，未通过 {failed} 项（其中警告 {warned} 项）",
        "en": "{total} checks: {passed} passed, {failed} failed ({warned} warnings)",
    },
    "no_checks": {"zh": "该构建没有检查记录。", "en": "No check results for this build."},
    "builds_title": {"zh": "构建记录", "en": "Builds"},
    "no_builds": {"zh": "尚无构建记录。", "en": "No builds yet."},
    "status_pass": {"zh": "通过", "en": "Pass"},
    "status_fail": {"zh": "未通过", "en": "Fail"},
    "severity_error": {"zh": "错误", "en": "Error"},
    "severity_warn": {"zh": "警告", "en": "Warning"},
    "build_published": {"zh": "已发布", "en": "Published"},
    "build_failed": {"zh": "失败", "en": "Failed"},
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


def colon(lang: str) -> str:
    """The label separator: a full-width colon in Chinese."""
    return "：" if lang_of(lang) == "zh" else ": "


def lang_of(value: str | None) -> str:
    return value if value in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    entry = TEXTS[key]
    text = entry.get(lang_of(lang)) or entry[DEFAULT_LANG]
    return text.format(**values) if values else text


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


# Indicator names come from the seeds (dashboard_targets, then village_standards).
@cache
def _indicator_rows() -> dict[str, dict[str, str]]:
    rows = {r["indicator"]: r for r in seeds.read_seed("dashboard_targets")}
    for r in seeds.read_seed("village_standards"):
        rows.setdefault(r["indicator"], r)
    return rows


def indicator_label(code: str, lang: str = DEFAULT_LANG) -> str:
    row = _indicator_rows().get(code)
    if not row:
        return code
    return row["label_en"] if lang_of(lang) == "en" else row["label_zh"]


def vocab_label(vocabulary: str, code: str | None, lang: str = DEFAULT_LANG) -> str:
    """A vocabulary code's label from the seeds (channel, level, ...)."""
    if code is None:
        return ""
    return seeds.labels(vocabulary, lang_of(lang)).get(code, code)
