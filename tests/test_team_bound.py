"""The team-tightened bound: never below any plan, never above the LP bound, and useful."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from factories import random_instance
from matcher.instance import Instance
from matcher.io.reader import read_instance
from matcher.solve import team_bound
from matcher.solve.pipeline import OPTIMAL, TEAM_PROOF, SolveParams, prepare, solve
from matcher.solve.relaxation import solve_relaxation
from matcher.synthetic.generate import generate_tables, write_instance

SEEDS = range(120)


def tightened_bounds(
    instance: Instance, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, int, int, int] | None:
    """(LP bound, tightened bound, the same with every team solved on its own, weight of
    the optimum), or None without a plan.

    The optimum is plain CP-SAT's proven one (no LP, so nothing shared with the bound).
    """
    plain = solve(instance, SolveParams(time_limit=20, use_lp=False))
    if plain.status != OPTIMAL:
        return None
    best = (plain.coverage, plain.fit)
    prepared = prepare(instance)
    space, objective = prepared.space, prepared.objective
    relax = solve_relaxation(prepared.rows, objective.weights, 20,
                             cand_idcs=space.cand_idcs, post_idcs=space.post_idcs)  # fmt: skip
    assert relax.bound is not None
    coverage, fit = best
    optimum = coverage * objective.coverage_weight + int(fit * prepared.fit.scale)
    tight = relax.tightened(space, prepared.rows, 20)
    with monkeypatch.context() as patch:
        # every group of teams too big to solve whole: copies of shared pairs, priced by
        # subgradient steps aiming at the optimum itself, so the steps always run
        patch.setattr(team_bound, "MAX_BLOCK_PAIRS", 0)
        split = relax.tightened(space, prepared.rows, 20, optimum)
    assert tight.bound is not None and split.bound is not None
    return math.floor(relax.bound), math.floor(tight.bound), math.floor(split.bound), optimum


def test_the_tightened_bound_holds_on_every_small_instance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tighter = split_tighter = 0
    for seed in SEEDS:
        instance = random_instance(seed, num_candidates=14, num_posts=5)
        bounds = tightened_bounds(instance, monkeypatch)
        if bounds is None:
            continue
        lp_bound, tight_bound, split_bound, optimum = bounds
        # teams solved apart relax teams solved together: never tighter than that
        assert optimum <= tight_bound <= split_bound <= lp_bound, seed
        tighter += tight_bound < lp_bound
        split_tighter += split_bound < lp_bound
    assert tighter > 0, "no instance exercised the team blocks"
    assert split_tighter > 0, "no instance exercised the split teams"


def test_split_copies_of_a_pair_shared_by_two_teams(monkeypatch: pytest.MonkeyPatch) -> None:
    """On the instances where two binding teams share pairs, the split bound still holds."""
    seen = 0
    original = team_bound._split_saving

    def counting(*args: Any, **kwargs: Any) -> int:
        nonlocal seen
        seen += len(args[2]) > 1
        return original(*args, **kwargs)

    monkeypatch.setattr(team_bound, "_split_saving", counting)
    for seed in SEEDS:
        instance = random_instance(seed, num_candidates=14, num_posts=5)
        bounds = tightened_bounds(instance, monkeypatch)
        if bounds is not None:
            assert bounds[3] <= bounds[2], seed
        if seen >= 3:
            break
    assert seen >= 3, "too few instances had two binding teams in one group"


@pytest.fixture(scope="module")
def city_seed_1(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    folder = tmp_path_factory.mktemp("city1")
    write_instance(generate_tables(520, 110, 1), folder)
    return read_instance(folder)


def test_team_blocks_close_the_lp_gap_of_city_seed_1(city_seed_1: Instance) -> None:
    # the LP bound is 14 above the optimum there; solving team T002 exactly closes all of it
    result = solve(city_seed_1, SolveParams(time_limit=60))
    assert result.proof == TEAM_PROOF
    assert result.gap == 0 and result.model_size["team_bound_gain"] == 14


def test_a_pairs_shares_over_its_copies_sum_to_its_reduced_cost() -> None:
    # the premise of the split bound's validity, for any price between two copies
    rng = np.random.default_rng(7)
    reduced = rng.integers(-(2**40), 2**20, size=1000)
    copies = rng.choice([1, 2, 3], size=1000, p=[0.6, 0.35, 0.05])
    lam = rng.integers(-(2**30), 2**30, size=1000)
    total = np.zeros(1000, dtype=np.int64)
    for copy in range(3):
        in_copy = copy < copies
        share = team_bound._shares(reduced, copies, np.full(1000, copy == 0), lam)
        total += np.where(in_copy, share, 0)
    assert np.array_equal(total, reduced)
