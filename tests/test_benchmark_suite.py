"""The benchmark's verdicts (``benchmarks/benchlib/suite.evaluate``): a solver's claim that a
checked plan refutes is flagged, and a bound is pooled only on the common objective."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from factories import random_instance
from matcher.instance import Instance
from matcher.solve.pipeline import OPTIMAL, SolveParams, prepare, solve

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path[:0] = [str(BENCHMARKS), str(BENCHMARKS / "workers")]
from benchlib.instances import Size  # noqa: E402
from benchlib.launch import Launched  # noqa: E402
from benchlib.plans import Scale  # noqa: E402
from benchlib.suite import Outcome, evaluate  # noqa: E402
from run_matcher import objective_scale  # noqa: E402  (the matcher worker's own)


@pytest.fixture(scope="module")
def solved() -> tuple[Instance, dict[str, Any]]:
    """A small instance with a proven optimum, and matcher's record of it."""
    for seed in range(20):
        instance = random_instance(seed, num_candidates=6, num_posts=3)
        result = solve(instance, SolveParams(time_limit=20))
        if result.status == OPTIMAL and result.assignments:
            break
    scale = objective_scale(prepare(instance))
    value = Scale(**scale).weighted(result.coverage, result.fit)
    record = {
        "status": "optimal",
        "runtime": 1.0,
        "plan": [list(pair) for pair in result.assignments],
        "bound": value,
        "scale": scale,
    }
    return instance, record


def outcome(solver: str, record: dict[str, Any]) -> Outcome:
    return Outcome(solver, record, Launched(0, 1.0, 1.0, False, ""), 0.0)


def rows_for(instance: Instance, *outcomes: Outcome) -> dict[str, Any]:
    rows = evaluate(Size("test", 6, 3), 1, instance, list(outcomes))
    return {row.solver: row for row in rows}


def no_plan(status: str, bound: int | None, scale: dict[str, int]) -> dict[str, Any]:
    return {"status": status, "runtime": 2.0, "plan": [], "bound": bound, "scale": scale}


def test_a_checked_optimal_plan_keeps_its_proof(solved: tuple[Instance, dict[str, Any]]) -> None:
    instance, record = solved
    rows = rows_for(instance, outcome("matcher", record))
    assert rows["matcher"].checker_ok and rows["matcher"].time_to_optimal == 1.0
    assert rows["matcher"].gap == 0 and rows["matcher"].note == ""


def test_an_infeasible_claim_a_checked_plan_refutes_is_flagged(
    solved: tuple[Instance, dict[str, Any]],
) -> None:
    instance, record = solved
    claim = no_plan("infeasible", None, record["scale"])
    rows = rows_for(instance, outcome("matcher", record), outcome("textbook", claim))
    assert "refutes" in rows["textbook"].note
    assert "refutes" not in rows["matcher"].note


def test_a_bound_below_a_checked_plan_is_not_pooled(
    solved: tuple[Instance, dict[str, Any]],
) -> None:
    instance, record = solved
    low = no_plan("unknown", 0, record["scale"])  # CP-SAT's bound when it found nothing
    rows = rows_for(instance, outcome("matcher", record), outcome("textbook", low))
    assert "below a checked plan" in rows["textbook"].note
    assert rows["matcher"].best_bound == record["bound"]


def test_a_bound_on_another_weighting_is_not_pooled(
    solved: tuple[Instance, dict[str, Any]],
) -> None:
    instance, record = solved
    other = {**record["scale"], "coverage_weight": record["scale"]["coverage_weight"] * 2}
    tight = no_plan("unknown", record["bound"] * 3, other)  # above the plan, so not "wrong"
    rows = rows_for(instance, outcome("matcher", record), outcome("highs", tight))
    assert rows["highs"].bound is None and "weighted unlike" in rows["highs"].note
    assert rows["matcher"].best_bound == record["bound"]
