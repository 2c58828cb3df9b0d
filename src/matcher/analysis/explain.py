"""``matcher explain``: why a cadre is (not) placed, why a seat is filled or empty, a team's ratio.

Every answer is derived from the plan and the rules, with figures a planner can
read out in a meeting: the rules that exclude a pair (from eligibility), the
fit of each assignment term by term (from the independent checker), and for
every "why not" the concrete rule a swap would break or the fit it would lose
(from exact what-if checks on the model's rows).
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum

import numpy as np

from matcher.analysis.planview import PlanView
from matcher.check.checker import fit_terms, relied_exceptions
from matcher.instance import RANK_FAMILY, Instance, Rank
from matcher.io.labels import EXCEPTION_ZH, TERM_ZH, VALUES_ZH
from matcher.model.local_ratio import team_after_plan, team_moves
from matcher.prepare.eligibility import Exclusion, describe, exclusion_mask
from matcher.prepare.fit import FIT_TERMS
from matcher.solve.pipeline import Prepared

SHOWN = 5
"""How many posts or cadres an explanation lists before summarising the rest."""


def _value(value: StrEnum, zh: bool) -> str:
    """A rank, education or kind as the planner says it: 县处级, not county."""
    return VALUES_ZH.get(value.value, value.value) if zh else value.value


def _fmt(value: object) -> str:
    text = str(value)
    return text


def _fit_line(instance: Instance, cand_id: str, post_id: str, lang: str) -> str:
    terms = fit_terms(instance, cand_id, post_id)
    parts = [
        f"{TERM_ZH[name] if lang == 'zh' else name} {_fmt(getattr(terms, name))}"
        for name in FIT_TERMS
        if getattr(terms, name)
    ]
    joined = " + ".join(parts) if parts else "0"
    return f"{'匹配度' if lang == 'zh' else 'fit'} {_fmt(terms.total)} = {joined}"


def _rule_text(rows: list, lang: str) -> str:  # type: ignore[type-arg]
    return ("；" if lang == "zh" else "; ").join(row.rule.describe(lang) for row in rows)


def _who(instance: Instance, cand: int) -> str:
    c = instance.candidates[cand]
    return f"{c.id} {c.name}".strip()


def _post(instance: Instance, post: int) -> str:
    p = instance.posts[post]
    return f"{p.id} {p.name}".strip()


def explain_cadre(prepared: Prepared, view: PlanView, cand: int, lang: str = "en") -> list[str]:
    """Placed or not, where each post stands, and if not placed, what each eligible post costs."""
    zh = lang == "zh"
    instance = prepared.enc.instance
    space = prepared.space
    c = instance.candidates[cand]
    lines = [
        f"{'干部' if zh else 'cadre'} {_who(instance, cand)}: {c.department},"
        f" {_value(c.rank, zh)}, {c.age}{'岁' if zh else ''}, {_value(c.education, zh)},"
        f" {'考核分' if zh else 'score'} {c.score}"
    ]
    k = int(view.placed_at[cand])
    if k >= 0:
        post = int(space.post_idcs[k])
        lines.append(
            f"{'已安排到' if zh else 'placed at'} {_post(instance, post)}; "
            + _fit_line(instance, c.id, instance.posts[post].id, lang)
        )
        lines += _exception_lines(instance, cand, post, lang)
    else:
        lines.append("未安排。" if zh else "not placed.")
    posts = np.arange(instance.num_posts)
    masks = exclusion_mask(prepared.enc, np.array([cand]), posts)
    eligible = np.flatnonzero(masks == 0)
    counts = Counter({flag: int(np.count_nonzero(masks & np.uint16(flag))) for flag in Exclusion})
    reasons = ("；" if zh else "; ").join(
        f"{describe(flag, lang)[0]}（{n}个岗位）" if zh else f"{describe(flag, lang)[0]} ({n})"
        for flag, n in counts.most_common()
        if n
    )
    lines.append(
        f"符合条件的岗位 {eligible.size} 个，共 {instance.num_posts} 个"
        + (f"；不符合：{reasons}" if reasons else "")
        if zh
        else f"eligible for {eligible.size} of {instance.num_posts} posts"
        + (f"; excluded: {reasons}" if reasons else "")
    )
    if k >= 0:
        return lines
    fit = prepared.fit.total
    pairs = space.cand2pairs[cand]
    pairs = pairs[np.argsort(-fit[pairs], kind="stable")]
    for pair in pairs[:SHOWN].tolist():
        post = int(space.post_idcs[pair])
        lines.append("  " + _why_not_here(prepared, view, pair, post, lang))
    if pairs.size > SHOWN:
        lines.append(
            f"  …另有 {pairs.size - SHOWN} 个符合条件的岗位"
            if zh
            else f"  … and {pairs.size - SHOWN} more eligible posts"
        )
    return lines


def _why_not_here(prepared: Prepared, view: PlanView, pair: int, post: int, lang: str) -> str:
    """Why the cadre of ``pair`` does not hold ``post``: a broken rule, or the fit lost."""
    zh = lang == "zh"
    instance = prepared.enc.instance
    fit = prepared.fit
    mine = fit.value(int(fit.total[pair]))
    head = f"{_post(instance, post)} ({'本人匹配度' if zh else 'own fit'} {mine}): "
    holders = view.holders[post]
    if len(holders) < instance.posts[post].seats:
        broken = view.broken_rows([], [pair])
        if broken:
            return (
                head
                + ("有空位，但安排本人会违反" if zh else "a seat is free, but placing them breaks ")
                + _rule_text(broken, lang)
            )
        return head + (
            "有空位，安排本人会降低总匹配度"
            if zh
            else "a seat is free, but filling it lowers the objective"
        )
    parts = []
    for holder in holders:
        who = _who(instance, int(prepared.space.cand_idcs[holder]))
        broken = view.broken_rows([holder], [pair])
        if broken:
            parts.append(
                (f"由{who}担任，互换会违反" if zh else f"held by {who}; swapping breaks ")
                + _rule_text(broken, lang)
            )
        else:
            theirs = fit.value(int(fit.total[holder]))
            lost = theirs - mine
            parts.append(
                f"由{who}担任（匹配度 {theirs}，互换将减少 {lost}）"
                if zh
                else f"held by {who} (fit {theirs}; swapping loses {lost})"
            )
    return head + ("；" if zh else "; ").join(parts)


def explain_post(prepared: Prepared, view: PlanView, post: int, lang: str = "en") -> list[str]:
    """Who fills the post and their fit by term; for empty seats, why no one else could."""
    zh = lang == "zh"
    instance = prepared.enc.instance
    space = prepared.space
    p = instance.posts[post]
    holders = view.holders[post]
    seats, filled = ("职数", "已安排") if zh else ("seats", "filled")
    lines = [
        f"{'岗位' if zh else 'post'} {_post(instance, post)}: {_value(p.kind, zh)}, {p.region},"
        f" {seats} {p.seats}, {filled} {len(holders)}"
    ]
    for holder in holders:
        cand = int(space.cand_idcs[holder])
        lines.append(
            f"  {_who(instance, cand)}: "
            + _fit_line(instance, instance.candidates[cand].id, p.id, lang)
        )
    empty = p.seats - len(holders)
    if empty <= 0:
        return lines
    pairs = space.post2pairs[post]
    if pairs.size == 0:
        masks = exclusion_mask(prepared.enc, np.arange(instance.num_candidates), np.array([post]))
        counts = Counter({f: int(np.count_nonzero(masks & np.uint16(f))) for f in Exclusion})
        reasons = ("；" if zh else "; ").join(
            f"{n}{'人' if zh else ' '}{describe(f, lang)[0]}" for f, n in counts.most_common() if n
        )
        lines.append(
            f"  空缺 {empty} 个：无符合条件的人选（{reasons}）"
            if zh
            else f"  {empty} seat(s) empty: no eligible cadre ({reasons})"
        )
        return lines
    home = pairs[view.placed_at[space.cand_idcs[pairs]] < 0]
    away = pairs.size - home.size
    lines.append(
        f"  空缺 {empty} 个：符合条件的 {pairs.size} 人中 {away} 人已安排到其他岗位"
        "（调动会使该岗位空缺）"
        if zh
        else f"  {empty} seat(s) empty: of {pairs.size} eligible cadres, {away} hold other posts"
        " (moving one would empty that seat instead)"
    )
    fit = prepared.fit.total
    for pair in home[np.argsort(-fit[home], kind="stable")][:SHOWN].tolist():
        who = _who(instance, int(space.cand_idcs[pair]))
        broken = view.broken_rows([], [pair])
        if broken:
            lines.append(
                f"  {who}: "
                + ("安排会违反" if zh else "placing them breaks ")
                + _rule_text(broken, lang)
            )
        else:
            lines.append(
                f"  {who}: " + ("安排会降低总匹配度" if zh else "placing them lowers the objective")
            )
    return lines


def _exception_lines(instance: Instance, cand: int, post: int, lang: str) -> list[str]:
    """The documented exceptions this assignment relies on, each with its reason."""
    c, p = instance.candidates[cand], instance.posts[post]
    reasons = {e.rule.value: e.reason for e in instance.exceptions if e.candidate_id == c.id}
    return [
        f"  依据例外：{EXCEPTION_ZH[rule]}（{reasons[rule]}）"
        if lang == "zh"
        else f"  relies on an exception to {rule}: {reasons[rule]}"
        for rule in relied_exceptions(instance, c, p)
    ]


def explain_group(instance: Instance, view: PlanView, group_id: str, lang: str = "en") -> list[str]:
    """A group's members after the plan: count, party members, county-level members and
    the most from one department, each against its limit (rule 7)."""
    zh = lang == "zh"
    group = next(g for g in instance.groups if g.id == group_id)
    space = view.prepared.space
    members = {}
    for k in view.plan_pairs.tolist():
        post = instance.posts[int(space.post_idcs[k])]
        if group.id in post.groups:
            cand = instance.candidates[int(space.cand_idcs[k])]
            members[cand.id] = (cand, post)
    count = len(members)
    party = sum(cand.party_member for cand, _ in members.values())
    county = sum(RANK_FAMILY[cand.rank] == Rank.COUNTY for cand, _ in members.values())
    by_department = Counter(cand.department for cand, _ in members.values())
    used = count > 0

    def verdict(ok: bool) -> str:
        return ("满足" if ok else "不满足") if zh else ("holds" if ok else "BROKEN")

    top = max(by_department.values(), default=0)
    most = "不限" if zh else "unlimited"
    limits = [
        (("成员", "members"), count, f"{group.min_members}..{group.max_members or most}",
         group.min_members <= count and (group.max_members is None or count <= group.max_members)),
        (("党员", "party members"), party, f"≥ {group.min_party_members}",
         not used or party >= group.min_party_members),
        (("县处级", "county-level"), county, f"≥ {group.min_county_level}",
         not used or county >= group.min_county_level),
        (("同一单位最多", "most from one department"), top,
         f"≤ {most if group.max_per_department is None else group.max_per_department}",
         group.max_per_department is None or top <= group.max_per_department),
    ]  # fmt: skip
    name = f"{group.id} {group.name}".strip()
    lines = [f"工作组 {name}：{count} 人" if zh else f"group {name}: {count} members"]
    for (label_zh, label_en), value, limit, ok in limits:
        lines.append(f"  {label_zh if zh else label_en} {value} ({limit}): {verdict(ok)}")
    if not used and (group.min_party_members or group.min_county_level):
        lines.append(
            "  （空组无需党员和县处级干部）"
            if zh
            else "  (an empty group needs no party members and no county-level member)"
        )
    for cand, post in members.values():
        tags = [VALUES_ZH.get(cand.rank.value, cand.rank.value) if zh else cand.rank.value]
        if cand.party_member:
            tags.append("党员" if zh else "party")
        lines.append(f"  {cand.id} {cand.name} ({cand.department}, {', '.join(tags)}) → {post.id}")
    return lines


def explain_team(prepared: Prepared, view: PlanView, team_id: str, lang: str = "en") -> list[str]:
    """Members and locals before and after the plan, against the ratio."""
    zh = lang == "zh"
    instance = prepared.enc.instance
    team = next(t for t in instance.teams if t.id == team_id)
    space = prepared.space
    pairs = [
        (instance.candidates[int(space.cand_idcs[k])], instance.posts[int(space.post_idcs[k])])
        for k in view.plan_pairs.tolist()
    ]
    members, locals_ = team_after_plan(team, pairs)
    moves = []
    for cand, change in team_moves(team, pairs):
        goes_in = change > 0
        local = cand.home_region == team.region
        arrow = ("调入" if goes_in else "调出") if zh else ("joins" if goes_in else "leaves")
        where = ("本地" if local else "外地") if zh else ("local" if local else "not local")
        moves.append(f"  {cand.id} {cand.name} {arrow} ({where})")
    ratio = instance.team_ratio(team)
    holds = locals_ * ratio.denominator >= ratio.numerator * members
    head = (
        f"班子 {team.id}（{team.region}）：调整前本地 {team.incumbent_locals}/{team.incumbents}，"
        f"调整后本地 {locals_}/{members}，要求不低于 {ratio}：{'满足' if holds else '不满足'}"
        if zh
        else f"team {team.id} ({team.region}): locals {team.incumbent_locals} of {team.incumbents}"
        f" before, {locals_} of {members} after; at least {ratio} required: "
        f"{'holds' if holds else 'BROKEN'}"
    )
    return [head, *moves]
