"""One hand-built micro-instance per rule, with the optimum derived in a comment.

Unless said otherwise cadres are section-level, 35 years old, bachelor, not
party members or reserve cadres, with no experience, so fit = score + 30
(the development bonus) and the optimum can be worked out by hand.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from factories import cadre, post, solve_checked
from matcher.instance import (
    Affinity,
    Department,
    Education,
    Instance,
    PostKind,
    Rank,
    Rules,
    Team,
)
from matcher.solve.pipeline import INFEASIBLE, OPTIMAL, SolveParams, solve


def plan_of(
    instance: Instance, **kwargs: object
) -> tuple[str, set[tuple[str, str]], int, Fraction]:
    """The solver's plan, passed through the independent checker (``solve_checked``)."""
    result, plan = solve_checked(instance, SolveParams(time_limit=20, **kwargs))  # type: ignore[arg-type]
    return result.status, set(plan), result.coverage, result.fit


def conflict_rules(instance: Instance) -> set[int]:
    result = solve(instance, SolveParams(time_limit=20))
    assert result.status == INFEASIBLE
    return {c.rule for c in result.conflicts}


# --- rule 1: seats and one post per cadre ------------------------------------------------


def test_seats_take_the_two_best() -> None:
    # One post with 2 seats, three cadres scoring 90, 80, 70: the seats go to the
    # two best. coverage 2, fit (90+30) + (80+30) = 230.
    inst = Instance(
        candidates=(cadre("A", 90), cadre("B", 80), cadre("C", 70)),
        posts=(post("P", seats=2),),
    )
    assert plan_of(inst) == (OPTIMAL, {("A", "P"), ("B", "P")}, 2, 230)


def test_one_post_per_cadre() -> None:
    # One cadre, two posts: only one can be filled. coverage 1, fit 60+30 = 90.
    inst = Instance(candidates=(cadre("A"),), posts=(post("P"), post("Q")))
    status, plan, coverage, fit = plan_of(inst)
    assert (status, len(plan), coverage, fit) == (OPTIMAL, 1, 1, 90)


def test_more_must_place_cadres_than_seats_is_infeasible() -> None:
    inst = Instance(
        candidates=tuple(cadre(c, years_in_post=12) for c in "ABC"),
        posts=(post("P", seats=2),),
    )
    assert conflict_rules(inst) & {1, 6}


# --- rule 2: eligibility ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("excluded", "fields", "post_fields", "rules"),
    [
        ("age over the cap", {"rank": Rank.COUNTY, "age": 46}, {}, {}),
        ("education", {"education": Education.SECONDARY}, {}, {}),
        ("post's own education", {"education": Education.ASSOCIATE},
         {"min_education": Education.BACHELOR}, {}),
        ("disciplinary veto", {"disciplinary": True}, {}, {}),
        ("rank", {"rank": Rank.GENERAL, "age": 30}, {"ranks": (Rank.SECTION,)}, {}),
        ("experience", {"experience": (PostKind.GRASSROOTS,)}, {"new_experience_only": True}, {}),
        ("willing", {"willing": False}, {}, {"require_willing": True}),
        ("own unit", {"department": "U1"}, {}, {}),
    ],
)  # fmt: skip
def test_ineligible_star_loses_to_eligible_cadre(
    excluded: str, fields: dict, post_fields: dict, rules: dict
) -> None:
    # Star (score 95) is excluded for one reason; Plain (score 50) gets the post.
    # coverage 1; fit 50 + 30 = 80 (Plain has no experience).
    inst = Instance(
        candidates=(cadre("Star", 95, **fields), cadre("Plain", 50)),
        posts=(post("P", **post_fields),),
        rules=Rules(**rules),
    )
    assert plan_of(inst) == (OPTIMAL, {("Plain", "P")}, 1, 80), excluded


def test_age_equal_to_cap_is_eligible() -> None:
    # county cap 45: a 45-year-old county cadre is eligible and the better fit.
    inst = Instance(
        candidates=(cadre("Star", 95, rank=Rank.COUNTY, age=45), cadre("Plain", 50)),
        posts=(post("P"),),
    )
    assert plan_of(inst)[1] == {("Star", "P")}


def test_forbidden_pair_is_never_assigned() -> None:
    inst = Instance(
        candidates=(cadre("Star", 95), cadre("Plain", 50)),
        posts=(post("P"),),
        affinities=(Affinity(candidate_id="Star", post_id="P", forbid=True),),
    )
    assert plan_of(inst)[1] == {("Plain", "P")}


def test_veto_off_allows_disciplinary_cadre() -> None:
    inst = Instance(
        candidates=(cadre("Star", 95, disciplinary=True), cadre("Plain", 50)),
        posts=(post("P"),),
        rules=Rules(veto_disciplinary=False),
    )
    assert plan_of(inst)[1] == {("Star", "P")}


def test_must_place_cadre_ineligible_everywhere_is_infeasible() -> None:
    inst = Instance(
        candidates=(cadre("Old", rank=Rank.COUNTY, age=50, years_in_post=11),),
        posts=(post("P"),),
    )
    assert conflict_rules(inst) == {6}


# --- rule 3: birthplace avoidance ---------------------------------------------------------


def test_sensitive_post_avoids_birthplace_and_home_town() -> None:
    # Sensitive post in 乙县: Born was born there, Raised grew up there; Other
    # (score 50) gets it: fit 80. The same post, not sensitive, goes to Born (95).
    candidates = (
        cadre("Born", 95, birthplace="乙县"),
        cadre("Raised", 90, grew_up=("丙县", "乙县")),
        cadre("Other", 50),
    )
    sensitive = Instance(candidates=candidates, posts=(post("P", sensitive=True),))
    assert plan_of(sensitive) == (OPTIMAL, {("Other", "P")}, 1, 80)
    plain = Instance(candidates=candidates, posts=(post("P"),))
    assert plan_of(plain)[1] == {("Born", "P")}


# --- rule 4: local-cadre ratio ------------------------------------------------------------


def team(incumbents: int, locals_: int, ratio: Fraction | None = None) -> Team:
    return Team(
        id="T",
        region="乙县",
        incumbents=incumbents,
        incumbent_locals=locals_,
        min_local_ratio=ratio,
    )


def test_team_at_one_third_takes_a_local() -> None:
    # Team: 3 members, 1 local (exactly 1/3). Posting the outsider (95) in makes
    # 1 local of 4 (3·1 < 4): not allowed. The local (50) makes 2 of 4. fit 80.
    inst = Instance(
        candidates=(cadre("Outsider", 95), cadre("Local", 50, home_region="乙县")),
        posts=(post("P", team="T"),),
        teams=(team(3, 1),),
    )
    assert plan_of(inst) == (OPTIMAL, {("Local", "P")}, 1, 80)


def test_local_leaving_the_team_is_counted() -> None:
    # Team: 3 members, 1 local, who is Leaver. Posting Leaver to P (outside the
    # team) leaves 0 local of 2: not allowed, so the post goes to Stay (50): fit 80.
    inst = Instance(
        candidates=(
            cadre("Leaver", 95, home_region="乙县", current_team="T"),
            cadre("Stay", 50),
        ),
        posts=(post("P"),),
        teams=(team(3, 1),),
    )
    assert plan_of(inst)[1] == {("Stay", "P")}


def test_move_within_own_team_neither_leaves_nor_joins() -> None:
    # Leaver moves to a post of their own team T: members stay 3, locals 1: allowed.
    inst = Instance(
        candidates=(cadre("Leaver", 95, home_region="乙县", current_team="T"),),
        posts=(post("P", team="T"),),
        teams=(team(3, 1),),
    )
    assert plan_of(inst)[1] == {("Leaver", "P")}


def test_team_below_ratio_is_repaired_or_infeasible() -> None:
    # Team: 3 members, 0 local. One local cadre posted in: 1 of 4 < 1/3: still short.
    # With ratio 1/4 that one posting repairs it (4·1 ≥ 4); with 1/3 it cannot.
    candidates = (cadre("Local", 50, home_region="乙县"),)
    posts = (post("P", team="T"),)
    repaired = Instance(candidates=candidates, posts=posts, teams=(team(3, 0, Fraction(1, 4)),))
    assert plan_of(repaired)[1] == {("Local", "P")}
    broken = Instance(candidates=candidates, posts=posts, teams=(team(3, 0),))
    assert conflict_rules(broken) == {4}


# --- rule 5: department quotas ------------------------------------------------------------


def test_max_send_spreads_the_posts() -> None:
    # D1 may send 1. A (95) and B (90) are from D1, C (50) from D2; two posts.
    # Best: A and C: coverage 2, fit 125 + 80 = 205.
    inst = Instance(
        candidates=(cadre("A", 95), cadre("B", 90), cadre("C", 50, department="D2")),
        posts=(post("P"), post("Q")),
        departments=(Department(id="D1", max_send=1), Department(id="D2")),
    )
    status, plan, coverage, fit = plan_of(inst)
    assert (status, coverage, fit) == (OPTIMAL, 2, 205)
    assert {c for c, _ in plan} == {"A", "C"}


def test_min_send_forces_a_weaker_cadre_in() -> None:
    # D2 must send 1: C (50) takes the only post although A (95) fits better. fit 80.
    inst = Instance(
        candidates=(cadre("A", 95), cadre("C", 50, department="D2")),
        posts=(post("P"),),
        departments=(Department(id="D1"), Department(id="D2", min_send=1)),
    )
    assert plan_of(inst) == (OPTIMAL, {("C", "P")}, 1, 80)


def test_min_send_beyond_eligible_cadres_is_infeasible() -> None:
    inst = Instance(
        candidates=(cadre("A"), cadre("B", disciplinary=True)),
        posts=(post("P"), post("Q")),
        departments=(Department(id="D1", min_send=2),),
    )
    # D1 has one eligible cadre, who can take only one post (rule 1): both are named
    assert 5 in conflict_rules(inst)


# --- rule 6: must-place --------------------------------------------------------------------


def test_must_place_cadre_beats_a_better_fit() -> None:
    # Veteran (12 years, score 40) must be placed; one post: fit 40 + 30 = 70.
    inst = Instance(
        candidates=(cadre("Star", 95), cadre("Veteran", 40, years_in_post=12)),
        posts=(post("P"),),
    )
    assert plan_of(inst) == (OPTIMAL, {("Veteran", "P")}, 1, 70)
    off = inst.model_copy(update={"rules": Rules(must_place_years=0)})
    assert plan_of(off)[1] == {("Star", "P")}


# --- objective ----------------------------------------------------------------------------


def test_coverage_by_priority_comes_before_fit() -> None:
    # Only A can take Hi (priority 3, rank county only); A fits Lo much better.
    # Lexicographic: A→Hi (coverage 3) and B→Lo (coverage 1): coverage 4.
    inst = Instance(
        candidates=(
            cadre("A", 95, rank=Rank.COUNTY),
            cadre("B", 20, rank=Rank.GENERAL, age=30),
        ),
        posts=(
            post("Hi", priority=3, ranks=(Rank.COUNTY,)),
            post("Lo", priority=1),
        ),
        affinities=(Affinity(candidate_id="A", post_id="Lo", bonus=500),),
    )
    status, plan, coverage, _ = plan_of(inst)
    assert (status, plan, coverage) == (OPTIMAL, {("A", "Hi"), ("B", "Lo")}, 4)


def test_decimal_weights_are_exact() -> None:
    # party weight 2.5: A (party, 60) fit 60 + 30 + 2.5 = 92.5 exactly.
    from matcher.instance import Weights

    inst = Instance(
        candidates=(cadre("A", party_member=True),),
        posts=(post("P"),),
        rules=Rules(weights=Weights(party=Fraction(5, 2))),
    )
    assert plan_of(inst)[3] == Fraction(185, 2)


# --- diagnosis -----------------------------------------------------------------------------


def conflict_subjects(instance: Instance) -> set[str]:
    result = solve(instance, SolveParams(time_limit=20))
    assert result.status == INFEASIBLE
    return {c.subject for c in result.conflicts}


def test_diagnosis_names_exactly_the_rules_in_conflict() -> None:
    # Three must-place cadres, one post with two seats; around them rules that can
    # all hold (a quota, a comfortable team, another post). The minimal conflict is
    # the post's seats and the three must-place cadres, and nothing else.
    inst = Instance(
        candidates=(
            *(cadre(c, years_in_post=12, rank=Rank.GENERAL, age=30) for c in "ABC"),
            cadre("D"),
        ),
        posts=(post("P", seats=2), post("Q", ranks=(Rank.SECTION,))),
        departments=(Department(id="D1", max_send=5),),
        teams=(Team(id="T", region="乙县", incumbents=6, incumbent_locals=4),),
    )
    assert conflict_subjects(inst) == {
        "post P (岗位P)",
        "cadre A (干部A)",
        "cadre B (干部B)",
        "cadre C (干部C)",
    }


def test_diagnosis_of_a_short_team_names_only_that_team() -> None:
    inst = Instance(
        candidates=(cadre("A"), cadre("B")),
        posts=(post("P", team="T"), post("Q")),
        teams=(
            Team(id="T", region="乙县", incumbents=3, incumbent_locals=0),
            Team(id="U", region="甲县", incumbents=3, incumbent_locals=3),
        ),
        departments=(Department(id="D1", min_send=1),),
    )
    assert conflict_subjects(inst) == {"team T (乙县)"}


def test_diagnosis_of_max_send_against_must_place_names_the_department_and_both_cadres() -> None:
    # D1 may send 1, but A and B (both D1, 12 years in post) must both be placed.
    inst = Instance(
        candidates=(cadre("A", years_in_post=12), cadre("B", years_in_post=12), cadre("C")),
        posts=(post("P"), post("Q")),
        departments=(Department(id="D1", name="民政局", max_send=1),),
    )
    assert conflict_subjects(inst) == {
        "department D1 (民政局)",
        "cadre A (干部A)",
        "cadre B (干部B)",
    }


def test_diagnosis_of_min_send_beyond_eligible_names_the_department_and_its_one_cadre() -> None:
    # D1 must send 2; B is vetoed (disciplinary record), so only A could go, and A
    # takes one post at most: the quota and A's one-post rule conflict, nothing else.
    inst = Instance(
        candidates=(cadre("A"), cadre("B", disciplinary=True), cadre("C", department="D2")),
        posts=(post("P"), post("Q")),
        departments=(Department(id="D1", name="民政局", min_send=2), Department(id="D2")),
    )
    assert conflict_subjects(inst) == {"department D1 (民政局)", "cadre A (干部A)"}


def test_diagnosis_of_a_must_place_cadre_with_no_eligible_post_names_only_that_cadre() -> None:
    # V must be placed (12 years) but is over every age cap; the others can be placed freely.
    inst = Instance(
        candidates=(cadre("V", years_in_post=12, age=60), cadre("A"), cadre("B")),
        posts=(post("P"), post("Q")),
        departments=(Department(id="D1", max_send=2),),
    )
    assert conflict_subjects(inst) == {"cadre V (干部V)"}
