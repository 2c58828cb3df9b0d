"""The team-tightened bound: never below any plan, never above the LP bound, and useful."""

from __future__ import annotations

import math

import pytest

from factories import random_instance
from matcher.generate import generate_tables, write_instance
from matcher.instance import Instance
from matcher.model.relaxation import solve_relaxation
from matcher.reader import read_instance
from matcher.solver import OPTIMAL, TEAM_PROOF, SolveParams, prepare, solve

SEEDS = range(120)


def tightened_bounds(instance: Instance) -> tuple[int, int, int] | None:
    """(LP bound, tightened bound, weight of the optimum), or None without a plan.

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
    tight = relax.tightened(space, prepared.rows, 20)
    assert tight.bound is not None
    coverage, fit = best
    optimum = coverage * objective.coverage_weight + int(fit * prepared.fit.scale)
    return math.floor(relax.bound), math.floor(tight.bound), optimum


def test_the_tightened_bound_holds_on_every_small_instance() -> None:
    tighter = 0
    for seed in SEEDS:
        instance = random_instance(seed, num_candidates=14, num_posts=5)
        bounds = tightened_bounds(instance)
        if bounds is None:
            continue
        lp_bound, tight_bound, optimum = bounds
        assert optimum <= tight_bound <= lp_bound, seed
        tighter += tight_bound < lp_bound
    assert tighter > 0, "no instance exercised the team blocks"


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
