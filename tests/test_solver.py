"""The solver against exhaustive search, the checker, and itself (determinism)."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import random_instance
from matcher.checker import check_plan
from matcher.instance import Instance
from matcher.solver import INFEASIBLE, OPTIMAL, SolveParams, solve


def exhaustive_optimum(instance: Instance) -> tuple[int, Fraction] | None:
    """Lexicographic (coverage, fit) optimum over every plan the checker accepts."""
    best = None
    choices = [None, *(post.id for post in instance.posts)]
    for combo in itertools.product(choices, repeat=instance.num_candidates):
        plan = [(c.id, p) for c, p in zip(instance.candidates, combo, strict=True) if p]
        report = check_plan(instance, plan)
        if report.ok and (best is None or (report.coverage, report.fit) > best):
            best = (report.coverage, report.fit)
    return best


def plan_ids(instance: Instance, assignments: tuple[tuple[int, int], ...]) -> list[tuple[str, str]]:
    return [(instance.candidates[c].id, instance.posts[p].id) for c, p in assignments]


@pytest.mark.parametrize("seed", range(60))
def test_solver_matches_exhaustive_search(seed: int) -> None:
    instance = random_instance(seed, num_candidates=5, num_posts=3)
    best = exhaustive_optimum(instance)
    result = solve(instance, SolveParams(time_limit=20))
    if best is None:
        assert result.status == INFEASIBLE
        assert result.conflicts, "an infeasible instance names the rules in conflict"
        return
    assert result.status == OPTIMAL
    assert (result.coverage, result.fit) == best
    assert result.fit_bound == result.fit and result.gap == 0
    assert check_plan(instance, plan_ids(instance, result.assignments)).ok


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    num_candidates=st.integers(1, 9),
    num_posts=st.integers(1, 6),
)
def test_every_plan_passes_the_checker(seed: int, num_candidates: int, num_posts: int) -> None:
    instance = random_instance(seed, num_candidates, num_posts)
    result = solve(instance, SolveParams(time_limit=20))
    if result.status == INFEASIBLE:
        return
    report = check_plan(instance, plan_ids(instance, result.assignments))
    assert report.ok, report.violations
    assert (report.coverage, report.fit) == (result.coverage, result.fit)


def test_same_seed_and_workers_give_the_same_plan() -> None:
    instance = random_instance(7, num_candidates=9, num_posts=6)
    runs = [solve(instance, SolveParams(time_limit=20, seed=3, workers=2)) for _ in range(3)]
    assert len({run.assignments for run in runs}) == 1


def test_plain_cp_sat_agrees_with_the_lp_first_path() -> None:
    for seed in range(10):
        instance = random_instance(seed, num_candidates=6, num_posts=4)
        with_lp = solve(instance, SolveParams(time_limit=20))
        without = solve(instance, SolveParams(time_limit=20, use_lp=False))
        assert (with_lp.status, with_lp.coverage, with_lp.fit) == (
            without.status,
            without.coverage,
            without.fit,
        )
