"""Names a planner may write for tables, columns and enum values (instance format v1).

Planners keep their data in Chinese spreadsheets, so every table name, column
header and enum value of ``shared/domain.md`` is accepted in English and in
the Chinese used by the seed documents, plus a few common variants, and every
Chinese label the tool itself writes (output headers in :mod:`matcher.io.labels`,
the fit terms of ``matcher explain``), so a column copied from the tool's
output into an instance is understood (``tests/test_labels_read_back.py``). Matching
is forgiving about spelling details that carry no meaning: surrounding and
inner whitespace (also the full-width space), ``_``, ``-``, the middle dot of
``平挂·信访`` and letter case are all ignored (see :func:`header_key` and
:func:`value_key`).

The lookups here are plain dictionaries from a normalised key to the
canonical English name; :mod:`matcher.io.reader` applies them column by column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from matcher.instance import RANK_FAMILIES, Education, ExceptionRule, PostKind, Rank

__all__ = [
    "BOOLEAN_ALIASES",
    "COLUMN_ALIASES",
    "AGE_CAP_RANK_ALIASES",
    "EDUCATION_ALIASES",
    "EXCEPTION_RULE_ALIASES",
    "KIND_ALIASES",
    "LIST_SEPARATORS",
    "RANK_ALIASES",
    "RULES_TABLE",
    "TABLES",
    "TABLE_ALIASES",
    "column_lookup",
    "header_key",
    "value_key",
]

_IGNORED = re.compile(r"[\s_\-·・•]+")


def header_key(text: str) -> str:
    """Normalise a table name or column header for lookup.

    Whitespace (anywhere), ``_``, ``-`` and middle dots are dropped and the
    text is case-folded, so ``"Home Region"``, ``"home_region"`` and
    ``" HOME-REGION "`` all give ``"homeregion"``.
    """
    return _IGNORED.sub("", text).casefold()


value_key = header_key
"""Normalise an enum or boolean cell for lookup (same rules as headers)."""


def _lookup(pairs: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """``{canonical: aliases}`` to ``{key(alias or canonical): canonical}``."""
    lookup: dict[str, str] = {}
    for canonical, aliases in pairs.items():
        for alias in (canonical, *aliases):
            key = header_key(alias)
            if lookup.get(key, canonical) != canonical:
                raise ValueError(f"alias {alias!r} is ambiguous")  # a bug in this table
            lookup[key] = canonical
    return lookup


TABLES: tuple[str, ...] = (
    "candidates",
    "posts",
    "teams",
    "departments",
    "affinities",
    "groups",
    "exceptions",
)
"""The CSV tables (or workbook sheets) of an instance, in reading order."""

RULES_TABLE = "rules"
"""Name of the rules (``rules.toml`` in a folder, or a ``rules`` sheet)."""

TABLE_ALIASES: dict[str, str] = _lookup(
    {
        "candidates": ("candidate", "cadres", "cadre", "干部", "候选人", "干部名单"),
        "posts": ("post", "岗位", "挂职岗位"),
        "teams": ("team", "班子", "领导班子"),
        "departments": ("department", "部门", "单位", "选派单位"),
        "affinities": ("affinity", "匹配", "人岗匹配"),
        "groups": ("group", "分组", "工作组", "小组", "临时党支部"),
        "exceptions": ("exception", "例外", "特批", "例外情况"),
        RULES_TABLE: ("rule", "规则"),
    }
)

COLUMN_ALIASES: dict[str, dict[str, str]] = {
    "candidates": _lookup(
        {
            "id": ("编号", "干部编号", "candidate_id"),
            "name": ("姓名", "candidate_name"),
            "department": ("单位", "所在单位", "部门", "dept", "派出单位"),
            "rank": ("职级",),
            "age": ("年龄",),
            "education": ("学历",),
            "birthplace": ("出生地", "籍贯"),
            "grew_up": ("成长地", "grew_up_in"),
            "home_region": ("户籍地", "本地", "home"),
            "current_team": ("现任班子", "team"),
            "party_member": ("党员", "中共党员", "party"),
            "reserve": ("后备干部", "后备"),
            "disciplinary": ("处分", "受处分"),
            "experience": ("经历", "工作经历"),
            "years_in_post": ("任职年限",),
            "score": ("考核分数", "分数", "考核得分", "考核分"),
            "willing": ("本人意愿", "自愿"),
            "preferences": ("志愿", "preference", "本人志愿"),
        }
    ),
    "posts": _lookup(
        {
            "id": ("编号", "岗位编号", "post_id"),
            "name": ("岗位名称", "名称", "post_name"),
            "kind": ("类别", "挂职类型", "类型"),
            "unit": ("接收单位", "单位"),
            "region": ("地区",),
            "team": ("班子",),
            "seats": ("名额", "职数"),
            "ranks": ("职级", "rank"),
            "min_education": ("最低学历", "学历要求"),
            "sensitive": ("敏感岗位",),
            "new_experience_only": ("限无经历",),
            "preferred_categories": ("优先类别",),
            "priority": ("优先级",),
            "groups": ("group", "分组", "工作组", "所属分组"),
        }
    ),
    "teams": _lookup(
        {
            "id": ("编号", "班子编号", "team_id"),
            "region": ("地区",),
            "incumbents": ("现有成员数", "成员数"),
            "incumbent_locals": ("本地成员数",),
            "min_local_ratio": ("本地比例", "最低本地比例", "local_ratio"),
        }
    ),
    "departments": _lookup(
        {
            "id": ("编号", "部门编号", "department_id"),
            "name": ("名称", "部门名称"),
            "category": ("类别",),
            "min_send": ("最少选派",),
            "max_send": ("最多选派",),
            "priority": ("优先", "优先部门", "优先单位"),
        }
    ),
    "affinities": _lookup(
        {
            "candidate_id": ("干部编号", "candidate"),
            "post_id": ("岗位编号", "post"),
            "bonus": ("加分", "组织评价"),
            "forbid": ("禁止",),
        }
    ),
    "groups": _lookup(
        {
            "id": ("编号", "分组编号", "group_id"),
            "name": ("名称", "分组名称", "组名"),
            "min_members": ("人数下限", "最少人数"),
            "max_members": ("人数上限", "最多人数"),
            "min_party_members": ("党员人数下限", "最少党员人数", "min_party"),
            "min_county_level": ("县处级人数下限", "处级人数下限", "min_county"),
            "max_per_department": ("同一单位人数上限", "每单位人数上限", "每单位上限"),
        }
    ),
    "exceptions": _lookup(
        {
            "candidate_id": ("干部编号", "candidate"),
            "rule": ("规则", "例外事项", "事项"),
            "reason": ("原因", "理由", "事由"),
        }
    ),
}
"""Per table: normalised header to the field name of the model in ``instance.py``."""

RANK_ALIASES: dict[str, str] = _lookup(
    {
        Rank.GENERAL.value: ("一般干部", "科员", "general cadre"),
        Rank.SECTION.value: ("乡科级", "科级", "township"),
        Rank.COUNTY.value: ("县处级", "处级", "division"),
        Rank.SECTION_DEPUTY.value: ("副科", "副科级", "deputy section"),
        Rank.SECTION_FULL.value: ("正科", "正科级", "full section"),
        Rank.COUNTY_DEPUTY.value: ("副处", "副处级", "deputy county"),
        Rank.COUNTY_FULL.value: ("正处", "正处级", "full county"),
    }
)

AGE_CAP_RANK_ALIASES: dict[str, str] = {
    key: rank for key, rank in RANK_ALIASES.items() if Rank(rank) in RANK_FAMILIES
}
"""Ranks an age cap may be given for: the families only (a grade's cap is its family's)."""

EXCEPTION_RULE_ALIASES: dict[str, str] = _lookup(
    {
        ExceptionRule.AGE_CAP.value: ("年龄", "年龄上限", "age"),
        ExceptionRule.MIN_EDUCATION.value: ("学历", "学历要求", "最低学历", "education"),
    }
)

EDUCATION_ALIASES: dict[str, str] = _lookup(
    {
        Education.SECONDARY.value: ("中专", "高中", "中专/高中", "high school"),
        Education.ASSOCIATE.value: ("大专", "专科", "associate degree", "college"),
        Education.BACHELOR.value: ("本科", "学士", "大学本科", "bachelor's"),
        Education.MASTER.value: ("硕士", "研究生", "硕士研究生", "master's"),
        Education.DOCTOR.value: ("博士", "博士研究生", "phd", "doctorate"),
    }
)

KIND_ALIASES: dict[str, str] = _lookup(
    {
        PostKind.GRASSROOTS.value: ("下挂", "基层"),
        PostKind.PETITION.value: ("信访", "平挂·信访"),
        PostKind.KEY_PROJECT.value: ("重点工程", "重点项目", "平挂·重点工程", "平挂·重点项目"),
        PostKind.EXTERNAL.value: ("外挂",),
        PostKind.UPWARD.value: ("上挂",),
    }
)

BOOLEAN_ALIASES: dict[str, bool] = {
    value_key(text): flag
    for flag, texts in {
        True: ("true", "yes", "1", "是", "y", "t", "有"),
        False: ("false", "no", "0", "否", "n", "f", "无"),
    }.items()
    for text in texts
}
"""Boolean cells: true/false, yes/no, 1/0, 是/否, y/n, t/f (and 有/无), any case."""

LIST_SEPARATORS = r"[;；、]"
"""Regular expression of the separators between list items inside one cell."""


def column_lookup(table: str) -> dict[str, str]:
    """The header lookup of ``table`` (one of :data:`TABLES`)."""
    return COLUMN_ALIASES[table]


def accepted(lookup: Mapping[str, str]) -> str:
    """Human-readable list of canonical values with one Chinese alias each, for messages."""
    chinese: dict[str, str] = {}
    for key, canonical in lookup.items():
        if canonical not in chinese and not key.isascii():
            chinese[canonical] = key
    return ", ".join(
        f"{canonical} ({chinese[canonical]})" if canonical in chinese else canonical
        for canonical in dict.fromkeys(lookup.values())
    )
