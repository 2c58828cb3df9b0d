"""Alternates: who else could take each seat, with every rule still holding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from factories import cadre, post, random_instance
from matcher.analysis.alternates import find_alternates
from matcher.analysis.planview import PlanView
from matcher.check.checker import SwapCheck, check_plan
from matcher.instance import Department, Instance
from matcher.io.reader import read_instance
from matcher.solve.pipeline import OPTIMAL, SolveParams, prepare, solve


def alternates_of(instance: Instance) -> list[tuple[str, str, int, str, int]]:
    prepared = prepare(instance)
    result = solve(instance, SolveParams(time_limit=20), prepared)
    assert result.status == OPTIMAL
    plan = PlanView.from_assignments(prepared, list(result.assignments)).plan_pairs
    assert plan.size  # an empty plan has no alternates to find: every test here fills P
    return [
        (a.post_id, a.holder_id, a.rank, a.alternate_id, int(a.fit_cost))
        for a in find_alternates(prepared, plan)
    ]


def test_shortlist_is_the_next_two_by_fit() -> None:
    # A (90) holds P; B (80) and C (70) could take it at a fit cost of 10 and 20;
    # D (60) is third and left off the 1:2 shortlist.
    inst = Instance(
        candidates=(cadre("A", 90), cadre("B", 80), cadre("C", 70), cadre("D", 60)),
        posts=(post("P"),),
    )
    assert alternates_of(inst) == [("P", "A", 1, "B", 10), ("P", "A", 2, "C", 20)]


def test_no_alternate_for_a_must_place_holder() -> None:
    # sending the veteran home would break rule 6
    inst = Instance(
        candidates=(cadre("V", 40, years_in_post=12), cadre("B", 80)), posts=(post("P"),)
    )
    assert alternates_of(inst) == []


def test_alternate_must_respect_quotas() -> None:
    # Plan: A and E placed (D2 may send 1). C (D2) cannot replace A: D2 would send two.
    # C can replace E (same unit): fit cost 85 − 50 = 35.
    inst = Instance(
        candidates=(
            cadre("A", 90),
            cadre("E", 85, department="D2"),
            cadre("C", 50, department="D2"),
        ),
        posts=(post("P"), post("Q")),
        departments=(Department(id="D1"), Department(id="D2", max_send=1)),
    )
    # P and Q are alike, so either may be E's: compare who replaces whom
    assert [alt[1:] for alt in alternates_of(inst)] == [("E", 1, "C", 35)]


def test_city_alternates_never_beat_an_optimal_plan_and_all_check(tmp_path: Path) -> None:
    instance = read_instance(Path(__file__).parent.parent / "instances" / "city")
    prepared = prepare(instance)
    result = solve(instance, SolveParams(time_limit=60), prepared)
    plan_pairs = PlanView.from_assignments(prepared, list(result.assignments)).plan_pairs
    plan = [(instance.candidates[c].id, instance.posts[p].id) for c, p in result.assignments]
    found = find_alternates(prepared, plan_pairs)
    assert found
    for alt in found:
        assert alt.fit_cost >= 0, "a cheaper swap would contradict the proven optimum"
        swapped = [(alt.alternate_id, p) if (c, p) == (alt.holder_id, alt.post_id) else (c, p)
                   for c, p in plan]  # fmt: skip
        assert check_plan(instance, swapped).ok


@pytest.mark.parametrize("seed", range(30))
def test_swap_check_agrees_with_checking_the_swapped_plan_whole(seed: int) -> None:
    # every seat of a solved plan against every cadre (at home, placed elsewhere, or
    # ineligible): the incremental check must find exactly what check_plan finds
    instance = random_instance(seed, num_candidates=12, num_posts=5)
    result = solve(instance, SolveParams(time_limit=20))
    if not result.has_plan:
        pytest.skip("no plan to swap in")
    plan = [(instance.candidates[c].id, instance.posts[p].id) for c, p in result.assignments]
    assert plan  # else the loop below compares nothing
    swaps = SwapCheck(instance, plan)
    compared = 0
    for position, (_, post_id) in enumerate(plan):
        for newcomer in instance.candidates:
            swapped = plan[:position] + [(newcomer.id, post_id)] + plan[position + 1 :]
            whole = check_plan(instance, swapped).violations
            assert sorted((v.rule, v.subject) for v in swaps.violations(position, newcomer.id)) \
                == sorted((v.rule, v.subject) for v in whole)  # fmt: skip
            compared += 1
    assert compared == len(plan) * len(instance.candidates)


def test_swap_check_needs_a_clean_plan() -> None:
    inst = Instance(candidates=(cadre("A", 90),), posts=(post("P", seats=1),))
    with pytest.raises(ValueError):
        SwapCheck(inst, [("A", "P"), ("A", "P")])


@pytest.mark.parametrize("seed", range(20))
def test_feasible_swaps_is_broken_rows_for_every_pair_at_once(seed: int) -> None:
    instance = random_instance(seed, num_candidates=12, num_posts=5)
    prepared = prepare(instance)
    result = solve(instance, SolveParams(time_limit=20), prepared)
    if not result.has_plan:
        pytest.skip("no plan to swap in")
    view = PlanView.from_assignments(prepared, list(result.assignments))
    everyone = np.arange(prepared.space.num_pairs)
    for k in view.plan_pairs.tolist():
        one_by_one = [not view.broken_rows([k], [j]) for j in everyone.tolist()]
        assert view.feasible_swaps(k, everyone).tolist() == one_by_one
