"""Rule 4: at least one third of every leadership team is local, after the plan (seed 002).

Members after the plan = incumbents − team members posted away + cadres posted
in; locals likewise, counting only cadres whose ``home_region`` is the team's
region. A cadre posted to a post of their own team neither leaves nor joins.
With ratio a/b the rule is ``b·locals − a·members ≥ 0``: exact integers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from matcher.instance import Candidate, Post, Team
from matcher.model.space import PairSpace, Row, RuleInstance, group_by


def team_moves(team: Team, pairs: Iterable[tuple[Candidate, Post]]) -> list[tuple[Candidate, int]]:
    """The cadres a plan moves into (+1) or out of (-1) ``team``, in plan order.

    Parameters
    ----------
    team
        The leadership team.
    pairs
        The plan's assignments, one per cadre.

    Returns
    -------
    list of (Candidate, int)
        Each cadre posted to a post of the team from elsewhere (+1), or posted
        away from it (-1); a cadre posted within their own team is not listed.
    """
    moves = []
    for candidate, post in pairs:
        was_in, goes_in = candidate.current_team == team.id, post.team == team.id
        if was_in != goes_in:
            moves.append((candidate, 1 if goes_in else -1))
    return moves


def team_after_plan(team: Team, pairs: Iterable[tuple[Candidate, Post]]) -> tuple[int, int]:
    """Rule 4's count: (members, locals) of ``team`` after the plan ``pairs`` (one per cadre).

    The same count the rows of :func:`rows` hold against the ratio, for one plan.
    """
    members, locals_ = team.incumbents, team.incumbent_locals
    for candidate, change in team_moves(team, pairs):
        members += change
        locals_ += change * (candidate.home_region == team.region)
    return members, locals_


def rows(space: PairSpace) -> Iterator[Row]:
    """One row per team in the teams table, touched by the plan or not.

    Only pairs that move a cadre into or out of some team can change a row, so
    those are grouped by team once, instead of scanning every pair per team.
    """
    enc = space.enc
    cand_team = enc.cand_current_team[space.cand_idcs]
    post_team = enc.post_team[space.post_idcs]
    moves = cand_team != post_team
    joining = np.flatnonzero(moves & (post_team >= 0))
    leaving = np.flatnonzero(moves & (cand_team >= 0))
    num_codes = len(enc.strings.code2string)
    joining_by_team = group_by(post_team[joining], num_codes) if num_codes else []
    leaving_by_team = group_by(cand_team[leaving], num_codes) if num_codes else []
    for idx, team in enumerate(enc.instance.teams):
        code = enc.strings.code(team.id)
        region = enc.strings.code(team.region)
        ratio = enc.instance.team_ratio(team)
        into = joining[joining_by_team[code]] if 0 <= code < len(joining_by_team) else joining[:0]
        out = leaving[leaving_by_team[code]] if 0 <= code < len(leaving_by_team) else leaving[:0]
        pairs = np.concatenate((into, out))
        delta_members = np.concatenate(
            (np.ones(into.size, dtype=np.int64), -np.ones(out.size, dtype=np.int64))
        )
        is_local = enc.cand_home_region[space.cand_idcs[pairs]] == region
        coeffs = ratio.denominator * delta_members * is_local - ratio.numerator * delta_members
        keep = coeffs != 0
        order = np.argsort(pairs[keep], kind="stable")
        slack = ratio.denominator * team.incumbent_locals - ratio.numerator * team.incumbents
        rule = RuleInstance(
            4,
            "local ratio",
            f"team {team.id} ({team.region})",
            f"at least {ratio} local; {team.incumbent_locals} of {team.incumbents} now",
            f"班子{team.id}（{team.region}）本地干部不低于{ratio}，"
            f"现为{team.incumbent_locals}/{team.incumbents}",
        )
        yield Row(
            pairs[keep][order], coeffs[keep][order].astype(np.int64), -slack, None, rule, owner=idx
        )
