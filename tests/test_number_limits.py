"""Numbers the solver cannot represent exactly are refused when read (issue 17, part 4).

The limits are derived in ``matcher.io.limits``; these tests rebuild them by
hand for instances small enough to follow, and check both sides of each.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from factories import cadre, post
from matcher.cli.commands import main
from matcher.instance import Instance
from matcher.io.limits import LIMIT, PAIR_LIMIT, objective_bound, objective_excess
from matcher.io.reader import InputError, read_instance

# One cadre (score 60) and one post: with a bonus b >= 0 the cadre's best pair
# is at most 60 + 30 + 10 + 5 + 10 + 15 + 20 + b = 150 + b (default weights),
# its worst 0, so K = M = 151 + b and the pair's weight is at most
# M·1 + K + 150 + b = 452 + 3·b. With b < 0 the best is 150, the worst b:
# K = M = 151 + |b|, the weight at most 452 + 2·|b|.
PAIR_BONUS_LIMIT = {1: (PAIR_LIMIT - 452) // 3, -1: (PAIR_LIMIT - 452) // 2}


def pair_weight(bonus: int) -> int:
    return 452 + (3 if bonus >= 0 else 2) * abs(bonus)


def one_pair(tmp_path: Path, bonus: int) -> Path:
    folder = tmp_path / f"bonus-{bonus}"
    folder.mkdir()
    (folder / "candidates.csv").write_text(
        "id,department,rank,age,education,birthplace,home_region\nC1,D1,section,35,bachelor,A,A\n",
        encoding="utf-8",
    )
    (folder / "posts.csv").write_text("id,kind,unit,region\nP1,grassroots,U1,B\n", "utf-8")
    (folder / "affinities.csv").write_text(
        f"candidate_id,post_id,bonus\nC1,P1,{bonus}\n", encoding="utf-8"
    )
    return folder


def test_the_bound_of_one_pair_is_the_formula(tmp_path: Path) -> None:
    instance = read_instance(one_pair(tmp_path, 7))
    assert objective_bound(instance) == (301 + 2 * 7, pair_weight(7))
    assert objective_bound(read_instance(one_pair(tmp_path, -7))) == (
        151 + 7 + 150,
        pair_weight(-7),
    )


@pytest.mark.parametrize("sign", [1, -1])
def test_a_bonus_at_the_limit_solves_and_one_past_is_refused(tmp_path: Path, sign: int) -> None:
    limit = PAIR_BONUS_LIMIT[sign]
    assert pair_weight(sign * limit) <= PAIR_LIMIT < pair_weight(sign * (limit + 1))
    at_limit = one_pair(tmp_path, sign * limit)
    out = tmp_path / "plan"
    result = CliRunner().invoke(main, ["solve", str(at_limit), "--out", str(out)])
    assert result.exit_code == 0, result.output
    plan = pd.read_csv(out / "assignments.csv")
    if sign == 1:  # placed, with the bonus counted exactly
        assert plan["fit_affinity"].tolist() == [limit]
    else:  # a negative fit still fills the seat: coverage comes first
        assert plan["fit_affinity"].tolist() == [-limit]
    past = one_pair(tmp_path, sign * (limit + 1))
    result = CliRunner().invoke(main, ["solve", str(past), "--out", str(tmp_path / "no")])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "1 problem in the input:",
        f'  affinities.csv, row 2, column bonus: "{sign * (limit + 1)}" is too'
        " large: one pair's weight (M·priority + fit) can reach"
        f" {pair_weight(sign * (limit + 1)):,}, beyond {PAIR_LIMIT:,} (2**38, what the"
        f" solver's exact bound holds in int64); in this instance a bonus may be at most {limit:,}",
    ]
    assert not (tmp_path / "no").exists()


def test_the_issue_example_is_refused_not_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["solve", str(one_pair(tmp_path, 9000000000000))])
    assert result.exit_code == 2
    assert "affinities.csv, row 2, column bonus" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_plan_limit_binds_on_many_seats() -> None:
    """Coverage counts every seat filled: 40,000 cadres on one post of priority p.

    Each cadre's best pair is at most 150 (score 60), so K = 40,000·150 + 1 and
    the plan's objective is at most K·40,000·p + 40,000·150, past 2**53 for p
    large enough while one pair's weight (K·p + K + 150) is still below 2**38.
    """
    num = 40_000
    cadres = tuple(cadre(f"C{i}") for i in range(num))
    keep_weight = num * 150 + 1

    def instance(priority: int) -> Instance:
        seats = post("P1", seats=10_000, priority=priority)
        more = tuple(post(f"P{i}", seats=10_000, priority=priority) for i in (2, 3, 4))
        return Instance(candidates=cadres, posts=(seats, *more))

    def plan_bound(priority: int) -> int:
        return keep_weight * num * priority + num * 150

    highest = (LIMIT - num * 150) // (keep_weight * num)
    assert plan_bound(highest) <= LIMIT < plan_bound(highest + 1)
    assert keep_weight * (highest + 1) + keep_weight + 150 <= PAIR_LIMIT  # the plan binds
    assert objective_bound(instance(highest))[0] == plan_bound(highest)
    assert objective_excess(instance(highest)) is None
    excess = objective_excess(instance(highest + 1))
    assert excess is not None
    assert (excess.what, excess.key, excess.allowed) == ("priority", ("P1",), highest)
    assert "beyond 9,007,199,254,740,991 (2**53 - 1" in excess.describe()


def test_weights_past_the_limit_name_the_rules(tmp_path: Path) -> None:
    folder = one_pair(tmp_path, 0)
    (folder / "rules.toml").write_text("[weights]\nscore = 1e12\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_instance(folder)
    (issue,) = caught.value.issues
    assert (issue.file, issue.row, issue.column) == ("rules.toml", None, "weights")
    assert issue.message.endswith("lower the weights or write them with smaller denominators")


def test_a_replan_whose_keep_tier_passes_the_limit_is_refused(tmp_path: Path) -> None:
    """At the solve's limit a bonus still solves; keeping the published pair raises M
    (the keep tier), so the re-plan is refused with exit 2 before it starts."""
    at_limit = one_pair(tmp_path, PAIR_BONUS_LIMIT[1])
    published = tmp_path / "plan"
    assert (
        CliRunner().invoke(main, ["solve", str(at_limit), "--out", str(published)]).exit_code == 0
    )
    changes = tmp_path / "changes.toml"
    changes.write_text("drop_out = []\n", encoding="utf-8")
    out = tmp_path / "plan-2"
    result = CliRunner().invoke(
        main,
        ["replan", str(at_limit), str(published), "--changes", str(changes), "--out", str(out)],
    )
    assert result.exit_code == 2, result.output
    assert "cannot be solved exactly" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not out.exists()
