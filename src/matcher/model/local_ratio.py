"""Rule 4: at least one third of every leadership team is local, after the plan (seed 002).

Members after the plan = incumbents − team members posted away + cadres posted
in; locals likewise, counting only cadres whose ``home_region`` is the team's
region. A cadre posted to a post of their own team neither leaves nor joins.
With ratio a/b the rule is ``b·locals − a·members ≥ 0``: exact integers.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from matcher.model.space import PairSpace, Row, RuleInstance


def rows(space: PairSpace) -> Iterator[Row]:
    """One row per team in the teams table, touched by the plan or not."""
    enc = space.enc
    cand_team = enc.cand_current_team[space.cand_idcs]
    post_team = enc.post_team[space.post_idcs]
    moves = cand_team != post_team
    is_local_by_region: dict[int, np.ndarray] = {}
    for team in enc.instance.teams:
        code = enc.strings.code(team.id)
        region = enc.strings.code(team.region)
        if region not in is_local_by_region:
            is_local_by_region[region] = enc.cand_home_region[space.cand_idcs] == region
        ratio = enc.instance.team_ratio(team)
        delta_members = (moves & (post_team == code)).astype(np.int64) - (
            moves & (cand_team == code)
        )
        delta_locals = delta_members * is_local_by_region[region]
        coeffs = ratio.denominator * delta_locals - ratio.numerator * delta_members
        pairs = np.flatnonzero(coeffs)
        slack = ratio.denominator * team.incumbent_locals - ratio.numerator * team.incumbents
        rule = RuleInstance(
            4,
            "local ratio",
            f"team {team.id} ({team.region})",
            f"at least {ratio} local; {team.incumbent_locals} of {team.incumbents} now",
            f"班子{team.id}（{team.region}）本地干部不低于{ratio}，"
            f"现为{team.incumbent_locals}/{team.incumbents}",
        )
        yield Row(pairs, coeffs[pairs].astype(np.int64), -slack, None, rule)
