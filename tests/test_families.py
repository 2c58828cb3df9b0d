"""The instance families are feasible by construction and bind where they say; the
OR-Library converter's expected fit is the optimum the solver reaches."""

from __future__ import annotations

import csv
import json
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli.commands import main
from matcher.io.reader import read_instance
from matcher.synthetic.families import FAMILIES, write_family

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import orlib  # noqa: E402

SMALL = (60, 20)


def solve_and_check(instance: Path, plan: Path) -> dict[str, object]:
    """``matcher solve`` then ``matcher check``; both must exit 0. Returns summary.json."""
    solved = CliRunner().invoke(
        main, ["solve", str(instance), "--out", str(plan), "--time-limit", "10"]
    )
    assert solved.exit_code == 0, solved.output
    checked = CliRunner().invoke(main, ["check", str(instance), str(plan)])
    assert checked.exit_code == 0, checked.output
    assert "no violation" in checked.output
    return json.loads((plan / "summary.json").read_text())


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as source:  # plans carry a BOM (for Excel)
        return list(csv.DictReader(source))


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_is_read_and_solved_to_a_checked_plan(family: str, tmp_path: Path) -> None:
    folder = tmp_path / family
    write_family(family, folder, *SMALL, seed=3)
    instance = read_instance(folder)
    assert instance.num_candidates == SMALL[0] and instance.num_posts == SMALL[1]
    summary = solve_and_check(folder, tmp_path / "plan")
    assert summary["status"] in ("optimal", "feasible")
    assert summary["coverage"] > 0


def test_same_seed_same_bytes_other_seed_other_instance(tmp_path: Path) -> None:
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        write_family("binding-teams", tmp_path / name, *SMALL, seed=seed)
    text = {name: (tmp_path / name / "candidates.csv").read_bytes() for name in "abc"}
    assert text["a"] == text["b"] != text["c"]


def test_binding_teams_start_below_ratio_and_must_place_fits_the_seats(tmp_path: Path) -> None:
    folder = tmp_path / "teams"
    write_family("binding-teams", folder, 520, 110, seed=1)
    instance = read_instance(folder)
    assert instance.rules.require_willing
    assert instance.rules.weights.development == 40
    below = [
        team
        for team in instance.teams
        if Fraction(team.incumbent_locals, team.incumbents)
        < (team.min_local_ratio or instance.rules.local_ratio)
    ]
    assert len(below) >= len(instance.teams) // 3
    must = [c for c in instance.candidates if c.years_in_post >= instance.rules.must_place_years]
    assert 0 < len(must) <= 0.1 * instance.num_candidates < instance.num_seats
    near = [
        c for c in instance.candidates if c.years_in_post == instance.rules.must_place_years - 1
    ]
    assert len(near) > len(must)


def test_affinity_only_is_a_pure_assignment_problem(tmp_path: Path) -> None:
    folder = tmp_path / "assignment"
    write_family("affinity-only", folder, 30, 20, seed=2)
    pairs = rows(folder / "affinities.csv")
    assert len(pairs) == 30 * 20
    assert all(0 <= int(pair["bonus"]) <= 100 for pair in pairs)
    summary = solve_and_check(folder, tmp_path / "plan")
    assert summary["coverage"] == 20
    best = {}
    for pair in pairs:  # the fit can be no more than each post's best bonus
        best[pair["post_id"]] = max(best.get(pair["post_id"], 0), int(pair["bonus"]))
    assert int(summary["fit"]) <= sum(best.values())


DENSE = "3\n 4 1 3\n 2 0 5\n 3 2 2\n"
"""Optimum 5: cadre 1 in post 2, cadre 2 in post 1, cadre 3 in post 3."""
SPARSE = "3\n 1 1 10\n 1 2 3\n 2 1 4\n 2 3 7\n 3 2 5\n 3 3 1\n"
"""Two perfect matchings, costs 22 and 8 (1-2, 2-1, 3-3)."""
OPTIMA = "Data file    Optimal solution value\nassign3   5\n\nassignp3   8\n\nreal1   8.5\n"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "orlib"
    folder.mkdir()
    (folder / "assign3.txt").write_text(DENSE)
    (folder / "assignp3.txt").write_text(SPARSE)
    (folder / "assignopt.txt").write_text(OPTIMA)
    return folder


def test_orlib_expected_fit_from_published_optimum(source: Path) -> None:
    assert orlib.published_optima(source) == {"assign3": 5, "assignp3": 8}
    assert orlib.expected_fit("assign3", source) == -5
    assert orlib.expected_fit("assignp3", source) == 3 * 301 - 8
    assert orlib.available(source) == ["assign3", "assignp3"]


@pytest.mark.parametrize(
    ("name", "mode"), [("assign3", "open"), ("assignp3", "open"), ("assignp3", "forbid")]
)
def test_orlib_solver_reaches_expected_fit(
    source: Path, tmp_path: Path, name: str, mode: str
) -> None:
    folder = orlib.convert(name, tmp_path / "out", source, mode)
    summary = solve_and_check(folder, tmp_path / "plan")
    assert summary["coverage"] == 3
    assert int(summary["fit"]) == orlib.expected_fit(name, source)
    plan = {(r["candidate_id"], r["post_id"]) for r in rows(tmp_path / "plan" / "assignments.csv")}
    if name == "assignp3":
        assert plan == {("C00001", "P00002"), ("C00002", "P00001"), ("C00003", "P00003")}


def test_orlib_sparse_forbid_rows_cover_exactly_the_unlisted_pairs(
    source: Path, tmp_path: Path
) -> None:
    folder = orlib.convert("assignp3", tmp_path / "out", source, "forbid")
    pairs = rows(folder / "affinities.csv")
    assert sum(p["forbid"] == "true" for p in pairs) == 9 - 6
    assert len({(p["candidate_id"], p["post_id"]) for p in pairs}) == 9


def test_orlib_rejects_costs_the_sparse_bonus_cannot_dominate(tmp_path: Path) -> None:
    path = tmp_path / "assignp2.txt"
    path.write_text("2\n 1 1 101\n 2 2 1\n")
    with pytest.raises(ValueError, match="costs must lie"):
        orlib.read_costs(path)
