"""The network part as a min-cost flow, and the neighbourhood repair and improvement.

The flow keeps rules 1, 5 and 6 and ignores team rows: its value bounds every
plan from above, and where its plan keeps the team rows too it is the optimum
(checked against plain CP-SAT). Repair and improvement only ever return plans
that keep every row, and improvement never returns a worse plan.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from factories import cadre, post, random_instance
from matcher.check.checker import check_plan
from matcher.instance import Affinity, Instance, Rules, Weights
from matcher.solve import flow, neighbourhood
from matcher.solve.pipeline import FLOW_PROOF, OPTIMAL, SolveParams, prepare, solve

ZERO_WEIGHTS = Weights(score=0, development=0, reserve=0, party=0, dept_priority=0,
                       category_match=0, preference=0, affinity=1)  # fmt: skip


def _assignment_instance(costs: np.ndarray) -> Instance:
    """n cadres, m posts, fit = −cost: a classic assignment problem (OR-Library style)."""
    num_cands, num_posts = costs.shape
    cadres = tuple(cadre(f"C{i}") for i in range(num_cands))
    posts = tuple(post(f"P{j}") for j in range(num_posts))
    affinities = tuple(
        Affinity(candidate_id=f"C{i}", post_id=f"P{j}", bonus=-int(costs[i, j]))
        for i in range(num_cands)
        for j in range(num_posts)
    )
    return Instance(name="assignment", candidates=cadres, posts=posts, affinities=affinities,
                    rules=Rules(weights=ZERO_WEIGHTS))  # fmt: skip


@pytest.mark.parametrize("seed", range(5))
def test_a_classic_assignment_is_solved_by_the_flow_with_proof(seed: int) -> None:
    """Square cost matrix: every cadre placed; the optimum is scipy's minimum cost, negated."""
    rng = np.random.default_rng(seed)
    costs = rng.integers(0, 100, size=(7, 7))
    rows, cols = linear_sum_assignment(costs)
    result = solve(_assignment_instance(costs), SolveParams(time_limit=10))
    assert result.status == OPTIMAL and result.proof == FLOW_PROOF
    assert result.coverage == 7
    assert result.fit == -int(costs[rows, cols].sum())


@pytest.mark.parametrize("seed", range(40))
def test_the_flow_bounds_every_plan_and_is_optimal_when_teams_hold(seed: int) -> None:
    instance = random_instance(seed, num_candidates=8, num_posts=4)
    prepared = prepare(instance)
    weights = prepared.objective.weights
    outcome = flow.network_optimum(prepared.space, weights)
    exact = solve(instance, SolveParams(time_limit=20, use_lp=False), prepared)
    if outcome.status == flow.INFEASIBLE:
        assert not exact.has_plan
        return
    assert outcome.status == flow.OPTIMAL and outcome.plan is not None
    network_rows = [r for r in prepared.rows if r.rule.family != "local ratio"]
    assert all(row.holds(outcome.plan) for row in network_rows)
    if not exact.has_plan:
        return
    space = prepared.space
    pairs = zip(space.cand_idcs.tolist(), space.post_idcs.tolist(), strict=True)
    pair_of = {pair: k for k, pair in enumerate(pairs)}
    exact_value = int(sum(weights[pair_of[pair]] for pair in exact.assignments))
    assert outcome.value is not None and outcome.value >= exact_value
    if all(row.holds(outcome.plan) for row in prepared.rows):
        assert outcome.value == exact_value


@pytest.mark.parametrize("seed", range(40))
def test_repair_and_improvement_keep_every_row(seed: int) -> None:
    instance = random_instance(seed, num_candidates=10, num_posts=5)
    prepared = prepare(instance)
    weights = prepared.objective.weights
    outcome = flow.network_optimum(prepared.space, weights)
    if outcome.plan is None:
        return
    search = neighbourhood.Search(prepared.space, prepared.rows, weights)
    repaired = neighbourhood.repair(search, outcome.plan, time.perf_counter() + 5, seed)
    if repaired is None:
        exact = solve(instance, SolveParams(time_limit=20, use_lp=False), prepared)
        assert not exact.has_plan  # a repair gives up only where no plan exists here
        return
    assert not search.broken(repaired)
    assert outcome.value is not None
    better = neighbourhood.improve(search, repaired, outcome.value, time.perf_counter() + 1,
                                   seed)  # fmt: skip
    assert not search.broken(better)
    assert int(np.dot(weights, better)) >= int(np.dot(weights, repaired))
    chosen = np.flatnonzero(better)
    cands, posts = prepared.space.cand_idcs[chosen], prepared.space.post_idcs[chosen]
    plan = [(instance.candidates[c].id, instance.posts[p].id)
            for c, p in zip(cands.tolist(), posts.tolist(), strict=True)]  # fmt: skip
    assert check_plan(instance, plan).ok


@pytest.mark.parametrize("seed", range(40))
def test_priced_flow_bounds_every_plan_and_its_plan_keeps_the_rows_it_says(seed: int) -> None:
    """Any multipliers give a valid bound; a plan reported with no broken row keeps them all."""
    instance = random_instance(seed, num_candidates=10, num_posts=5)
    prepared = prepare(instance)
    weights = prepared.objective.weights
    priced = flow.priced_flow(prepared.space, weights, prepared.rows, time.perf_counter() + 5)
    exact = solve(instance, SolveParams(time_limit=20, use_lp=False), prepared)
    if priced.plan is None:
        return
    network_rows = [r for r in prepared.rows if r.rule.family in flow.NETWORK_FAMILIES]
    assert all(row.holds(priced.plan) for row in network_rows)
    broken = [r for r in prepared.rows if not r.holds(priced.plan)]
    assert len(broken) <= priced.broken  # a row with two sides may count twice
    if exact.has_plan:
        space = prepared.space
        pairs = zip(space.cand_idcs.tolist(), space.post_idcs.tolist(), strict=True)
        pair_of = {pair: k for k, pair in enumerate(pairs)}
        exact_value = int(sum(weights[pair_of[pair]] for pair in exact.assignments))
        assert priced.bound is not None and priced.bound >= exact_value
        if priced.broken == 0:
            assert int(np.dot(weights, priced.plan)) <= exact_value
