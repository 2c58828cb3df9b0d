"""The shipped instances and the generator: readable, solvable, as documented."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from matcher.check.checker import check_plan
from matcher.io.reader import read_instance
from matcher.solve.pipeline import OPTIMAL, SolveParams, solve
from matcher.synthetic.generate import DEFAULT_RULES_TOML, generate_tables, write_instance

INSTANCES = Path(__file__).parent.parent / "instances"


def test_tiny_optimum_is_the_one_worked_out_by_hand() -> None:
    instance = read_instance(INSTANCES / "tiny")
    result = solve(instance, SolveParams(time_limit=20))
    plan = {(instance.candidates[c].id, instance.posts[p].id) for c, p in result.assignments}
    assert (result.status, result.coverage, result.fit) == (OPTIMAL, 3, 290)
    assert plan == {("C1", "P1"), ("C5", "P2")}


def test_tiny_v11_optimum_is_the_one_worked_out_by_hand() -> None:
    # instances/tiny-v11/README.md: G1 (P2, P3) takes one D2 party member, so C2 through
    # her age exception; C5 stays home although P2 has a second seat.
    instance = read_instance(INSTANCES / "tiny-v11")
    assert not instance.warnings
    result = solve(instance, SolveParams(time_limit=20))
    plan = {(instance.candidates[c].id, instance.posts[p].id) for c, p in result.assignments}
    assert (result.status, result.coverage, result.fit) == (OPTIMAL, 3, 310)
    assert plan == {("C1", "P1"), ("C2", "P2")}
    checked = check_plan(instance, sorted(plan))
    assert checked.ok and checked.exceptions_by_assignment == {("C2", "P2"): ("age_cap",)}


def test_city_instance_is_solved_to_proven_optimality_and_checks() -> None:
    instance = read_instance(INSTANCES / "city")
    assert not instance.warnings
    assert (instance.num_candidates, len(instance.departments)) == (520, 36)
    assert 130 <= instance.num_seats <= 160
    result = solve(instance, SolveParams(time_limit=120))
    assert result.status == OPTIMAL and result.gap == 0
    plan = [(instance.candidates[c].id, instance.posts[p].id) for c, p in result.assignments]
    report = check_plan(instance, plan)
    assert report.ok and (report.coverage, report.fit) == (result.coverage, result.fit)


def test_city_instance_is_what_the_generator_makes() -> None:
    tables = generate_tables(520, 110, 2026)
    for name, frame in tables.items():
        shipped = pd.read_csv(INSTANCES / "city" / f"{name}.csv", dtype=str, keep_default_na=False)
        assert shipped.equals(frame.astype(str).replace("nan", "")), name


def test_generator_is_deterministic_per_seed() -> None:
    first, again, other = (generate_tables(300, 90, s) for s in (1, 1, 2))
    assert all(first[name].equals(again[name]) for name in first)
    assert not first["candidates"].equals(other["candidates"])


@pytest.mark.parametrize("seed", [11, 12])
def test_generated_instances_round_trip_and_are_feasible(seed: int, tmp_path: Path) -> None:
    write_instance(generate_tables(300, 70, seed), tmp_path, DEFAULT_RULES_TOML)
    instance = read_instance(tmp_path)
    assert any(post.sensitive for post in instance.posts) and instance.teams
    result = solve(instance, SolveParams(time_limit=60))
    assert result.has_plan


def test_cp_sat_path_is_reproducible(tmp_path: Path) -> None:
    # seed 10 has a fractional LP, so the plan comes from the restricted search and
    # CP-SAT with 2 interleaved workers: the same seed and workers give the same plan
    write_instance(generate_tables(520, 110, 10), tmp_path)
    instance = read_instance(tmp_path)
    runs = [solve(instance, SolveParams(time_limit=120, seed=1, workers=2)) for _ in range(2)]
    assert runs[0].proof == "CP-SAT" and runs[0].status == OPTIMAL
    assert runs[0].assignments == runs[1].assignments
