"""The independent checker catches a planted violation of each rule, and only that one."""

from __future__ import annotations

from fractions import Fraction

import pytest

from factories import cadre, post
from matcher.checker import check_plan, fit_terms
from matcher.instance import (
    Affinity,
    Department,
    Education,
    Instance,
    PostKind,
    Rank,
    Rules,
    Team,
    Weights,
)

Plan = list[tuple[str, str]]


def only(instance: Instance, plan: Plan) -> tuple[str, int, str]:
    """The single violation the checker reports for ``plan``."""
    report = check_plan(instance, plan)
    assert len(report.violations) == 1, report.violations
    violation = report.violations[0]
    assert violation.message_en and violation.message_zh
    return violation.rule, violation.family, violation.subject


def base(**changes: object) -> Instance:
    """One eligible cadre A, one post P with one seat, nothing else."""
    fields: dict[str, object] = {"candidates": (cadre("A"),), "posts": (post("P"),)}
    return Instance(**{**fields, **changes})  # type: ignore[arg-type]


def test_valid_plan_has_no_violation() -> None:
    report = check_plan(base(), [("A", "P")])
    assert report.ok and report.coverage == 1 and report.fit == 90


@pytest.mark.parametrize(
    ("cadre_fields", "post_fields", "rules", "rule", "family"),
    [
        ({"rank": Rank.COUNTY, "age": 46}, {}, {}, "age", 2),
        ({"education": Education.SECONDARY}, {}, {}, "education", 2),
        ({}, {"min_education": Education.MASTER}, {}, "education", 2),
        ({"disciplinary": True}, {}, {}, "disciplinary", 2),
        ({}, {"ranks": (Rank.COUNTY,)}, {}, "rank", 2),
        ({"experience": (PostKind.GRASSROOTS,)}, {"new_experience_only": True}, {},
         "experience", 2),
        ({"willing": False}, {}, {"require_willing": True}, "willing", 2),
        ({"department": "U1"}, {}, {}, "own_unit", 2),
        ({"birthplace": "乙县"}, {"sensitive": True}, {}, "birthplace", 3),
        ({"grew_up": ("乙县",)}, {"sensitive": True}, {}, "birthplace", 3),
    ],
)  # fmt: skip
def test_planted_eligibility_violation(
    cadre_fields: dict, post_fields: dict, rules: dict, rule: str, family: int
) -> None:
    instance = base(
        candidates=(cadre("A", **cadre_fields),),
        posts=(post("P", **post_fields),),
        rules=Rules(**rules),
    )
    assert only(instance, [("A", "P")]) == (rule, family, "A -> P")


def test_age_at_the_cap_and_avoidance_off_sensitive_posts_are_fine() -> None:
    instance = base(candidates=(cadre("A", rank=Rank.COUNTY, age=45, grew_up=("乙县",)),))
    assert check_plan(instance, [("A", "P")]).ok


def test_forbidden_pair() -> None:
    instance = base(affinities=(Affinity(candidate_id="A", post_id="P", forbid=True),))
    assert only(instance, [("A", "P")]) == ("forbidden", 2, "A -> P")


def test_one_post_per_cadre_and_seats() -> None:
    two_posts = base(posts=(post("P"), post("Q")))
    assert only(two_posts, [("A", "P"), ("A", "Q")])[:2] == ("one_post", 1)
    two_cadres = base(candidates=(cadre("A"), cadre("B")))
    assert only(two_cadres, [("A", "P"), ("B", "P")]) == ("seats", 1, "post P")


def test_unknown_ids() -> None:
    assert only(base(), [("Z", "P")])[:2] == ("unknown_id", 1)


def test_local_ratio_after_the_plan() -> None:
    team = Team(id="T", region="乙县", incumbents=3, incumbent_locals=1)
    joining = base(posts=(post("P", team="T"),), teams=(team,))
    assert only(joining, [("A", "P")]) == ("local_ratio", 4, "team T")  # 1 local of 4
    local = base(candidates=(cadre("A", home_region="乙县"),), posts=(post("P", team="T"),),
                 teams=(team,))  # fmt: skip
    assert check_plan(local, [("A", "P")]).ok  # 2 of 4
    leaving = base(candidates=(cadre("A", home_region="乙县", current_team="T"),), teams=(team,))
    assert only(leaving, [("A", "P")]) == ("local_ratio", 4, "team T")  # 0 of 2
    within = base(candidates=(cadre("A", home_region="乙县", current_team="T"),),
                  posts=(post("P", team="T"),), teams=(team,))  # fmt: skip
    assert check_plan(within, [("A", "P")]).ok  # neither leaves nor joins
    short = base(teams=(Team(id="T", region="乙县", incumbents=4, incumbent_locals=1),))
    assert only(short, []) == ("local_ratio", 4, "team T")  # untouched but below
    half = Team(
        id="T", region="乙县", incumbents=2, incumbent_locals=1, min_local_ratio=Fraction(1, 2)
    )
    assert check_plan(base(teams=(half,)), []).ok


def test_quotas() -> None:
    at_most_zero = base(departments=(Department(id="D1", max_send=0),))
    assert only(at_most_zero, [("A", "P")]) == ("quota_max", 5, "department D1")
    at_least_one = base(departments=(Department(id="D1", min_send=1),))
    assert only(at_least_one, []) == ("quota_min", 5, "department D1")


def test_must_place() -> None:
    veteran = base(candidates=(cadre("A", years_in_post=10),))
    assert only(veteran, []) == ("must_place", 6, "candidate A")
    off = veteran.model_copy(update={"rules": Rules(must_place_years=0)})
    assert check_plan(off, []).ok


def test_fit_terms_by_hand_with_a_decimal_weight() -> None:
    # score 80, development 30 (no petition experience), reserve 10, party 2.5,
    # dept priority 10, category 15 (health), 2nd preference 15 (first appearance
    # counts, the repeat is ignored), affinity 7: 169.5
    instance = Instance(
        candidates=(cadre("A", 80, reserve=True, party_member=True, preferences=("Q", "P", "P")),),
        posts=(post("P", kind=PostKind.PETITION, preferred_categories=("health",)), post("Q")),
        departments=(Department(id="D1", category="health", priority=True),),
        affinities=(Affinity(candidate_id="A", post_id="P", bonus=7),),
        rules=Rules(weights=Weights(party=Fraction(5, 2))),
    )
    terms = fit_terms(instance, "A", "P")
    assert (terms.score, terms.development, terms.reserve, terms.party) == (
        80,
        30,
        10,
        Fraction(5, 2),
    )
    assert (terms.dept_priority, terms.category_match, terms.preference, terms.affinity) == (
        10,
        15,
        15,
        7,
    )
    assert terms.total == Fraction(339, 2)
    assert check_plan(instance, [("A", "P")]).fit == Fraction(339, 2)
