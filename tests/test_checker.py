"""The checker, rule by rule: each test plants exactly one violation in a valid plan.

Instances are built by hand here (no shared factories, no other matcher module)
so that every expectation can be read off the test itself.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from matcher.check.checker import CheckReport, FitTerms, check_plan, fit_terms
from matcher.instance import (
    Affinity,
    Candidate,
    Department,
    Education,
    Instance,
    Post,
    PostKind,
    Rank,
    Rules,
    Team,
    Weights,
)

# --------------------------------------------------------------------------- factories


def cand(cid: str = "C1", **kw: Any) -> Candidate:
    """An eligible county-level cadre from D1, born and living in R9, with no quirks."""
    base: dict[str, Any] = dict(
        id=cid,
        name="张三",
        department="D1",
        rank=Rank.COUNTY,
        age=40,
        education=Education.BACHELOR,
        birthplace="R9",
        home_region="R9",
    )
    base.update(kw)
    return Candidate(**base)


def post(pid: str = "P1", **kw: Any) -> Post:
    """A one-seat grassroots post of unit U1 in region R1."""
    base: dict[str, Any] = dict(id=pid, kind=PostKind.GRASSROOTS, unit="U1", region="R1")
    base.update(kw)
    return Post(**base)


def inst(
    candidates: list[Candidate] | None = None,
    posts: list[Post] | None = None,
    **kw: Any,
) -> Instance:
    return Instance(
        candidates=tuple(candidates if candidates is not None else [cand()]),
        posts=tuple(posts if posts is not None else [post()]),
        **kw,
    )


def only(report: CheckReport, rule: str, family: int, subject: str) -> None:
    """The report holds exactly one violation, and it is this one."""
    found = [(v.rule, v.family, v.subject) for v in report.violations]
    assert found == [(rule, family, subject)]
    assert not report.ok
    violation = report.violations[0]
    assert violation.message_en and violation.message_zh


def clean(report: CheckReport) -> None:
    assert report.violations == ()
    assert report.ok


# --------------------------------------------------------------------------- valid plans


def test_valid_plan_has_no_violations() -> None:
    instance = inst(
        [cand("C1"), cand("C2", department="D2")],
        [post("P1"), post("P2", seats=2)],
        teams=(Team(id="T1", region="R1", incumbents=3, incumbent_locals=1),),
        departments=(Department(id="D1", min_send=1, max_send=1),),
    )
    report = check_plan(instance, [("C1", "P1"), ("C2", "P2")])
    clean(report)
    assert report.coverage == 2
    assert set(report.fit_by_assignment) == {("C1", "P1"), ("C2", "P2")}


def test_empty_plan_on_unconstrained_instance_is_valid() -> None:
    report = check_plan(inst(), [])
    clean(report)
    assert report.coverage == 0
    assert report.fit == 0
    assert report.fit_by_assignment == {}


def test_one_post_per_cadre() -> None:
    instance = inst([cand()], [post("P1"), post("P2")])
    only(check_plan(instance, [("C1", "P1"), ("C1", "P2")]), "one_post", 1, "candidate C1")


def test_seats() -> None:
    instance = inst([cand("C1"), cand("C2")], [post("P1", seats=1)])
    only(check_plan(instance, [("C1", "P1"), ("C2", "P1")]), "seats", 1, "post P1")


def test_seats_zero_seat_post() -> None:
    instance = inst([cand()], [post("P1", seats=0)])
    only(check_plan(instance, [("C1", "P1")]), "seats", 1, "post P1")


def test_two_seats_hold_two() -> None:
    instance = inst([cand("C1"), cand("C2")], [post("P1", seats=2)])
    clean(check_plan(instance, [("C1", "P1"), ("C2", "P1")]))


@pytest.mark.parametrize(("cid", "pid"), [("CX", "P1"), ("C1", "PX"), ("CX", "PX")])
def test_unknown_id(cid: str, pid: str) -> None:
    report = check_plan(inst(), [(cid, pid)])
    only(report, "unknown_id", 1, f"{cid} -> {pid}")
    assert report.coverage == 0
    assert report.fit == 0


# --------------------------------------------------------------------------- rule 2


def test_education_below_post_requirement() -> None:
    instance = inst([cand(education=Education.BACHELOR)], [post(min_education=Education.MASTER)])
    only(check_plan(instance, [("C1", "P1")]), "education", 2, "C1 -> P1")


def test_education_meets_post_requirement() -> None:
    instance = inst([cand(education=Education.MASTER)], [post(min_education=Education.MASTER)])
    clean(check_plan(instance, [("C1", "P1")]))


def test_education_rule_default_is_associate() -> None:
    low = inst([cand(education=Education.SECONDARY)])
    only(check_plan(low, [("C1", "P1")]), "education", 2, "C1 -> P1")
    ok = inst([cand(education=Education.ASSOCIATE)])
    clean(check_plan(ok, [("C1", "P1")]))


def test_education_requirement_is_the_higher_of_rule_and_post() -> None:
    # the post's own lower requirement does not relax the rule's
    lax_post = inst(
        [cand(education=Education.SECONDARY)], [post(min_education=Education.SECONDARY)]
    )
    only(check_plan(lax_post, [("C1", "P1")]), "education", 2, "C1 -> P1")
    # the rule's higher requirement applies to a post without its own
    strict_rule = inst(
        [cand(education=Education.BACHELOR)], rules=Rules(min_education=Education.MASTER)
    )
    only(check_plan(strict_rule, [("C1", "P1")]), "education", 2, "C1 -> P1")


@pytest.mark.parametrize(
    ("rank", "cap"), [(Rank.COUNTY, 45), (Rank.SECTION, 40), (Rank.GENERAL, 35)]
)
def test_age_equal_to_cap_is_eligible_one_over_is_not(rank: Rank, cap: int) -> None:
    at_cap = inst([cand(rank=rank, age=cap)])
    clean(check_plan(at_cap, [("C1", "P1")]))
    over = inst([cand(rank=rank, age=cap + 1)])
    report = check_plan(over, [("C1", "P1")])
    only(report, "age", 2, "C1 -> P1")
    assert f"{cap + 1} 岁" in report.violations[0].message_zh
    assert "张三" in report.violations[0].message_zh


def test_age_caps_from_rules() -> None:
    rules = Rules(age_caps={Rank.COUNTY: 50, Rank.SECTION: 40, Rank.GENERAL: 35})
    clean(check_plan(inst([cand(age=50)], rules=rules), [("C1", "P1")]))
    only(check_plan(inst([cand(age=51)], rules=rules), [("C1", "P1")]), "age", 2, "C1 -> P1")


def test_disciplinary_veto() -> None:
    instance = inst([cand(disciplinary=True)])
    only(check_plan(instance, [("C1", "P1")]), "disciplinary", 2, "C1 -> P1")


def test_disciplinary_without_veto_is_allowed() -> None:
    instance = inst([cand(disciplinary=True)], rules=Rules(veto_disciplinary=False))
    clean(check_plan(instance, [("C1", "P1")]))


def test_rank_not_allowed() -> None:
    instance = inst([cand(rank=Rank.COUNTY)], [post(ranks=(Rank.SECTION, Rank.GENERAL))])
    only(check_plan(instance, [("C1", "P1")]), "rank", 2, "C1 -> P1")


def test_experience_on_new_experience_only_post() -> None:
    instance = inst(
        [cand(experience=(PostKind.GRASSROOTS,))],
        [post(kind=PostKind.GRASSROOTS, new_experience_only=True)],
    )
    only(check_plan(instance, [("C1", "P1")]), "experience", 2, "C1 -> P1")


def test_experience_of_another_kind_or_ordinary_post_is_fine() -> None:
    other_kind = inst(
        [cand(experience=(PostKind.PETITION,))],
        [post(kind=PostKind.GRASSROOTS, new_experience_only=True)],
    )
    clean(check_plan(other_kind, [("C1", "P1")]))
    ordinary = inst([cand(experience=(PostKind.GRASSROOTS,))], [post(kind=PostKind.GRASSROOTS)])
    clean(check_plan(ordinary, [("C1", "P1")]))


def test_willing_required() -> None:
    instance = inst([cand(willing=False)], rules=Rules(require_willing=True))
    only(check_plan(instance, [("C1", "P1")]), "willing", 2, "C1 -> P1")


def test_unwilling_is_fine_when_not_required() -> None:
    clean(check_plan(inst([cand(willing=False)]), [("C1", "P1")]))


def test_own_unit() -> None:
    instance = inst([cand(department="U1")], [post(unit="U1")])
    only(check_plan(instance, [("C1", "P1")]), "own_unit", 2, "C1 -> P1")


def test_forbidden_pair() -> None:
    instance = inst(
        [cand("C1"), cand("C2")],
        [post("P1"), post("P2")],
        affinities=(Affinity(candidate_id="C1", post_id="P1", forbid=True),),
    )
    only(check_plan(instance, [("C1", "P1")]), "forbidden", 2, "C1 -> P1")
    # the mark concerns that pair only
    clean(check_plan(instance, [("C1", "P2"), ("C2", "P1")]))


# --------------------------------------------------------------------------- rule 3


def test_birthplace_on_sensitive_post() -> None:
    instance = inst([cand(birthplace="R1")], [post(region="R1", sensitive=True)])
    only(check_plan(instance, [("C1", "P1")]), "birthplace", 3, "C1 -> P1")


def test_grew_up_on_sensitive_post() -> None:
    instance = inst([cand(grew_up=("R5", "R1"))], [post(region="R1", sensitive=True)])
    only(check_plan(instance, [("C1", "P1")]), "birthplace", 3, "C1 -> P1")


def test_birthplace_and_grew_up_only_matter_on_sensitive_posts() -> None:
    instance = inst([cand(birthplace="R1", grew_up=("R1",))], [post(region="R1")])
    clean(check_plan(instance, [("C1", "P1")]))


def test_home_region_alone_does_not_trigger_avoidance() -> None:
    instance = inst([cand(home_region="R1")], [post(region="R1", sensitive=True)])
    clean(check_plan(instance, [("C1", "P1")]))


# --------------------------------------------------------------------------- rule 4


def team(tid: str = "T1", incumbents: int = 3, locals_: int = 1, **kw: Any) -> Team:
    return Team(id=tid, region="R1", incumbents=incumbents, incumbent_locals=locals_, **kw)


def test_local_ratio_exact_boundary_then_broken_by_nonlocal() -> None:
    instance = inst([cand(home_region="R9")], [post(team="T1")], teams=(team(),))
    clean(check_plan(instance, []))  # 3 members, 1 local: 3·1 >= 3
    report = check_plan(instance, [("C1", "P1")])  # 4 members, 1 local: 3 < 4
    only(report, "local_ratio", 4, "team T1")
    assert "4 人" in report.violations[0].message_zh


def test_local_joining_keeps_ratio() -> None:
    instance = inst([cand(home_region="R1")], [post(team="T1")], teams=(team(),))
    clean(check_plan(instance, [("C1", "P1")]))  # 4 members, 2 locals


def test_local_leaving_breaks_ratio() -> None:
    instance = inst([cand(home_region="R1", current_team="T1")], [post(team=None)], teams=(team(),))
    only(check_plan(instance, [("C1", "P1")]), "local_ratio", 4, "team T1")  # 2 members, 0


def test_nonlocal_leaving_repairs_ratio() -> None:
    instance = inst(
        [cand(home_region="R9", current_team="T1")],
        [post(team="T2")],
        teams=(team("T1", incumbents=4, locals_=1), team("T2", incumbents=3, locals_=3)),
    )
    only(check_plan(instance, []), "local_ratio", 4, "team T1")
    # T1 becomes 3 members 1 local; T2 becomes 4 members 3 locals
    clean(check_plan(instance, [("C1", "P1")]))


def test_posted_within_own_team_neither_leaves_nor_joins() -> None:
    # counted as joining, T1 would be 4 members 1 local and fail
    instance = inst([cand(home_region="R9", current_team="T1")], [post(team="T1")], teams=(team(),))
    clean(check_plan(instance, [("C1", "P1")]))
    # counted as leaving, T1 would be 2 members 0 locals and fail
    local = inst([cand(home_region="R1", current_team="T1")], [post(team="T1")], teams=(team(),))
    clean(check_plan(local, [("C1", "P1")]))


def test_team_starting_below_ratio_with_empty_plan() -> None:
    instance = inst(teams=(team(incumbents=3, locals_=0),))
    only(check_plan(instance, []), "local_ratio", 4, "team T1")


def test_team_starting_below_ratio_repaired_by_plan() -> None:
    instance = inst(
        [cand(home_region="R1")], [post(team="T1")], teams=(team(incumbents=3, locals_=0),)
    )
    # 4 members, 1 local: still short of 4/3
    only(check_plan(instance, [("C1", "P1")]), "local_ratio", 4, "team T1")
    two = inst(
        [cand("C1", home_region="R1"), cand("C2", home_region="R1")],
        [post(team="T1", seats=2)],
        teams=(team(incumbents=4, locals_=0),),
    )
    clean(check_plan(two, [("C1", "P1"), ("C2", "P1")]))  # 6 members, 2 locals


def test_team_with_no_members_after_plan_is_fine() -> None:
    instance = inst(
        [cand(home_region="R9", current_team="T1")],
        [post(team=None)],
        teams=(team(incumbents=1, locals_=0),),
    )
    only(check_plan(instance, []), "local_ratio", 4, "team T1")
    clean(check_plan(instance, [("C1", "P1")]))


def test_team_ratio_override_and_rule_ratio() -> None:
    half = inst(teams=(team(incumbents=3, locals_=1, min_local_ratio=Fraction(1, 2)),))
    only(check_plan(half, []), "local_ratio", 4, "team T1")
    rule_half = inst(
        teams=(team(incumbents=4, locals_=2),), rules=Rules(local_ratio=Fraction(1, 2))
    )
    clean(check_plan(rule_half, []))
    decimal = inst(teams=(team(incumbents=5, locals_=2),), rules=Rules(local_ratio=Fraction("0.4")))
    clean(check_plan(decimal, []))  # 2/5 exactly; floating point could say otherwise
    short = inst(teams=(team(incumbents=6, locals_=2),), rules=Rules(local_ratio=Fraction("0.4")))
    only(check_plan(short, []), "local_ratio", 4, "team T1")


def test_post_of_unlisted_team_is_not_counted() -> None:
    instance = inst([cand()], [post(team="TX")], teams=(team(),))
    clean(check_plan(instance, [("C1", "P1")]))


# --------------------------------------------------------------------------- rule 5


def test_quota_min() -> None:
    instance = inst(departments=(Department(id="D1", min_send=1),))
    only(check_plan(instance, []), "quota_min", 5, "department D1")
    clean(check_plan(instance, [("C1", "P1")]))


def test_quota_max() -> None:
    instance = inst(
        [cand("C1"), cand("C2")],
        [post("P1"), post("P2")],
        departments=(Department(id="D1", max_send=1),),
    )
    only(check_plan(instance, [("C1", "P1"), ("C2", "P2")]), "quota_max", 5, "department D1")
    clean(check_plan(instance, [("C1", "P1")]))


def test_unlisted_department_has_no_quota() -> None:
    instance = inst(
        [cand("C1"), cand("C2")],
        [post("P1"), post("P2")],
        departments=(Department(id="D2", min_send=0, max_send=0),),
    )
    clean(check_plan(instance, [("C1", "P1"), ("C2", "P2")]))


# --------------------------------------------------------------------------- rule 6


def test_must_place() -> None:
    instance = inst([cand(years_in_post=10)])
    only(check_plan(instance, []), "must_place", 6, "candidate C1")
    clean(check_plan(instance, [("C1", "P1")]))


def test_must_place_below_threshold() -> None:
    clean(check_plan(inst([cand(years_in_post=9)]), []))


def test_must_place_years_zero_turns_it_off() -> None:
    instance = inst([cand(years_in_post=30)], rules=Rules(must_place_years=0))
    clean(check_plan(instance, []))


def test_must_place_custom_threshold() -> None:
    instance = inst([cand(years_in_post=5)], rules=Rules(must_place_years=5))
    only(check_plan(instance, []), "must_place", 6, "candidate C1")


# --------------------------------------------------------------------------- coverage and fit


def test_coverage_sums_post_priorities() -> None:
    instance = inst(
        [cand("C1"), cand("C2"), cand("C3")],
        [post("P1", priority=5), post("P2", priority=2, seats=2)],
    )
    report = check_plan(instance, [("C1", "P1"), ("C2", "P2"), ("C3", "P2")])
    clean(report)
    assert report.coverage == 9


def test_fit_terms_hand_computed_with_decimal_weight() -> None:
    weights = Weights(party=Fraction("2.5"), preference=Fraction(1, 3))
    instance = inst(
        [
            cand(
                score=77,
                party_member=True,
                reserve=True,
                experience=(PostKind.PETITION,),
                preferences=("P2", "P1"),
            )
        ],
        [post("P1", kind=PostKind.GRASSROOTS, preferred_categories=("health", "education"))],
        departments=(Department(id="D1", category="health", priority=True),),
        affinities=(Affinity(candidate_id="C1", post_id="P1", bonus=-4),),
        rules=Rules(weights=weights),
    )
    terms = fit_terms(instance, "C1", "P1")
    assert terms == FitTerms(
        score=Fraction(77),
        development=Fraction(30),
        reserve=Fraction(10),
        party=Fraction(5, 2),
        dept_priority=Fraction(10),
        category_match=Fraction(15),
        preference=Fraction(5),  # 2nd preference: 15 × 1/3
        affinity=Fraction(-4),
    )
    total = Fraction(77 + 30 + 10 + 10 + 15 + 5 - 4) + Fraction(5, 2)
    assert terms.total == total == Fraction(291, 2)
    assert isinstance(terms.total, Fraction)

    report = check_plan(instance, [("C1", "P1")])
    clean(report)
    assert report.fit == total
    assert report.fit_by_assignment == {("C1", "P1"): terms}


def test_fit_terms_off_when_conditions_fail() -> None:
    instance = inst(
        [cand(score=50, experience=(PostKind.GRASSROOTS,))],
        [post(kind=PostKind.GRASSROOTS, preferred_categories=("health",))],
        departments=(Department(id="D1", category="", priority=False),),
    )
    terms = fit_terms(instance, "C1", "P1")
    assert terms == FitTerms(*([Fraction(50)] + [Fraction(0)] * 7))
    assert terms.total == 50


def test_category_match_needs_listed_department() -> None:
    # department D1 not in departments: no category, no priority
    instance = inst([cand(score=0)], [post(preferred_categories=("health",))])
    terms = fit_terms(instance, "C1", "P1")
    assert terms.category_match == 0 and terms.dept_priority == 0
    assert terms.total == 30  # development only


@pytest.mark.parametrize(
    ("preferences", "bonus"),
    [
        (("P1",), 20),
        (("P2", "P1"), 15),
        (("P2", "P3", "P1"), 10),
        (("P2", "P3", "P4", "P1"), 5),
        (("P2", "P3", "P4", "P5", "P1"), 0),
        ((), 0),
        (("P2", "P1", "P1", "P1"), 15),  # first appearance counts
        (("P2", "P2", "P1", "P1"), 10),  # duplicates ahead keep their positions
        (("PX", "P1"), 15),  # an unknown id keeps its position
    ],
)
def test_preference_bonus_by_first_appearance(preferences: tuple[str, ...], bonus: int) -> None:
    instance = inst([cand(preferences=preferences)], [post("P1")])
    assert fit_terms(instance, "C1", "P1").preference == bonus


def test_fit_terms_for_ineligible_pair_and_unknown_ids() -> None:
    instance = inst([cand(age=70, score=10)])
    assert fit_terms(instance, "C1", "P1").total == 40
    with pytest.raises(KeyError):
        fit_terms(instance, "CX", "P1")
    with pytest.raises(KeyError):
        fit_terms(instance, "C1", "PX")


def test_several_violations_are_all_reported() -> None:
    instance = inst(
        [cand("C1", age=60, disciplinary=True, department="U1"), cand("C2", years_in_post=12)],
        [post("P1")],
        departments=(Department(id="D1", min_send=1),),
    )
    report = check_plan(instance, [("C1", "P1")])
    assert [(v.rule, v.subject) for v in report.violations] == [
        ("age", "C1 -> P1"),
        ("disciplinary", "C1 -> P1"),
        ("own_unit", "C1 -> P1"),
        ("quota_min", "department D1"),
        ("must_place", "candidate C2"),
    ]


def test_checker_tables_equal_the_data_models() -> None:
    """The checker keeps its own copies of domain.md's tables (independence); they must
    agree with the data model's, or the checker and the model would judge differently."""
    from matcher.check import checker
    from matcher.instance import (
        DEFAULT_AGE_CAPS,
        EDUCATION_ORDER,
        PREFERENCE_BONUS,
        RANK_FAMILY,
        Rank,
    )

    assert checker.PREFERENCE_BONUS == PREFERENCE_BONUS
    assert checker.EDUCATION_LEVEL == {edu.value: level for edu, level in EDUCATION_ORDER.items()}
    assert checker.AGE_CAP_OF_FAMILY == {rank.value: cap for rank, cap in DEFAULT_AGE_CAPS.items()}
    assert checker.RANK_FAMILY_OF == {
        rank.value: family.value for rank, family in RANK_FAMILY.items()
    }
    assert set(checker.RANK_ZH) == set(Rank)


@pytest.mark.parametrize("own", [None, Fraction(1, 2)])
def test_checker_local_ratio_is_the_teams_own_else_the_rules(own: Fraction | None) -> None:
    """The checker's ratio logic agrees with ``Instance.team_ratio`` (the model's)."""
    from matcher.check.checker import _local_ratio

    team = Team(id="T", region="R", incumbents=3, incumbent_locals=1, min_local_ratio=own)
    instance = inst([cand()], [post()]).model_copy(
        update={"teams": (team,), "rules": Rules(local_ratio=Fraction(2, 5))}
    )
    assert _local_ratio(instance, team) == instance.team_ratio(team)
    assert _local_ratio(instance, team) == (own if own is not None else Fraction(2, 5))
