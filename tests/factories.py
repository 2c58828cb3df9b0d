"""Small random instances for brute-force and property tests (valid by construction)."""

from __future__ import annotations

import random
from fractions import Fraction

from matcher.instance import (
    RANK_FAMILIES,
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
)
from matcher.solve.pipeline import Result, SolveParams, solve

REGIONS = ("青山县", "白水县", "东城区")


def random_instance(seed: int, num_candidates: int = 5, num_posts: int = 3) -> Instance:
    """A tiny instance where every rule family can bite: teams, quotas, avoidance, must-place."""
    rng = random.Random(seed)
    departments = tuple(
        Department(
            id=f"D{d}",
            name=f"单位{d}",
            category=rng.choice(("health", "education", "")),
            min_send=rng.choice((0, 0, 1)),
            max_send=rng.choice((None, 1, 2)),
            priority=rng.random() < 0.3,
        )
        for d in range(2)
    )
    teams = tuple(
        Team(
            id=f"T{t}",
            region=REGIONS[t],
            incumbents=(members := rng.randint(2, 4)),
            incumbent_locals=rng.randint(0, members),
            min_local_ratio=rng.choice((None, Fraction(1, 2))),
        )
        for t in range(2)
    )
    posts = tuple(
        Post(
            id=f"P{p}",
            name=f"岗位{p}",
            kind=rng.choice(list(PostKind)),
            unit=rng.choice(("D0", "D1", "U9")),
            region=rng.choice(REGIONS),
            team=rng.choice((None, "T0", "T1")),
            seats=rng.choice((1, 1, 2)),
            ranks=tuple(rng.sample(list(RANK_FAMILIES), rng.randint(2, 3))),
            min_education=rng.choice((None, Education.BACHELOR)),
            sensitive=rng.random() < 0.3,
            new_experience_only=rng.random() < 0.2,
            preferred_categories=rng.choice(((), ("health",))),
            priority=rng.choice((1, 1, 2)),
        )
        for p in range(num_posts)
    )
    candidates = tuple(
        Candidate(
            id=f"C{c}",
            name=f"干部{c}",
            department=rng.choice(("D0", "D1")),
            rank=rng.choice(list(RANK_FAMILIES)),
            age=rng.randint(30, 46),
            education=rng.choice((Education.ASSOCIATE, Education.BACHELOR, Education.MASTER)),
            birthplace=rng.choice(REGIONS),
            grew_up=tuple(rng.sample(REGIONS, rng.randint(0, 1))),
            home_region=rng.choice(REGIONS),
            current_team=rng.choice((None, None, "T0", "T1")),
            party_member=rng.random() < 0.7,
            reserve=rng.random() < 0.3,
            disciplinary=rng.random() < 0.1,
            experience=tuple(rng.sample(list(PostKind), rng.randint(0, 2))),
            years_in_post=rng.choice((0, 3, 12)) if rng.random() < 0.3 else 0,
            score=rng.randint(50, 95),
            willing=rng.random() < 0.8,
            preferences=tuple(rng.sample([p.id for p in posts], rng.randint(0, len(posts)))),
        )
        for c in range(num_candidates)
    )
    affinities = tuple(
        Affinity(
            candidate_id=f"C{rng.randrange(num_candidates)}",
            post_id=f"P{p}",
            bonus=rng.randint(-20, 30),
            forbid=rng.random() < 0.2,
        )
        for p in range(num_posts)
        if rng.random() < 0.5
    )
    rules = Rules(
        require_willing=rng.random() < 0.3,
        must_place_years=rng.choice((0, 10)),
        local_ratio=rng.choice((Fraction(1, 3), Fraction(1, 4))),
    )
    return Instance(
        name=f"random-{seed}",
        candidates=candidates,
        posts=posts,
        teams=teams,
        departments=departments,
        affinities=affinities,
        rules=rules,
    )


def cadre(id: str, score: int = 60, **fields: object) -> Candidate:
    base: dict[str, object] = {
        "department": "D1",
        "rank": Rank.SECTION,
        "age": 35,
        "education": Education.BACHELOR,
        "birthplace": "甲县",
        "home_region": "甲县",
    }
    return Candidate(id=id, name=f"干部{id}", score=score, **{**base, **fields})  # type: ignore[arg-type]


def post(id: str, **fields: object) -> Post:
    base: dict[str, object] = {"kind": PostKind.GRASSROOTS, "unit": "U1", "region": "乙县"}
    return Post(id=id, name=f"岗位{id}", **{**base, **fields})  # type: ignore[arg-type]


def solve_checked(instance: Instance, params: SolveParams) -> tuple[Result, list[tuple[str, str]]]:
    """Solve ``instance`` and run the plan (if any) through the independent checker.

    The checker must find no broken rule and the same coverage and fit as the
    solver; the plan comes back by ids.
    """
    from matcher.check.checker import check_plan

    result = solve(instance, params)
    plan = [(instance.candidates[c].id, instance.posts[p].id) for c, p in result.assignments]
    if result.has_plan:
        report = check_plan(instance, plan)
        assert report.ok, report.violations
        assert (report.coverage, report.fit) == (result.coverage, result.fit)
    return result, plan
