"""The restricted MIP (``model.mip``): its plans keep every rule; over all pairs, optimal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from factories import random_instance
from matcher.check.checker import check_plan
from matcher.instance import Instance
from matcher.io.reader import read_instance
from matcher.model.space import row_sides
from matcher.solve import mip
from matcher.solve.pipeline import OPTIMAL, Prepared, SolveParams, prepare, solve
from matcher.solve.relaxation import constraint_matrix
from matcher.synthetic.generate import generate_tables, write_instance
from test_team_bound import city_seed_1  # noqa: F401  (a fixture)


def plan_pairs(prepared: Prepared, plan: np.ndarray) -> list[tuple[str, str]]:
    instance, space = prepared.enc.instance, prepared.space
    chosen = np.flatnonzero(plan)
    cands, posts = space.cand_idcs[chosen].tolist(), space.post_idcs[chosen].tolist()
    return [
        (instance.candidates[c].id, instance.posts[p].id) for c, p in zip(cands, posts, strict=True)
    ]


@pytest.mark.parametrize("seed", range(40))
def test_over_all_pairs_the_mip_finds_the_proven_optimum(seed: int) -> None:
    instance = random_instance(seed, num_candidates=12, num_posts=5)
    reference = solve(instance, SolveParams(time_limit=20, use_lp=False))  # plain CP-SAT
    prepared = prepare(instance)
    weights = prepared.objective.weights
    matrix = constraint_matrix(prepared.rows, weights.size)
    lower, upper = row_sides(prepared.rows)
    plan = mip.search(matrix, lower, upper, weights, np.arange(weights.size), 20).plan
    if reference.status != OPTIMAL:
        assert plan is None  # no plan at all (CP-SAT proved it infeasible)
        return
    assert plan is not None
    report = check_plan(instance, plan_pairs(prepared, plan))
    assert report.ok, report.violations
    assert (report.coverage, report.fit) == (reference.coverage, reference.fit)


def test_a_restriction_that_cannot_meet_a_lower_side_gives_no_plan() -> None:
    for seed in range(200):
        prepared = prepare(random_instance(seed, num_candidates=12, num_posts=5))
        lower, upper = row_sides(prepared.rows)
        needy = [i for i, row in enumerate(prepared.rows) if (row.lower or 0) > 0]
        if needy:
            break
    else:
        pytest.fail("no instance with a lower side")
    weights = prepared.objective.weights
    matrix = constraint_matrix(prepared.rows, weights.size)
    helping = prepared.rows[needy[0]].pairs[prepared.rows[needy[0]].coeffs > 0]
    free = np.setdiff1d(np.arange(weights.size), helping)  # none of the pairs that row needs
    assert mip.search(matrix, lower, upper, weights, free, 20).plan is None


def test_a_large_model_takes_its_plan_from_the_mip(
    city_seed_1: Instance,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import matcher.solve.pipeline as solver_module

    calls = []
    original = solver_module._mip_plan

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(solver_module, "MIP_PLAN_ABOVE_PAIRS", 0)
    monkeypatch.setattr(solver_module, "CP_SAT_AFTER_MIP_MAX_PAIRS", 0)
    monkeypatch.setattr(solver_module, "_mip_plan", counting)
    result = solve(city_seed_1, SolveParams(time_limit=60))
    assert calls == [1]
    assert "cpsat" not in result.phase_times  # CP-SAT is not run after the MIP
    reference = solve(city_seed_1, SolveParams(time_limit=60))
    assert (result.coverage, result.fit) == (reference.coverage, reference.fit)
    assert result.status == OPTIMAL  # the team bound proves the MIP's plan, as on the listed path


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("proof_max_pairs", [0, 10**9])
def test_a_mid_size_model_proves_the_mips_plan(
    seed: int, proof_max_pairs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # between the two thresholds: the MIP's plan first, then reduced-cost fixing against it
    # and HiGHS over the pairs left (or CP-SAT, with none allowed to HiGHS), to the same
    # proven optimum as the path without the MIP
    import matcher.solve.pipeline as solver_module

    instance = random_instance(seed, num_candidates=12, num_posts=5)
    reference = solve(instance, SolveParams(time_limit=20))
    monkeypatch.setattr(solver_module, "MIP_PLAN_ABOVE_PAIRS", 0)
    monkeypatch.setattr(solver_module, "MIP_PROOF_MAX_PAIRS", proof_max_pairs)
    result = solve(instance, SolveParams(time_limit=20))
    assert result.status == reference.status
    if reference.status == OPTIMAL:
        assert (result.coverage, result.fit) == (reference.coverage, reference.fit)
        pairs = [(instance.candidates[c].id, instance.posts[p].id) for c, p in result.assignments]
        assert check_plan(instance, pairs).ok
        if proof_max_pairs == 0:
            assert result.proof != solver_module.MIP_PROOF


@pytest.mark.parametrize("seed", [3, 4])
def test_the_mip_proof_proves_the_optimum_where_the_lp_bounds_do_not(
    seed: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # generated 300 x 80 instances whose LP and team bounds stay above the MIP's plan:
    # HiGHS over the pairs fixing leaves proves it, the same optimum CP-SAT proves
    import matcher.solve.pipeline as solver_module

    write_instance(generate_tables(300, 80, seed), tmp_path)
    instance = read_instance(tmp_path)
    reference = solve(instance, SolveParams(time_limit=30))
    monkeypatch.setattr(solver_module, "MIP_PLAN_ABOVE_PAIRS", 0)
    result = solve(instance, SolveParams(time_limit=30))
    assert result.proof == solver_module.MIP_PROOF and "mip proof" in result.phase_times
    assert result.status == reference.status == OPTIMAL and result.gap == 0
    assert (result.coverage, result.fit) == (reference.coverage, reference.fit)
    pairs = [(instance.candidates[c].id, instance.posts[p].id) for c, p in result.assignments]
    assert check_plan(instance, pairs).ok
