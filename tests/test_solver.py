"""The solver against exhaustive search, the checker, and itself (determinism)."""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import random_instance
from matcher.check.checker import check_plan
from matcher.instance import Instance
from matcher.io.reader import read_instance
from matcher.solve.events import CPSAT, LP, ProgressEvent
from matcher.solve.pipeline import INFEASIBLE, OPTIMAL, SolveParams, prepare, solve
from matcher.synthetic.generate import DEFAULT_RULES_TOML, generate_tables, write_instance


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


# ---------------------------------------------------------------------- a hint


def test_a_feasible_hint_is_the_plan_to_beat_and_the_optimum_is_unchanged(
    tmp_path: Path,
) -> None:
    """Generated city, seed 2: its LP is fractional, so without a hint the LP phase holds
    only the first plan (the flow's, repaired), below the optimum. Hinted with the optimum,
    the LP phase already holds it; the result is the same, proven the same way."""
    write_instance(generate_tables(520, 110, 2), tmp_path, DEFAULT_RULES_TOML)
    instance = read_instance(tmp_path)
    prepared = prepare(instance)
    params = SolveParams(time_limit=60)
    cold_events: list[ProgressEvent] = []
    cold = solve(instance, params, prepared, progress=cold_events.append)
    optimum = np.zeros(prepared.space.num_pairs, dtype=np.int64)
    space = prepared.space
    pairs = zip(space.cand_idcs.tolist(), space.post_idcs.tolist(), strict=True)
    pair_of = {pair: k for k, pair in enumerate(pairs)}
    optimum[[pair_of[pair] for pair in cold.assignments]] = 1
    warm_events: list[ProgressEvent] = []
    warm = solve(instance, params, prepared, progress=warm_events.append, hint=optimum)
    lp_cold, lp_warm = (next(e for e in events if e.phase == LP)
                        for events in (cold_events, warm_events))  # fmt: skip
    assert (lp_cold.coverage, lp_cold.fit) != (cold.coverage, cold.fit)
    assert (lp_warm.coverage, lp_warm.fit) == (cold.coverage, cold.fit)
    figures = [(r.status, r.coverage, r.coverage_bound, r.fit, r.fit_bound) for r in (cold, warm)]
    assert figures[0] == figures[1] and cold.status == OPTIMAL


def test_a_hint_that_breaks_a_rule_is_only_a_start() -> None:
    instance = random_instance(7, num_candidates=9, num_posts=6)
    prepared = prepare(instance)
    everything = np.ones(prepared.space.num_pairs, dtype=np.int64)  # every cadre everywhere
    events: list[ProgressEvent] = []
    hinted = solve(instance, SolveParams(time_limit=20, use_lp=False), prepared,
                   progress=events.append, hint=everything)  # fmt: skip
    plain = solve(instance, SolveParams(time_limit=20, use_lp=False), prepared)
    assert next(e for e in events if e.phase == CPSAT).coverage is None  # not a plan in hand
    assert (hinted.status, hinted.coverage, hinted.fit) == (plain.status, plain.coverage, plain.fit)
    with pytest.raises(ValueError, match="hint has 1 values"):
        solve(instance, SolveParams(time_limit=20), prepared, hint=np.ones(1, dtype=np.int64))


@pytest.mark.parametrize("seed", range(40))
def test_column_generation_from_no_columns_meets_the_full_lp(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # with no start columns the restricted LP meets its lower sides only through the
    # artificial columns; pricing must still reach the LP over all pairs (same bound),
    # or prove the rules cannot hold exactly when the full LP is infeasible
    from matcher.solve import relaxation

    instance = random_instance(seed, num_candidates=14, num_posts=5)
    prepared = prepare(instance)
    rows, weights, space = prepared.rows, prepared.objective.weights, prepared.space
    full = relaxation.solve_relaxation(rows, weights, 30)
    for name in ("START_PER_CADRE", "START_PER_POST", "FORCING_COLUMNS"):
        monkeypatch.setattr(relaxation, name, 0)
    grown = relaxation.solve_relaxation(rows, weights, 30, cand_idcs=space.cand_idcs,
                                        post_idcs=space.post_idcs)  # fmt: skip
    assert grown.status == full.status
    if full.bound is not None:
        assert grown.bound is not None and abs(float(grown.bound - full.bound)) < 0.01


def test_column_generation_proves_a_lower_side_no_pair_can_meet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # D1 must send 3 but has 2 cadres: only the artificial column could meet it
    from factories import cadre, post
    from matcher.instance import Department
    from matcher.solve import relaxation

    instance = Instance(
        candidates=(cadre("A", 90), cadre("B", 80), cadre("C", 70, department="D2")),
        posts=(post("P", seats=3),),
        departments=(Department(id="D1", min_send=3),),
    )
    prepared = prepare(instance)
    space = prepared.space
    for name in ("START_PER_CADRE", "START_PER_POST", "FORCING_COLUMNS"):
        monkeypatch.setattr(relaxation, name, 0)
    weights = prepared.objective.weights
    grown = relaxation.solve_relaxation(
        prepared.rows, weights, 30, cand_idcs=space.cand_idcs, post_idcs=space.post_idcs
    )
    assert grown.status == "infeasible"
