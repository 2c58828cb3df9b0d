"""Rule 7 (format v1.1): working groups, receiving units and batches (seeds 000, 001, 004).

The members of a group are the cadres the plan assigns to any of its posts; a
cadre holds one post, so members = Σ x over the group's pairs.

* ``min_members ≤ members ≤ max_members`` and, per sending department,
  ``members from it ≤ max_per_department``: plain rows over the pairs (``rows``).
* ``min_party_members`` and ``min_county_level`` hold only for a group with at
  least one member. They are not rows over pairs: each needs a 0/1 decision
  ``y`` (the group is used), ``members ≤ cap·y``, ``party ≥ min_party·y``,
  ``county ≥ min_county·y``. ``conditions`` lists them; the grouped solve
  (``matcher.solve.grouped``) adds ``y`` to its CP-SAT model.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from matcher.instance import RANK_FAMILY, Group, Rank
from matcher.model.space import PairSpace, Row, RuleInstance, labelled, named_zh, ones
from matcher.prepare.encoding import IntArray


def _subject(group: Group) -> tuple[str, str]:
    return labelled("group", group.id, group.name), f"工作组{named_zh(group.id, group.name)}"


def group_pairs(space: PairSpace) -> list[IntArray]:
    """For each group of the instance (in order), the positions of its pairs, sorted."""
    instance = space.enc.instance
    index = {group.id: idx for idx, group in enumerate(instance.groups)}
    parts: list[list[IntArray]] = [[] for _ in instance.groups]
    for post_idx, post in enumerate(instance.posts):
        for group_id in dict.fromkeys(post.groups):
            if group_id in index:
                parts[index[group_id]].append(space.post2pairs[post_idx])
    empty = np.zeros(0, dtype=np.int64)
    return [np.sort(np.concatenate(part)) if part else empty for part in parts]


def _reach(space: PairSpace, pairs: IntArray) -> int:
    """Distinct cadres with an eligible pair among ``pairs``."""
    return int(np.unique(space.cand_idcs[pairs]).size)


def rows(space: PairSpace) -> Iterator[Row]:
    """The rows of rule 7 that hold whether or not the group has members."""
    instance = space.enc.instance
    cand_department = space.enc.cand_department
    for idx, (group, pairs) in enumerate(zip(instance.groups, group_pairs(space), strict=True)):
        subject, subject_zh = _subject(group)
        reach = _reach(space, pairs)
        if group.min_members > 0 or (group.max_members is not None and reach > group.max_members):
            upper = group.max_members
            rule = RuleInstance(
                7,
                "group",
                subject,
                f"{group.min_members}..{'∞' if upper is None else upper} members;"
                f" {reach} eligible cadres can reach its posts",
                f"{subject_zh}成员{group.min_members}至{'不限' if upper is None else upper}人，"
                f"能派往其岗位的符合条件干部{reach}人",
            )
            lower = group.min_members if group.min_members > 0 else None
            limit = upper if upper is not None and reach > upper else None
            yield Row(pairs, ones(pairs), lower, limit, rule, owner=idx)
        cap = group.max_per_department
        if cap is None:
            continue
        departments = cand_department[space.cand_idcs[pairs]]
        for code in dict.fromkeys(departments.tolist()):
            mine = pairs[departments == code]
            if _reach(space, mine) <= cap:
                continue  # cannot overflow
            department = space.enc.strings.code2string[code]
            rule = RuleInstance(
                7,
                "group",
                subject,
                f"at most {cap} members from department {department}",
                f"{subject_zh}同一单位至多{cap}人（{department}）",
            )
            yield Row(mine, ones(mine), None, cap, rule, owner=idx)


@dataclass(frozen=True)
class Condition:
    """``at_least`` of the group's members among ``pairs``, once the group has any member.

    ``members`` are all the group's pairs; the condition holds when
    ``Σ x[pairs] ≥ at_least · y`` with ``y = 1`` exactly when ``Σ x[members] ≥ 1``.
    """

    group: int
    members: IntArray
    pairs: IntArray
    at_least: int
    cap: int
    """Most members the group can have (bounds ``Σ x[members] ≤ cap·y``)."""
    rule: RuleInstance


def conditions(space: PairSpace) -> list[Condition]:
    """``min_party_members`` and ``min_county_level`` of every group that sets them."""
    instance = space.enc.instance
    county = np.array(
        [RANK_FAMILY[cand.rank] == Rank.COUNTY for cand in instance.candidates], dtype=bool
    )
    found: list[Condition] = []
    for idx, (group, pairs) in enumerate(zip(instance.groups, group_pairs(space), strict=True)):
        subject, subject_zh = _subject(group)
        seats = sum(post.seats for post in instance.posts if group.id in post.groups)
        cap = min(_reach(space, pairs), seats)
        if group.max_members is not None:
            cap = min(cap, group.max_members)
        party = pairs[space.enc.cand_party[space.cand_idcs[pairs]]]
        leaders = pairs[county[space.cand_idcs[pairs]]]
        for at_least, chosen, what_en, what_zh in (
            (group.min_party_members, party, "party members", "党员"),
            (group.min_county_level, leaders, "county-level members", "县处级干部"),
        ):
            if at_least <= 0:
                continue
            reach = _reach(space, chosen)
            only, only_zh = ("only ", "仅") if reach < at_least else ("", "")
            rule = RuleInstance(
                7,
                "group",
                subject,
                f"needs {at_least} {what_en} once it has any member;"
                f" {only}{reach} eligible {what_en} can reach its posts",
                f"{subject_zh}一旦有成员，须有{what_zh}至少{at_least}人；"
                f"能派往其岗位的符合条件{what_zh}{only_zh}{reach}人",
            )
            found.append(Condition(idx, pairs, chosen, at_least, cap, rule))
    return found


def conditions_hold(found: list[Condition], values: IntArray) -> bool:
    """Whether a 0/1 plan over the pairs meets every condition."""
    for condition in found:
        if values[condition.members].sum() and values[condition.pairs].sum() < condition.at_least:
            return False
    return True
