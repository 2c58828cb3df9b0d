"""The data side's team count after a plan (``model.local_ratio``) against the checker's own."""

from __future__ import annotations

import random

import pytest

from factories import cadre, post, random_instance
from matcher.check import checker
from matcher.instance import Team
from matcher.model.local_ratio import team_after_plan, team_moves


def test_a_leaver_a_joiner_and_a_move_within() -> None:
    # T (乙县): 4 members, 2 local. L (local, of T) leaves for X; J (local) joins on P;
    # W (of T) moves to Q, another post of T: neither. After: 4 - 1 + 1 = 4, locals 2.
    team = Team(id="T", region="乙县", incumbents=4, incumbent_locals=2)
    leaver = cadre("L", home_region="乙县", current_team="T")
    joiner = cadre("J", home_region="乙县")
    within = cadre("W", current_team="T")
    pairs = [(leaver, post("X")), (joiner, post("P", team="T")), (within, post("Q", team="T"))]
    assert team_moves(team, pairs) == [(leaver, -1), (joiner, 1)]
    assert team_after_plan(team, pairs) == (4, 2)
    assert team_after_plan(team, pairs[:1]) == (3, 1)


@pytest.mark.parametrize("seed", range(20))
def test_team_count_agrees_with_the_checkers(seed: int) -> None:
    # any plan, one post per cadre, eligible or not: both sides count every team alike
    instance = random_instance(seed, num_candidates=8, num_posts=4)
    rng = random.Random(seed)
    pairs = [(c, rng.choice(instance.posts)) for c in instance.candidates if rng.random() < 0.6]
    assert instance.teams
    for team in instance.teams:
        assert team_after_plan(team, pairs) == checker.team_after_plan(team, pairs)
