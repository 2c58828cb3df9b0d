"""Supply against demand, rule by rule, before any solving (what a planner should change).

Each check compares what a rule demands (a department's ``min_send``, the
locals a team must gain, a must-place cadre's posting, a post's seats) with
the cadres eligible to supply it, and when supply falls short says why the
others are excluded, with counts: "only 1 of its 4 cadres is eligible for any
post: 3 are over the age cap for their rank".
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from matcher.prepare.eligibility import Exclusion, describe, exclusion_mask
from matcher.prepare.encoding import Encoded
from matcher.solve.pipeline import Prepared


@dataclass(frozen=True)
class Shortfall:
    """One rule whose demand the eligible cadres cannot (or can only just) meet."""

    rule: int
    subject: str
    message_en: str
    message_zh: str

    def message(self, lang: str = "en") -> str:
        return self.message_zh if lang == "zh" else self.message_en


def _who(id: str, name: str) -> str:
    return f"{id} {name}" if name and name != id else id


def _never_eligible_reasons(enc: Encoded, cands: np.ndarray) -> Counter[int]:
    """For cadres eligible nowhere: the reasons that exclude each of them from every post."""
    if cands.size == 0 or enc.instance.num_posts == 0:
        return Counter()
    posts = np.arange(enc.instance.num_posts)
    masks = exclusion_mask(enc, cands[:, None], posts[None, :])
    everywhere = np.bitwise_and.reduce(masks, axis=1)
    counts: Counter[int] = Counter()
    for flag in Exclusion:
        counts[int(flag)] = int(np.count_nonzero(everywhere & np.uint16(flag)))
    return counts


def _reason_text(counts: Counter[int], lang: str, per: str = "cadres") -> str:
    """``"3 over the age cap …; 1 disciplinary …"``, or per post: ``"… (110 posts)"``."""
    parts = []
    for flag, count in sorted(counts.items(), key=lambda item: -item[1]):
        if not count:
            continue
        text = describe(flag, lang)[0]
        if per == "posts":
            parts.append(f"{text}（{count}个岗位）" if lang == "zh" else f"{text} ({count} posts)")
        else:
            parts.append(f"{count}人{text}" if lang == "zh" else f"{count} {text}")
    return ("；" if lang == "zh" else "; ").join(parts)


def shortfalls(prepared: Prepared) -> list[Shortfall]:
    """Every rule whose demand exceeds what the eligible cadres can supply."""
    enc, space = prepared.enc, prepared.space
    instance = enc.instance
    found: list[Shortfall] = []
    eligible_posts = space.cand_degree  # over all eligible pairs, listed or not

    # rule 6: each must-place cadre needs an eligible post
    for idx in np.flatnonzero(enc.cand_must_place & (eligible_posts == 0)).tolist():
        cand = instance.candidates[idx]
        posts = np.arange(instance.num_posts)
        masks = exclusion_mask(enc, np.array([idx]), posts)
        counts = Counter({int(f): int(np.count_nonzero(masks & np.uint16(f))) for f in Exclusion})
        found.append(Shortfall(
            6, f"cadre {cand.id}",
            f"cadre {_who(cand.id, cand.name)} must be placed ({cand.years_in_post} years in post)"
            f" but is eligible for none of the {instance.num_posts} posts:"
            f" {_reason_text(counts, 'en', 'posts')}",
            f"干部{_who(cand.id, cand.name)}任职{cand.years_in_post}年须交流，"
            f"但{instance.num_posts}个岗位均不符合条件：{_reason_text(counts, 'zh', 'posts')}",
        ))  # fmt: skip

    # rule 5: a department must have enough eligible cadres for its min_send
    dept_code = enc.cand_department
    for dept in instance.departments:
        if dept.min_send == 0:
            continue
        members = np.flatnonzero(dept_code == enc.strings.code(dept.id))
        usable = int(np.count_nonzero(eligible_posts[members] > 0))
        if usable >= dept.min_send:
            continue
        reasons = _never_eligible_reasons(enc, members[eligible_posts[members] == 0])
        name = dept.name or dept.id
        found.append(Shortfall(
            5, f"department {dept.id}",
            f"department {name} must send {dept.min_send}; only {usable} of its"
            f" {members.size} cadres are eligible for any post"
            + (f": {_reason_text(reasons, 'en')}" if reasons.total() else ""),
            f"单位{name}至少须选派{dept.min_send}人，{members.size}名人选中仅{usable}人符合任一岗位条件"
            + (f"：{_reason_text(reasons, 'zh')}" if reasons.total() else ""),
        ))  # fmt: skip

    # rule 4: a team short of locals needs enough local cadres and seats to repair it
    post_team = enc.post_team[space.post_idcs]
    for team in instance.teams:
        ratio = instance.team_ratio(team)
        a, b = ratio.numerator, ratio.denominator
        deficit = a * team.incumbents - b * team.incumbent_locals
        if deficit <= 0:
            continue
        # each local posted in adds b − a to b·locals − a·members
        needed = math.ceil(deficit / (b - a)) if b > a else None
        code, region = enc.strings.code(team.id), enc.strings.code(team.region)
        team_posts = enc.post_team == code
        if prepared.universe is not None:  # pairs not listed: from the eligibility bits
            locals_ = prepared.universe.eligible_cadres(team_posts, enc.cand_home_region == region)
        else:
            into_team = post_team == code
            local = enc.cand_home_region[space.cand_idcs] == region
            locals_ = np.unique(space.cand_idcs[into_team & local]).size
        seats = int(enc.post_seats[team_posts].sum())
        if needed is not None and locals_ >= needed and seats >= needed:
            continue
        found.append(Shortfall(
            4, f"team {team.id}",
            f"team {team.id} ({team.region}) has {team.incumbent_locals} locals of"
            f" {team.incumbents}, below {ratio}; it needs {needed} more local cadres posted in,"
            f" but its posts have {seats} seats and {locals_} eligible local cadres",
            f"班子{team.id}（{team.region}）现有本地干部{team.incumbent_locals}人/共{team.incumbents}人，"
            f"低于{ratio}；需派入本地干部{needed}人，但所属岗位仅{seats}个职数、符合条件的本地干部"
            f"{locals_}人",
        ))  # fmt: skip

    # posts nobody can fill (not infeasible, but every such seat stays empty)
    eligible_cadres = space.post_degree
    for idx in np.flatnonzero(eligible_cadres == 0).tolist():
        post = instance.posts[idx]
        masks = exclusion_mask(enc, np.arange(instance.num_candidates), np.array([idx]))
        counts = Counter({int(f): int(np.count_nonzero(masks & np.uint16(f))) for f in Exclusion})
        found.append(Shortfall(
            1, f"post {post.id}",
            f"post {_who(post.id, post.name)}: no cadre is eligible,"
            f" its {post.seats} seat(s) will stay empty ({_reason_text(counts, 'en')})",
            f"岗位{_who(post.id, post.name)}无符合条件的人选，{post.seats}个职数将空缺"
            f"（{_reason_text(counts, 'zh')}）",
        ))  # fmt: skip
    return found
