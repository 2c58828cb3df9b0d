"""Chinese labels of the files the tool writes: column headers and enum values."""

HEADERS_ZH = {
    "candidate_id": "干部编号", "candidate_name": "姓名", "department": "派出单位",
    "post_id": "岗位编号", "post_name": "岗位名称", "kind": "挂职类型", "unit": "单位",
    "region": "地区", "team": "班子", "priority": "优先级", "fit": "匹配度",
    "fit_score": "匹配度_考核分", "fit_development": "匹配度_补经历",
    "fit_reserve": "匹配度_后备干部", "fit_party": "匹配度_党员",
    "fit_dept_priority": "匹配度_优先单位",
    "fit_category_match": "匹配度_类别对口", "fit_preference": "匹配度_本人志愿",
    "fit_affinity": "匹配度_组织评价", "type": "类型", "id": "编号", "name": "名称",
    "empty_seats": "空缺职数", "eligible": "符合条件数", "rank": "顺位",
    "alternate_id": "备选干部编号", "alternate_name": "备选姓名", "alternate_fit": "备选匹配度",
    "fit_cost": "互换减少匹配度", "exceptions": "例外事项",
}  # fmt: skip
"""Column headers with ``--lang zh``; ``matcher check`` reads either language."""
VALUES_ZH = {
    "grassroots": "下挂", "petition": "平挂·信访", "key_project": "平挂·重点工程",
    "external": "外挂", "upward": "上挂", "cadre": "干部", "seat": "岗位",
    "general": "一般干部", "section": "乡科级", "county": "县处级",
    "secondary": "中专/高中", "associate": "大专", "bachelor": "本科", "master": "硕士",
    "doctor": "博士", "section_deputy": "副科级", "section_full": "正科级",
    "county_deputy": "副处级", "county_full": "正处级",
}  # fmt: skip
TERM_ZH = {
    "score": "考核分",
    "development": "补经历",
    "reserve": "后备干部",
    "party": "党员",
    "dept_priority": "优先单位",
    "category_match": "单位类别对口",
    "preference": "本人志愿",
    "affinity": "组织评价",
}
"""The fit terms as ``explain`` names them; a planner may head a column with them."""
EXCEPTION_ZH = {"age_cap": "年龄上限", "min_education": "学历要求"}
"""The rules an exception may waive (format v1.1): in ``explain`` and the report, and
accepted back in ``exceptions.csv``."""
FAMILY_ZH = {
    "one post": "一人一岗",
    "seats": "岗位职数",
    "must place": "任职满期须交流",
    "department quota": "单位选派名额",
    "local ratio": "班子本地干部比例",
    "group": "工作组",
}
"""The rule families in a conflict message (the terminal, and the note of a scenario)."""
TIER_ZH = {"coverage": "覆盖度", "kept": "保留原安排", "fit": "匹配度"}
"""The objective's tiers on the progress line; the same words as the files' headers."""
CHANGES_HEADERS_ZH = {
    "candidate_id": "干部编号",
    "candidate_name": "姓名",
    "before_post_id": "原岗位编号",
    "before_post_name": "原岗位名称",
    "after_post_id": "新岗位编号",
    "after_post_name": "新岗位名称",
    "change": "变动",
    "reason": "原因",
}
"""Column headers of a re-plan's ``changes.csv`` with ``--lang zh``, in the file's order."""
SCENARIO_HEADERS_ZH = {
    "variant": "情景", "description": "说明", "status": "状态", "seats": "职数",
    "cadres": "干部数", "coverage": "覆盖度", "coverage_bound": "覆盖度上界", "fit": "匹配度",
    "fit_bound": "匹配度上界", "gap": "差距", "proof": "最优性证明", "seats_filled": "已填职数",
    "cadres_placed": "已安排干部", "moved": "调整岗位", "newly_placed": "新安排",
    "no_longer_placed": "不再安排", "note": "备注", "candidate_id": "干部编号",
    "candidate_name": "姓名", "change": "变化", "base_post": "基准岗位",
    "base_post_name": "基准岗位名称", "variant_post": "情景岗位",
    "variant_post_name": "情景岗位名称",
}  # fmt: skip
"""Column headers of the scenario sweep's ``comparison.csv`` and ``changes.csv``."""
SCENARIO_PREFIXES_ZH = {
    "kind": "类型", "region": "地区", "send": "派出", "quota": "名额", "team": "班子",
}  # fmt: skip
"""The prefixes of the sweep's per-value columns (``kind:petition`` → ``类型:平挂·信访``)."""
