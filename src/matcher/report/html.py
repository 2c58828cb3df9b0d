"""``matcher report``: one self-contained HTML page of charts, for a plan or for scenarios.

A planner looks at a plan before reading it: which seats are filled, by kind
and by region; where each leadership team's local share stands against its
own minimum ratio, before and after; what each department sends against its
quota; how good the fits are; in a format v1.1 instance, each group's members,
party members, county-level members and most from one department against its
limits, and every documented exception the plan relies on. The page carries
plotly.js inline (no CDN, no network), so it opens offline from a USB stick or an e-mail attachment.

Every figure is recomputed from the instance and ``assignments.csv`` with the
independent checker, so a plan edited by hand is reported as it stands (with a
warning if it breaks a rule); status and bounds come from ``summary.json``.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from matcher import __version__
from matcher.check.checker import (
    CheckReport,
    check_plan,
    group_composition,
    team_after_plan,
)
from matcher.instance import Instance, PostKind
from matcher.io.atomic import write_atomically
from matcher.io.cells import safe_frame, safe_text, unescape_frame
from matcher.io.labels import EXCEPTION_ZH, VALUES_ZH
from matcher.io.plan_reader import read_plan
from matcher.io.reader import InputError, InputIssue, read_instance

COMPARISON_CSV = "comparison.csv"
"""The file that marks a ``matcher scenarios`` folder (one row per variant)."""

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "plan_title": "Plan report",
        "scenarios_title": "Scenarios compared",
        "status": "Status",
        "optimal": "optimal",
        "feasible": "feasible (not proven optimal)",
        "unknown": "unknown (no summary.json)",
        "infeasible": "infeasible",
        "no_plan": "no plan",
        "proof": "proven by {proof}",
        "coverage": "Coverage",
        "coverage_sub": "priority of filled seats; bound {bound}",
        "fit": "Fit",
        "fit_sub": "bound {bound}; gap {gap}",
        "seats_filled": "Seats filled",
        "seats_sub": "of {total}; {empty} empty",
        "cadres_placed": "Cadres placed",
        "cadres_sub": "of {total} in the pool",
        "broken": "This plan breaks {count} hard rule(s): run `matcher check` for the list.",
        "by_kind": "Seats filled by kind of post",
        "by_region": "Seats filled by region",
        "teams": "Local share of each leadership team, before and after the plan",
        "teams_after": "Local share of each leadership team after the plan",
        "departments": "Cadres sent by each department, against its quota",
        "fit_distribution": "Fit of each assignment",
        "groups": "Composition of each group after the plan, against its limits",
        "members": "members",
        "party_members": "party members",
        "county_level": "county-level",
        "most_one_department": "most from one department",
        "group_minimum": "minimum",
        "group_cap": "maximum",
        "group_count_of": "{value} of {members} member(s)",
        "empty_group": "empty: party and county minimums do not apply",
        "exceptions_used": "Exceptions used",
        "exceptions_sub": "documented exceptions the plan relies on",
        "exceptions_table": "Documented exceptions the plan relies on",
        "cadre": "Cadre",
        "post": "Post",
        "rule_lifted": "Rule lifted",
        "reason": "Reason",
        "age_cap": "age cap",
        "min_education": "education requirement",
        "coverage_fit": "Coverage and fit of each variant",
        "no_teams": "No leadership teams in this instance: rule 4 does not apply.",
        "filled": "filled",
        "empty": "empty",
        "seats": "seats",
        "before": "before",
        "after": "after",
        "min_ratio": "minimum ratio",
        "local_share": "local share",
        "locals_of": "{locals} local of {members}",
        "sent": "sent",
        "min_send": "minimum",
        "max_send": "maximum",
        "cadres": "cadres",
        "assignments": "assignments",
        "variant": "Variant",
        "bound": "bound",
        "gap": "Gap",
        "comparison": "comparison.csv as written",
        "footer": "Written by matcher {version}; charts by Plotly, embedded (works offline).",
    },
    "zh": {
        "plan_title": "挂职方案报告",
        "scenarios_title": "方案情景对比",
        "status": "求解状态",
        "optimal": "最优",
        "feasible": "可行（未证明最优）",
        "unknown": "未知（缺少 summary.json）",
        "infeasible": "规则无法同时满足",
        "no_plan": "无方案",
        "proof": "证明方式：{proof}",
        "coverage": "覆盖度",
        "coverage_sub": "已派名额的优先级之和；上界 {bound}",
        "fit": "匹配度",
        "fit_sub": "上界 {bound}；差距 {gap}",
        "seats_filled": "已派名额",
        "seats_sub": "共 {total} 个，空缺 {empty} 个",
        "cadres_placed": "已选派干部",
        "cadres_sub": "候选共 {total} 人",
        "broken": "该方案违反 {count} 条硬性规则，请运行 matcher check 查看明细。",
        "by_kind": "按挂职类型统计的名额",
        "by_region": "按地区统计的名额",
        "teams": "各领导班子本地干部比例（方案前后）",
        "teams_after": "各领导班子方案后的本地干部比例",
        "departments": "各单位选派人数与名额限制",
        "fit_distribution": "每项安排的匹配度分布",
        "groups": "各工作组方案后的人员构成与要求",
        "members": "人数",
        "party_members": "党员",
        "county_level": "县处级",
        "most_one_department": "同一单位最多",
        "group_minimum": "下限",
        "group_cap": "上限",
        "group_count_of": "{members} 人中 {value} 人",
        "empty_group": "无人：不适用党员和县处级下限",
        "exceptions_used": "使用例外",
        "exceptions_sub": "方案依据的备案例外",
        "exceptions_table": "方案依据的备案例外",
        "cadre": "干部",
        "post": "岗位",
        "rule_lifted": "放宽的要求",
        "reason": "原因",
        "coverage_fit": "各情景的覆盖度与匹配度",
        "no_teams": "本实例没有领导班子数据，不涉及本地干部比例规则。",
        "filled": "已派",
        "empty": "空缺",
        "seats": "名额",
        "before": "方案前",
        "after": "方案后",
        "min_ratio": "最低比例",
        "local_share": "本地干部比例",
        "locals_of": "{members} 人中本地 {locals} 人",
        "sent": "派出",
        "min_send": "最少",
        "max_send": "最多",
        "cadres": "人数",
        "assignments": "安排数",
        "variant": "情景",
        "bound": "上界",
        "gap": "差距",
        "comparison": "comparison.csv 原表",
        "footer": "由 matcher {version} 生成；图表使用 Plotly，已内嵌，可离线打开。",
    },
}

FILLED_COLOUR, EMPTY_COLOUR, BEFORE_COLOUR, LINE_COLOUR = "#2b6cb0", "#cbd5e0", "#a0aec0", "#1a202c"
BELOW_COLOUR = "#c53030"
PLOT_CONFIG = {"displaylogo": False, "responsive": True}


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class TeamShare:
    """A team's members and locals before and after the plan, and the ratio it must keep."""

    team_id: str
    region: str
    ratio: Fraction
    members_before: int
    locals_before: int
    members_after: int
    locals_after: int


@dataclass(frozen=True)
class DepartmentSends:
    """How many distinct cadres a department sends, and its quota (``None``: no maximum)."""

    label: str
    sent: int
    min_send: int
    max_send: int | None


@dataclass(frozen=True)
class GroupFacts:
    """A group's composition after the plan (the checker's counts) and its limits (rule 7).

    A group has no "before": its members are the cadres the plan assigns to its posts.
    ``None`` limits are unlimited; the party and county minimums bind a group with members."""

    label: str
    members: int
    party_members: int
    county_level: int
    most_from_one_department: int
    min_members: int
    max_members: int | None
    min_party_members: int
    min_county_level: int
    max_per_department: int | None

    def broken(self) -> tuple[bool, bool, bool, bool]:
        """Whether members, party members, county-level, per-department break their limit."""
        staffed = self.members > 0
        return (
            self.members < self.min_members
            or (self.max_members is not None and self.members > self.max_members),
            staffed and self.party_members < self.min_party_members,
            staffed and self.county_level < self.min_county_level,
            self.max_per_department is not None
            and self.most_from_one_department > self.max_per_department,
        )


@dataclass(frozen=True)
class ExceptionUse:
    """One documented exception an assignment of the plan relies on, with its reason."""

    candidate: str
    post: str
    rule: str
    reason: str


@dataclass(frozen=True)
class PlanFacts:
    """Everything the charts show about one plan, recomputed by the independent checker."""

    instance_name: str
    status: str
    proof: str
    coverage: int
    coverage_bound: int | None
    fit: Fraction
    fit_bound: float | None
    gap: float | None
    num_seats: int
    num_seats_filled: int
    num_cadres: int
    num_cadres_placed: int
    num_violations: int
    kind2seats: dict[str, tuple[int, int]]
    """Post kind -> (seats filled, seats); kinds without seats are left out."""
    region2seats: dict[str, tuple[int, int]]
    teams: tuple[TeamShare, ...]
    departments: tuple[DepartmentSends, ...]
    fits: tuple[tuple[str, float], ...]
    """(post kind, fit) of each assignment."""
    groups: tuple[GroupFacts, ...] = ()
    exceptions: tuple[ExceptionUse, ...] = ()
    """Empty for a format v1 instance (no ``exceptions`` table): no headline card then."""
    has_exceptions: bool = False
    """The instance documents exceptions (the headline then counts those used, 0 too)."""


def plan_facts(
    instance: Instance,
    plan: Sequence[tuple[str, str]],
    summary: dict[str, Any] | None,
    checked: CheckReport | None = None,
) -> PlanFacts:
    """The figures of one plan: counts from the checker, status and bounds from ``summary``.

    ``checked`` is the checker's report of this plan when the caller has one
    already (``solve`` does): checking a national plan twice is not free.
    """
    report = checked if checked is not None else check_plan(instance, plan)
    cands = {c.id: c for c in instance.candidates}
    posts = {p.id: p for p in instance.posts}
    pairs = [(cands[c], posts[p]) for c, p in plan if c in cands and p in posts]
    holders: dict[str, int] = {}
    for _, post in pairs:
        holders[post.id] = holders.get(post.id, 0) + 1

    kind2seats: dict[str, tuple[int, int]] = {}
    region2seats: dict[str, tuple[int, int]] = {}
    for post in instance.posts:
        filled = min(holders.get(post.id, 0), post.seats)  # an overfilled post fills its seats
        for table, key in ((kind2seats, post.kind.value), (region2seats, post.region)):
            done, total = table.get(key, (0, 0))
            table[key] = (done + filled, total + post.seats)
    kind2seats = {
        kind.value: kind2seats[kind.value]
        for kind in PostKind
        if kind2seats.get(kind.value, (0, 0))[1]
    }

    teams = []
    for team in instance.teams:
        members, locals_ = team_after_plan(team, pairs)
        teams.append(
            TeamShare(
                team.id,
                team.region,
                instance.team_ratio(team),
                team.incumbents,
                team.incumbent_locals,
                members,
                locals_,
            )
        )

    placed = {cand.id for cand, _ in pairs}
    sent: dict[str, int] = {}
    for cand in instance.candidates:
        sent.setdefault(cand.department, 0)
        sent[cand.department] += cand.id in placed
    departments = [
        DepartmentSends(
            dept.id if dept.name in ("", dept.id) else f"{dept.id} {dept.name}",
            sent.pop(dept.id, 0),
            dept.min_send,
            dept.max_send,
        )
        for dept in instance.departments
    ]
    departments += [DepartmentSends(dept_id, count, 0, None) for dept_id, count in sent.items()]

    composition = group_composition(instance, pairs)
    groups = [
        GroupFacts(
            group.id if group.name in ("", group.id) else f"{group.id} {group.name}",
            composition[group.id].members,
            composition[group.id].party_members,
            composition[group.id].county_level,
            composition[group.id].most_from_one_department,
            group.min_members,
            group.max_members,
            group.min_party_members,
            group.min_county_level,
            group.max_per_department,
        )
        for group in instance.groups
    ]
    reasons = {(e.candidate_id, e.rule.value): e.reason for e in instance.exceptions}
    exceptions = [
        ExceptionUse(
            _who(cands[cand_id].id, cands[cand_id].name),
            _who(post_id, posts[post_id].name),
            rule,
            reasons[(cand_id, rule)],
        )
        for (cand_id, post_id), rules in report.exceptions_by_assignment.items()
        for rule in rules
    ]

    summary = summary or {}
    return PlanFacts(
        instance_name=str(summary.get("instance", instance.name)),
        status=str(summary.get("status", "unknown")),
        proof=str(summary.get("proof") or ""),
        coverage=report.coverage,
        coverage_bound=summary.get("coverage_bound"),
        fit=report.fit,
        fit_bound=summary.get("fit_bound"),
        gap=summary.get("gap"),
        num_seats=instance.num_seats,
        num_seats_filled=sum(seats for seats, _ in kind2seats.values()),
        num_cadres=instance.num_candidates,
        num_cadres_placed=len(placed),
        num_violations=len(report.violations),
        kind2seats=kind2seats,
        region2seats=region2seats,
        teams=tuple(teams),
        departments=tuple(departments),
        fits=tuple(
            (posts[post_id].kind.value, float(terms.total))
            for (_, post_id), terms in report.fit_by_assignment.items()
        ),
        groups=tuple(groups),
        exceptions=tuple(exceptions),
        has_exceptions=bool(instance.exceptions),
    )


def _who(entity_id: str, name: str) -> str:
    return entity_id if name in ("", entity_id) else f"{entity_id} {name}"


# --------------------------------------------------------------------------- reading


def _located(error: InputError, folder: Path) -> InputError:
    """The same issues, with bare file names placed in ``folder`` (which variant, which plan)."""
    return InputError(
        replace(issue, file=str(folder / issue.file)) if os.sep not in issue.file else issue
        for issue in error.issues
    )


def _read_summary(plan_dir: Path) -> dict[str, Any] | None:
    """``summary.json`` of a plan, or ``None`` for a plan without one (e.g. edited by hand)."""
    path = plan_dir / "summary.json"
    if not plan_dir.is_dir() or not path.exists():
        return None
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError([InputIssue(str(path), None, None, f"cannot be read: {error}")]) from None
    if not isinstance(summary, dict):
        raise InputError([InputIssue(str(path), None, None, "is not a JSON object")])
    return summary


def read_plan_facts(instance_path: Path, plan_dir: Path) -> PlanFacts:
    """Read an instance and a plan written by ``matcher solve`` (or edited by hand)."""
    try:
        instance = read_instance(instance_path)
    except InputError as error:
        raise _located(error, instance_path) from None
    try:
        plan = read_plan(plan_dir)
    except InputError as error:
        raise _located(error, plan_dir if plan_dir.is_dir() else plan_dir.parent) from None
    return plan_facts(instance, plan, _read_summary(plan_dir))


def is_scenarios_dir(path: Path) -> bool:
    """A folder written by ``matcher scenarios``: it holds ``comparison.csv``."""
    return (path / COMPARISON_CSV).is_file()


def _has_plan(variant_dir: Path) -> bool:
    return (variant_dir / "plan" / "assignments.csv").is_file()


def _variant_names(scenarios_dir: Path, comparison: pd.DataFrame) -> list[str]:
    """Variants in the order of ``comparison.csv`` (its column naming the folders), else by name.

    The column must name every variant folder that holds a plan; variants
    listed without one (an infeasible variant, say) keep their place.
    """
    folders = {p.name for p in scenarios_dir.iterdir() if p.is_dir()}
    planned = {name for name in folders if _has_plan(scenarios_dir / name)}
    if not planned:
        raise InputError(
            [InputIssue(str(scenarios_dir), None, None, "holds no <variant>/plan/assignments.csv")]
        )
    for column in comparison.columns:
        values = [str(v).strip() for v in comparison[column]]
        if planned <= set(values) and set(values) <= folders:
            return list(dict.fromkeys(values))
    return sorted(name for name in folders if (scenarios_dir / name / "instance").exists())


def _unplanned_status(variant_dir: Path) -> str:
    """What ``summary.json`` says of a variant without a plan (e.g. ``infeasible``)."""
    summary = _read_summary(variant_dir / "plan")
    return str(summary.get("status", "no_plan")) if summary else "no_plan"


@dataclass(frozen=True)
class Scenarios:
    """A ``matcher scenarios`` folder as read: the table as written, and each variant."""

    comparison: pd.DataFrame
    variants: dict[str, PlanFacts]
    """Variants with a plan, in order."""
    unplanned: dict[str, str]
    """Variants without a plan, and their status (``infeasible``, ``no_plan`` ...)."""


def read_scenarios(scenarios_dir: Path) -> Scenarios:
    """``comparison.csv`` as written, the facts of every variant's plan, and those without."""
    path = scenarios_dir / COMPARISON_CSV
    try:
        comparison = unescape_frame(
            pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        )
    except (OSError, ValueError) as error:
        raise InputError([InputIssue(str(path), None, None, f"cannot be read: {error}")]) from None
    variants: dict[str, PlanFacts] = {}
    unplanned: dict[str, str] = {}
    for name in _variant_names(scenarios_dir, comparison):
        folder = scenarios_dir / name
        if _has_plan(folder):
            variants[name] = read_plan_facts(folder / "instance", folder / "plan")
        else:
            unplanned[name] = _unplanned_status(folder)
    return Scenarios(comparison, variants, unplanned)


# --------------------------------------------------------------------------- charts


def _kind_label(kind: str, lang: str) -> str:
    return VALUES_ZH.get(kind, kind) if lang == "zh" else kind.replace("_", " ")


def _number(value: Fraction | float | int | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, Fraction) and value.denominator != 1:
        value = float(value)
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


def _share(locals_: int, members: int) -> float | None:
    return locals_ / members if members else None


def _level_marks(
    name: str, labels: list[str], levels: Sequence[float | None], group: str | None, *, legend: bool
) -> go.Scatter:
    """Short horizontal marks at a level per bar (a ratio, a number of seats), aligned with
    the bars of offset group ``group`` (``None``: across all bars of the label)."""
    return go.Scatter(
        x=labels,
        y=levels,
        mode="markers",
        name=name,
        legendgroup=name,
        showlegend=legend,
        offsetgroup=group,
        marker={"symbol": "line-ew", "size": 28, "line": {"width": 3, "color": LINE_COLOUR}},
        hovertemplate="%{y:.3f}<extra>" + html.escape(name) + "</extra>",
    )


def _layout(fig: go.Figure, title: str, height: int = 420, **layout: Any) -> go.Figure:
    fig.update_layout(
        title={
            "text": html.escape(title),
            "y": 1,
            "yanchor": "top",
            "yref": "container",
            "pad": {"t": 20},
        },
        template="plotly_white",
        height=height,
        margin={"l": 60, "r": 30, "t": 100, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0},
        font={"family": "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, Arial, sans-serif"},
        **layout,
    )
    return fig


def _seats_figure(
    table: dict[str, tuple[int, int]], title: str, lang: str, *, kinds: bool
) -> go.Figure:
    text = TEXT[lang]
    labels = [_kind_label(key, lang) if kinds else key for key in table]
    filled = [done for done, _ in table.values()]
    empty = [total - done for done, total in table.values()]
    fig = go.Figure(
        [
            go.Bar(x=labels, y=filled, name=text["filled"], marker_color=FILLED_COLOUR),
            go.Bar(x=labels, y=empty, name=text["empty"], marker_color=EMPTY_COLOUR),
        ]
    )
    largest = max((total for _, total in table.values()), default=0)
    return _layout(fig, title, barmode="stack", yaxis=_count_axis(text["seats"], largest))


def _teams_figure(teams: Sequence[TeamShare], lang: str) -> go.Figure:
    text = TEXT[lang]
    labels = [f"{t.team_id} {t.region}" for t in teams]
    after_colours = [
        BELOW_COLOUR if t.locals_after * t.ratio.denominator < t.ratio.numerator * t.members_after
        else FILLED_COLOUR
        for t in teams
    ]  # fmt: skip
    fig = go.Figure(
        [
            go.Bar(
                x=labels,
                y=[_share(t.locals_before, t.members_before) for t in teams],
                name=text["before"],
                offsetgroup="before",
                marker_color=BEFORE_COLOUR,
                hovertext=[
                    text["locals_of"].format(locals=t.locals_before, members=t.members_before)
                    for t in teams
                ],  # fmt: skip
            ),
            go.Bar(
                x=labels,
                y=[_share(t.locals_after, t.members_after) for t in teams],
                name=text["after"],
                offsetgroup="after",
                marker_color=after_colours,
                hovertext=[
                    text["locals_of"].format(locals=t.locals_after, members=t.members_after)
                    for t in teams
                ],  # fmt: skip
            ),
        ]
    )
    ratios = [float(t.ratio) for t in teams]
    fig.add_trace(_level_marks(text["min_ratio"], labels, ratios, None, legend=True))
    return _layout(
        fig, text["teams"], barmode="group", yaxis={"title": text["local_share"], "range": [0, 1]}
    )


def _departments_height(num_rows: int, bars_per_row: int = 1) -> int:
    """Tall enough for every department's name and bars to stay readable."""
    return max(320, 140 + num_rows * (12 + 14 * bars_per_row))


def _quota_marks(
    name: str, values: list[int | None], labels: list[str], group: str | None, colour: str
) -> go.Scatter:
    """Short vertical marks at each department's minimum or maximum (grouped with its bar)."""
    return go.Scatter(
        x=values,
        y=labels,
        mode="markers",
        name=name,
        legendgroup=name,
        offsetgroup=group,
        orientation="h",
        marker={"symbol": "line-ns", "size": 16, "line": {"width": 3, "color": colour}},
        hovertemplate="%{x}<extra>" + html.escape(name) + "</extra>",
    )


def _count_axis(title: str, largest: float) -> dict[str, Any]:
    """An axis of whole counts: no 0.5 ticks when the counts are small."""
    return {"title": title, "rangemode": "tozero", "dtick": 1 if largest <= 10 else None}


def _departments_figure(departments: Sequence[DepartmentSends], lang: str) -> go.Figure:
    text = TEXT[lang]
    labels = [d.label for d in departments]
    fig = go.Figure(
        [
            go.Bar(
                x=[d.sent for d in departments],
                y=labels,
                orientation="h",
                name=text["sent"],
                marker_color=FILLED_COLOUR,
            ),
            _quota_marks(text["min_send"], [d.min_send for d in departments], labels, None,
                         LINE_COLOUR),
            _quota_marks(text["max_send"], [d.max_send for d in departments], labels, None,
                         BELOW_COLOUR),
        ]
    )  # fmt: skip
    largest = max([d.sent for d in departments] + [d.max_send or 0 for d in departments])
    return _layout(
        fig,
        text["departments"],
        height=_departments_height(len(departments)),
        xaxis=_count_axis(text["cadres"], largest),
        yaxis={"autorange": "reversed"},
    )


def _groups_figure(groups: Sequence[GroupFacts], lang: str) -> go.Figure:
    """Per group, four bars (members, party members, county-level, most from one
    department), each with its minimum and its cap as marks, red where a limit is broken:
    the team chart's marks and colours, the department chart's minimum and maximum."""
    text = TEXT[lang]
    labels = [g.label for g in groups]
    none: list[int | None] = [None] * len(groups)
    series: tuple[tuple[str, list[int], list[int | None], list[int | None]], ...] = (
        ("members", [g.members for g in groups],
         [g.min_members or None for g in groups], [g.max_members for g in groups]),
        ("party_members", [g.party_members for g in groups],
         [g.min_party_members if g.members and g.min_party_members else None for g in groups],
         none),
        ("county_level", [g.county_level for g in groups],
         [g.min_county_level if g.members and g.min_county_level else None for g in groups],
         none),
        ("most_one_department", [g.most_from_one_department for g in groups],
         none, [g.max_per_department for g in groups]),
    )  # fmt: skip
    fig = go.Figure()
    for position, (key, values, minimums, caps) in enumerate(series):
        colours = [BELOW_COLOUR if g.broken()[position] else FILLED_COLOUR for g in groups]
        hover = [
            text["empty_group"] if not g.members and position in (1, 2)
            else text["group_count_of"].format(value=value, members=g.members)
            for g, value in zip(groups, values, strict=True)
        ]  # fmt: skip
        fig.add_trace(
            go.Bar(
                x=labels,
                y=values,
                name=text[key],
                offsetgroup=key,
                marker={"color": colours, "opacity": 1.0 - 0.2 * position},
                hovertext=hover,
            )
        )
        for mark, levels, colour in (
            ("group_minimum", minimums, LINE_COLOUR),
            ("group_cap", caps, BELOW_COLOUR),
        ):
            if any(level is not None for level in levels):
                heights: list[float | None] = list(levels)
                marks = _level_marks(text[mark], labels, heights, key, legend=False)
                marks.marker.line.color = colour
                marks.hovertemplate = "%{y}<extra>" + html.escape(text[mark]) + "</extra>"
                fig.add_trace(marks)
    shown = {trace.name for trace in fig.data if isinstance(trace, go.Scatter)}
    for trace in fig.data:  # one legend entry per kind of mark
        if isinstance(trace, go.Scatter) and trace.name in shown:
            trace.showlegend = True
            shown.discard(trace.name)
    largest = max(
        [g.members for g in groups]
        + [level for g in groups for level in (g.max_members, g.min_members) if level]
    )
    return _layout(
        fig,
        text["groups"],
        barmode="group",
        yaxis=_count_axis(text["cadres"], largest),
    )


def _exceptions_table(facts: PlanFacts, lang: str) -> str:
    """Each exception the plan relies on: cadre, post, the rule lifted, the documented reason."""
    text = TEXT[lang]
    head = [text["cadre"], text["post"], text["rule_lifted"], text["reason"]]
    rows = [
        [use.candidate, use.post,
         EXCEPTION_ZH.get(use.rule, use.rule) if lang == "zh" else text.get(use.rule, use.rule),
         use.reason]
        for use in facts.exceptions
    ]  # fmt: skip
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    header = "".join(f"<th>{html.escape(cell)}</th>" for cell in head)
    return (
        f'<section id="exceptions"><h2>{html.escape(text["exceptions_table"])}</h2>'
        f"<table><thead><tr>{header}</tr></thead><tbody>{cells}</tbody></table></section>"
    )


def _fit_figure(fits: Sequence[tuple[str, float]], lang: str) -> go.Figure:
    text = TEXT[lang]
    fig = go.Figure()
    for kind in PostKind:
        values = [fit for fit_kind, fit in fits if fit_kind == kind.value]
        if values:
            fig.add_trace(go.Histogram(x=values, name=_kind_label(kind.value, lang)))
    return _layout(
        fig,
        text["fit_distribution"],
        barmode="stack",
        xaxis_title=text["fit"],
        yaxis=_count_axis(text["assignments"], len(fits)),
    )


# --------------------------------------------------------------------------- scenario charts


def _coverage_fit_figure(variants: dict[str, PlanFacts], lang: str) -> go.Figure:
    text = TEXT[lang]
    names = list(variants)
    fig = make_subplots(rows=1, cols=2, subplot_titles=(text["coverage"], text["fit"]))
    fig.add_trace(
        go.Bar(x=names, y=[f.coverage for f in variants.values()], marker_color=FILLED_COLOUR,
               name=text["coverage"], showlegend=False),
        row=1, col=1,
    )  # fmt: skip
    fig.add_trace(
        go.Bar(x=names, y=[float(f.fit) for f in variants.values()], marker_color=FILLED_COLOUR,
               name=text["fit"], showlegend=False),
        row=1, col=2,
    )  # fmt: skip
    for col, bounds in ((1, [f.coverage_bound for f in variants.values()]),
                        (2, [f.fit_bound for f in variants.values()])):  # fmt: skip
        fig.add_trace(
            go.Scatter(x=names, y=bounds, mode="markers", name=text["bound"], showlegend=col == 1,
                       marker={"symbol": "line-ew", "size": 28,
                               "line": {"width": 3, "color": LINE_COLOUR}}),
            row=1, col=col,
        )  # fmt: skip
    return _layout(fig, text["coverage_fit"])


def _variants_kinds_figure(variants: dict[str, PlanFacts], lang: str) -> go.Figure:
    text = TEXT[lang]
    kinds = [k.value for k in PostKind if any(k.value in f.kind2seats for f in variants.values())]
    labels = [_kind_label(kind, lang) for kind in kinds]
    fig = go.Figure()
    for name, facts in variants.items():
        fig.add_trace(
            go.Bar(x=labels, y=[facts.kind2seats.get(k, (0, 0))[0] for k in kinds], name=name,
                   offsetgroup=name, hovertemplate="%{y}<extra>" + html.escape(name) + "</extra>")
        )  # fmt: skip
    for position, (name, facts) in enumerate(variants.items()):
        seats = [facts.kind2seats.get(k, (0, 0))[1] for k in kinds]
        fig.add_trace(
            _level_marks(text["seats"], labels, seats, name, legend=position == 0).update(
                hovertemplate="%{y}<extra>" + html.escape(text["seats"]) + "</extra>"
            )
        )
    largest = max((total for f in variants.values() for _, total in f.kind2seats.values()),
                  default=0)  # fmt: skip
    return _layout(
        fig,
        text["by_kind"],
        barmode="group",
        scattermode="group",
        yaxis=_count_axis(text["seats"], largest),
    )


def _variants_teams_figure(variants: dict[str, PlanFacts], lang: str) -> go.Figure | None:
    text = TEXT[lang]
    team_ids = list(dict.fromkeys(t.team_id for f in variants.values() for t in f.teams))
    if not team_ids:
        return None
    regions = {t.team_id: t.region for f in variants.values() for t in f.teams}
    labels = [f"{team_id} {regions[team_id]}" for team_id in team_ids]
    fig = go.Figure()
    shares = {name: {t.team_id: t for t in f.teams} for name, f in variants.items()}
    for name, by_team in shares.items():
        teams = [by_team.get(team_id) for team_id in team_ids]
        fig.add_trace(
            go.Bar(x=labels,
                   y=[_share(t.locals_after, t.members_after) if t else None for t in teams],
                   hovertext=[text["locals_of"].format(locals=t.locals_after,
                                                       members=t.members_after) if t else ""
                              for t in teams],
                   name=name, offsetgroup=name)
        )  # fmt: skip
    for position, (name, by_team) in enumerate(shares.items()):
        ratios = [float(by_team[t].ratio) if t in by_team else None for t in team_ids]
        fig.add_trace(_level_marks(text["min_ratio"], labels, ratios, name, legend=position == 0))
    return _layout(
        fig,
        text["teams_after"],
        barmode="group",
        scattermode="group",
        yaxis={"title": text["local_share"], "range": [0, 1]},
    )


def _variants_departments_figure(variants: dict[str, PlanFacts], lang: str) -> go.Figure:
    text = TEXT[lang]
    labels = list(dict.fromkeys(d.label for f in variants.values() for d in f.departments))
    by_variant = {name: {d.label: d for d in f.departments} for name, f in variants.items()}
    fig = go.Figure()
    for name, by_label in by_variant.items():
        fig.add_trace(
            go.Bar(x=[by_label[x].sent if x in by_label else None for x in labels], y=labels,
                   orientation="h", name=name, offsetgroup=name)
        )  # fmt: skip
    for position, (name, by_label) in enumerate(by_variant.items()):
        for key, colour in (("min_send", LINE_COLOUR), ("max_send", BELOW_COLOUR)):
            values = [getattr(by_label[x], key) if x in by_label else None for x in labels]
            marks = _quota_marks(text[key], values, labels, name, colour)
            fig.add_trace(marks.update(showlegend=position == 0))
    largest = max(
        [d.sent for f in variants.values() for d in f.departments]
        + [d.max_send or 0 for f in variants.values() for d in f.departments],
        default=0,
    )
    return _layout(
        fig,
        text["departments"],
        height=_departments_height(len(labels), len(variants)),
        barmode="group",
        scattermode="group",
        xaxis=_count_axis(text["cadres"], largest),
        yaxis={"autorange": "reversed"},
    )


def _variants_fit_figure(variants: dict[str, PlanFacts], lang: str) -> go.Figure:
    text = TEXT[lang]
    fig = go.Figure(
        [go.Box(y=[fit for _, fit in f.fits], name=name, boxpoints="all", jitter=0.4)
         for name, f in variants.items()]
    )  # fmt: skip
    return _layout(fig, text["fit_distribution"], showlegend=False, yaxis_title=text["fit"])


# --------------------------------------------------------------------------- the page

STYLE = """
body { font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", Arial, sans-serif;
       margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #1a202c; }
h1 { margin-bottom: 0.2rem; } .subtitle { color: #4a5568; margin-top: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 1rem; }
.card { border: 1px solid #e2e8f0; border-radius: 8px; padding: 0.8rem 1rem; }
.card .label { color: #4a5568; font-size: 0.9rem; } .card .value { font-size: 1.6rem; }
.card .sub { color: #718096; font-size: 0.85rem; }
.warning { background: #fff5f5; border: 1px solid #c53030; color: #c53030; padding: 0.8rem;
           border-radius: 8px; margin: 1rem 0; }
.note { color: #4a5568; font-style: italic; }
table { border-collapse: collapse; margin: 1rem 0; }
td, th { border: 1px solid #e2e8f0; padding: 0.3rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
section { margin-top: 2rem; } footer { margin-top: 3rem; color: #718096; font-size: 0.8rem; }
"""


def _chart(fig: go.Figure, chart_id: str) -> str:
    """One figure as a ``<div>`` and its script; the id is fixed so the page is reproducible."""
    snippet: str = fig.to_html(
        full_html=False, include_plotlyjs=False, config=PLOT_CONFIG, div_id=f"chart-{chart_id}"
    )
    return f'<section class="chart">{snippet}</section>'


def _card(label: str, value: str, sub: str = "") -> str:
    return (
        f'<div class="card"><div class="label">{html.escape(label)}</div>'
        f'<div class="value">{html.escape(value)}</div>'
        f'<div class="sub">{html.escape(sub)}</div></div>'
    )


def _warning(message: str) -> str:
    return f'<p class="warning">{html.escape(message)}</p>'


def _status_text(facts: PlanFacts, lang: str) -> tuple[str, str]:
    text = TEXT[lang]
    status = text.get(facts.status, facts.status)
    return status, text["proof"].format(proof=facts.proof) if facts.proof else ""


def _gap_text(gap: float | None) -> str:
    return "–" if gap is None else f"{gap:.2%}"


def _headline(facts: PlanFacts, lang: str) -> str:
    text = TEXT[lang]
    cards = [
        _card(text["status"], *_status_text(facts, lang)),
        _card(text["coverage"], _number(facts.coverage),
              text["coverage_sub"].format(bound=_number(facts.coverage_bound))),
        _card(text["fit"], _number(facts.fit),
              text["fit_sub"].format(bound=_number(facts.fit_bound), gap=_gap_text(facts.gap))),
        _card(text["seats_filled"], _number(facts.num_seats_filled),
              text["seats_sub"].format(total=_number(facts.num_seats),
                                       empty=_number(facts.num_seats - facts.num_seats_filled))),
        _card(text["cadres_placed"], _number(facts.num_cadres_placed),
              text["cadres_sub"].format(total=_number(facts.num_cadres))),
    ]  # fmt: skip
    if facts.has_exceptions:
        cards.append(
            _card(text["exceptions_used"], _number(len(facts.exceptions)), text["exceptions_sub"])
        )
    warning = _warning(text["broken"].format(count=facts.num_violations))
    return (warning if facts.num_violations else "") + f'<div class="cards">{"".join(cards)}</div>'


def _page(title: str, subtitle: str, body: Sequence[str], lang: str) -> str:
    footer = html.escape(TEXT[lang]["footer"].format(version=__version__))
    return (
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head>'
        '<meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} · {html.escape(subtitle)}</title><style>{STYLE}</style>"
        f'<script type="text/javascript">window.PlotlyConfig = {{MathJaxConfig: "local"}};</script>'
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
        f'<h1>{html.escape(title)}</h1><p class="subtitle">{html.escape(subtitle)}</p>'
        f"{''.join(body)}<footer>{footer}</footer></body></html>\n"
    )


def plan_report_html(facts: PlanFacts, lang: str = "en") -> str:
    """The page for one plan: headline (and the exceptions used), then seats, teams,
    departments, groups (format v1.1) and fit."""
    text = TEXT[lang]
    body = [
        _headline(facts, lang),
        _chart(_seats_figure(facts.kind2seats, text["by_kind"], lang, kinds=True), "kinds"),
        _chart(_seats_figure(facts.region2seats, text["by_region"], lang, kinds=False), "regions"),
        _chart(_teams_figure(facts.teams, lang), "teams")
        if facts.teams
        else f'<section><p class="note">{html.escape(text["no_teams"])}</p></section>',
        _chart(_departments_figure(facts.departments, lang), "departments"),
    ]
    if facts.groups:
        body.append(_chart(_groups_figure(facts.groups, lang), "groups"))
    if facts.exceptions:
        body.insert(1, _exceptions_table(facts, lang))
    body.append(_chart(_fit_figure(facts.fits, lang), "fit"))
    return _page(text["plan_title"], facts.instance_name, body, lang)


def _variants_table(variants: dict[str, PlanFacts], unplanned: dict[str, str], lang: str) -> str:
    text = TEXT[lang]
    head = [text["variant"], text["status"], text["coverage"], text["fit"], text["gap"],
            text["seats_filled"], text["cadres_placed"]]  # fmt: skip
    rows = [
        [name, _status_text(f, lang)[0], _number(f.coverage), _number(f.fit), _gap_text(f.gap),
         f"{f.num_seats_filled} / {f.num_seats}", f"{f.num_cadres_placed} / {f.num_cadres}"]
        for name, f in variants.items()
    ]  # fmt: skip
    rows += [[name, text.get(status, status)] + ["–"] * 5 for name, status in unplanned.items()]
    header = "".join(f"<th>{html.escape(cell)}</th>" for cell in head)
    lines = "".join(  # a table pasted into a spreadsheet: its text never runs as a formula
        "<tr>" + "".join(f"<td>{html.escape(safe_text(cell))}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{header}</tr></thead><tbody>{lines}</tbody></table>"


def scenarios_report_html(scenarios: Scenarios, title: str, lang: str = "en") -> str:
    """The page comparing variants side by side, one colour per variant in every chart.

    Each chart adds its variants' bars (or boxes) first and in the same order,
    so variant i takes colour i of the template's colour cycle everywhere.
    """
    text = TEXT[lang]
    variants = scenarios.variants
    teams = _variants_teams_figure(variants, lang)
    broken = [
        _warning(f"{name}: " + text["broken"].format(count=f.num_violations))
        for name, f in variants.items()
        if f.num_violations
    ]
    body = [
        *broken,
        _variants_table(variants, scenarios.unplanned, lang),
        _chart(_coverage_fit_figure(variants, lang), "coverage-fit"),
        _chart(_variants_kinds_figure(variants, lang), "kinds"),
        _chart(teams, "teams")
        if teams is not None
        else f'<section><p class="note">{html.escape(text["no_teams"])}</p></section>',
        _chart(_variants_departments_figure(variants, lang), "departments"),
        _chart(_variants_fit_figure(variants, lang), "fit"),
        f"<section><details><summary>{html.escape(text['comparison'])}</summary>"
        f"{safe_frame(scenarios.comparison).to_html(index=False, escape=True, border=0)}"
        "</details></section>",
    ]
    return _page(text["scenarios_title"], title, body, lang)


# --------------------------------------------------------------------------- writing


def _write_atomically(out: Path, page: str) -> None:
    """Write ``page`` to a temporary file beside ``out``, then rename: never half a report.

    Raises ``OSError`` when ``out`` cannot be written.
    """

    def write(temp: Path) -> None:
        temp.write_text(page, encoding="utf-8")

    write_atomically(out, write)


def write_plan_report(
    instance: Instance,
    plan: Sequence[tuple[str, str]],
    summary: dict[str, Any] | None,
    out: Path,
    lang: str = "en",
    checked: CheckReport | None = None,
) -> None:
    """Write the report of a plan already in memory and checked (``matcher solve --report``)."""
    facts = plan_facts(instance, plan, summary, checked)
    _write_atomically(out, plan_report_html(facts, lang))


def write_report(instance_path: Path, plan_dir: Path, out: Path, lang: str = "en") -> None:
    """Write the report of the plan in ``plan_dir`` for the instance at ``instance_path``."""
    _write_atomically(out, plan_report_html(read_plan_facts(instance_path, plan_dir), lang))


def write_scenarios_report(scenarios_dir: Path, out: Path, lang: str = "en") -> None:
    """Write the side-by-side report of a ``matcher scenarios`` folder.

    The folder holds ``comparison.csv`` (one row per variant) and, for each
    variant, ``<variant>/instance/`` and ``<variant>/plan/``. Raises
    ``InputError`` naming the file when any of them cannot be read. A variant
    listed without a plan (infeasible, say) is shown in the table only.
    """
    title = scenarios_dir.resolve().name
    _write_atomically(out, scenarios_report_html(read_scenarios(scenarios_dir), title, lang))
