"""Each fit term of domain.md's table decides a plan on its own.

One post P (grassroots, unit U1) and two cadres who differ in one attribute
only. Both are section-level, 35, bachelor, from D1, with no experience: fit =
score + 30 (development) with the default weights. A scores 61 and B 60, so
without the term under test A is the better fit by one point (91 against 90)
and takes P; the term under test is given to B and must be worth more than that
point for B to take P. Every plan goes through the independent checker too.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from factories import cadre, post, solve_checked
from matcher.instance import Affinity, Department, Instance, PostKind, Rules, Weights
from matcher.solve.pipeline import OPTIMAL, SolveParams


def winner(instance: Instance) -> tuple[str, Fraction]:
    """Who takes P in the optimal, checked plan, and the plan's fit."""
    result, plan = solve_checked(instance, SolveParams(time_limit=20))
    assert result.status == OPTIMAL and result.coverage == 1
    assert len(plan) == 1
    return plan[0][0], result.fit


def duel(b_fields: dict[str, object], **instance_fields: object) -> Instance:
    """A (61, no term) against B (60, with ``b_fields``) for one post P."""
    fields: dict[str, object] = {"posts": (post("P"),), **instance_fields}
    return Instance(
        candidates=(cadre("A", 61), cadre("B", 60, **b_fields)),
        **fields,  # type: ignore[arg-type]
    )


def test_without_a_term_the_better_score_wins() -> None:
    # the baseline every other test breaks: A 61 + 30 = 91 against B 60 + 30 = 90
    assert winner(duel({})) == ("A", 91)


def test_score() -> None:
    # the score term alone: B scores 70 instead of 60: 70 + 30 = 100 > 91
    instance = Instance(candidates=(cadre("A", 61), cadre("B", 70)), posts=(post("P"),))
    assert winner(instance) == ("B", 100)


def test_development() -> None:
    # A has grassroots experience: A loses the development term, 61 < B's 60 + 30 = 90
    instance = Instance(
        candidates=(cadre("A", 61, experience=(PostKind.GRASSROOTS,)), cadre("B", 60)),
        posts=(post("P"),),
    )
    assert winner(instance) == ("B", 90)


def test_development_counts_only_the_posts_kind() -> None:
    # A's experience is of another kind: A keeps the term, 91 > 90
    instance = Instance(
        candidates=(cadre("A", 61, experience=(PostKind.PETITION,)), cadre("B", 60)),
        posts=(post("P"),),
    )
    assert winner(instance) == ("A", 91)


def test_reserve() -> None:
    # B is a reserve cadre: 60 + 30 + 10 = 100 > 91
    assert winner(duel({"reserve": True})) == ("B", 100)


def test_party() -> None:
    # B is a party member: 60 + 30 + 5 = 95 > 91
    assert winner(duel({"party_member": True})) == ("B", 95)


def test_dept_priority() -> None:
    # B's department D2 is a priority department: 60 + 30 + 10 = 100 > 91
    departments = (Department(id="D1"), Department(id="D2", priority=True))
    assert winner(duel({"department": "D2"}, departments=departments)) == ("B", 100)


def test_category_match() -> None:
    # P prefers health; B's department D2 is health: 60 + 30 + 15 = 105 > 91
    departments = (
        Department(id="D1", category="education"),
        Department(id="D2", category="health"),
    )
    posts = (post("P", preferred_categories=("health",)),)
    instance = duel({"department": "D2"}, departments=departments, posts=posts)
    assert winner(instance) == ("B", 105)


@pytest.mark.parametrize(
    ("preferences", "expected"),
    [
        (("P",), ("B", 110)),  # 1st: 60 + 30 + 20
        (("X1", "P"), ("B", 105)),  # 2nd: + 15
        (("X1", "X2", "P"), ("B", 100)),  # 3rd: + 10
        (("X1", "X2", "X3", "P"), ("B", 95)),  # 4th: + 5
        (("X1", "X2", "X3", "X4", "P"), ("A", 91)),  # 5th: no bonus, A's point wins
        (("X1", "P", "P"), ("B", 105)),  # the first appearance counts: 2nd
    ],
)
def test_preference(preferences: tuple[str, ...], expected: tuple[str, int]) -> None:
    assert winner(duel({"preferences": preferences})) == expected


def test_affinity() -> None:
    # the planner rates (B, P) at 7: 60 + 30 + 7 = 97 > 91
    affinities = (Affinity(candidate_id="B", post_id="P", bonus=7),)
    assert winner(duel({}, affinities=affinities)) == ("B", 97)


def test_negative_affinity() -> None:
    # the planner rates (A, P) at -2: 61 + 30 - 2 = 89 < B's 90
    affinities = (Affinity(candidate_id="A", post_id="P", bonus=-2),)
    assert winner(duel({}, affinities=affinities)) == ("B", 90)


@pytest.mark.parametrize(
    ("term", "b_fields", "departments", "preferred"),
    [
        ("reserve", {"reserve": True}, (), ()),
        ("party", {"party_member": True}, (), ()),
        ("dept_priority", {"department": "D2"}, (Department(id="D2", priority=True),), ()),
        ("category_match", {"department": "D2"}, (Department(id="D2", category="h"),), ("h",)),
        ("preference", {"preferences": ("P",)}, (), ()),
    ],
)
def test_a_term_weighted_zero_decides_nothing(
    term: str, b_fields: dict[str, object], departments: tuple[Department, ...], preferred: tuple
) -> None:
    # the same duels with the term's weight set to 0 in the rules: A's point wins, 91
    instance = duel(
        b_fields,
        departments=departments,
        posts=(post("P", preferred_categories=preferred),),
        rules=Rules(weights=Weights(**{term: Fraction(0)})),
    )
    assert winner(instance) == ("A", 91)


def test_weights_scale_their_term() -> None:
    # reserve weighted 1/2: B 60 + 30 + 1/2 = 90.5 < 91, A wins with 91;
    # weighted 3/2: B 60 + 30 + 3/2 = 91.5 > 91, B wins with 91.5
    half = duel({"reserve": True}, rules=Rules(weights=Weights(reserve=Fraction(1, 2))))
    assert winner(half) == ("A", 91)
    more = duel({"reserve": True}, rules=Rules(weights=Weights(reserve=Fraction(3, 2))))
    assert winner(more) == ("B", Fraction(183, 2))
