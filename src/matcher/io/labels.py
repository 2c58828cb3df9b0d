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
