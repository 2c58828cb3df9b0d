"""``matcher replan``: coverage first, then fewest changed assignments, then fit; who moves and why.

Minimality is proved the slow, independent way on small instances: every plan
is enumerated and judged by the checker alone, and the best (coverage, kept,
fit) found must be exactly what the re-plan reaches.
"""

from __future__ import annotations

import itertools
import json
import random
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from factories import cadre, post, random_instance
from matcher.check.checker import check_plan
from matcher.cli.commands import main
from matcher.instance import Group, Instance, Rank, Team
from matcher.io.reader import read_instance
from matcher.model import objective as objective_module
from matcher.planning.replan import (
    MOVED,
    NEWLY_PLACED,
    Changes,
    ChangesError,
    Replan,
    apply_changes,
    count,
    describe_moves,
    read_changes,
    replan,
)
from matcher.solve.events import CPSAT, ProgressEvent
from matcher.solve.pipeline import OPTIMAL, SolveParams, prepare, solve

INSTANCES = Path(__file__).parent.parent / "instances"
QUICK = SolveParams(time_limit=20)


def ids(instance: Instance, assignments: tuple[tuple[int, int], ...]) -> list[tuple[str, str]]:
    return [(instance.candidates[c].id, instance.posts[p].id) for c, p in assignments]


def best_by_enumeration(
    instance: Instance, published: list[tuple[str, str]]
) -> tuple[int, int, Fraction]:
    """The lexicographic best (coverage, kept, fit) over every plan the checker accepts."""
    cadres = [c.id for c in instance.candidates]
    options = [None, *(p.id for p in instance.posts)]
    published_pairs = set(published)
    best: tuple[int, int, Fraction] | None = None
    for choice in itertools.product(options, repeat=len(cadres)):
        plan = [(c, p) for c, p in zip(cadres, choice, strict=True) if p is not None]
        report = check_plan(instance, plan)
        if report.ok:
            found = (report.coverage, len(published_pairs & set(plan)), report.fit)
            best = found if best is None or found > best else best
    assert best is not None
    return best


def published_plan(instance: Instance) -> list[tuple[str, str]]:
    result = solve(instance, QUICK)
    assert result.has_plan
    return ids(instance, result.assignments)


# ---------------------------------------------------------------------- the objective


@pytest.mark.parametrize("seed", range(6))
def test_keep_tier_weights_order_plans_exactly_lexicographically(seed: int) -> None:
    """For any one-post-per-cadre selection, weight order = (coverage, kept, fit) order."""
    instance = random_instance(seed, num_candidates=6, num_posts=4)
    prepared = prepare(instance)
    space = prepared.space
    rng = random.Random(seed)
    keep = np.array([rng.random() < 0.4 for _ in range(space.num_pairs)], dtype=np.int64)
    objective = objective_module.build(space, prepared.fit, keep)
    tiers = []
    for _ in range(300):
        chosen = [
            int(rng.choice(pairs.tolist()))
            for pairs in space.cand2pairs
            if pairs.size and rng.random() < 0.7
        ]
        coverage = int(objective.priority[chosen].sum())
        kept = int(objective.keep[chosen].sum())
        fit = int(objective.fit[chosen].sum())
        value = int(objective.weights[chosen].sum())
        assert objective.split(value) == (coverage, kept, fit)
        assert objective.value(coverage, kept, fit) == value
        tiers.append(((coverage, kept, fit), value))
    for (tier_a, value_a), (tier_b, value_b) in itertools.pairwise(tiers):
        assert (tier_a < tier_b) == (value_a < value_b)


def test_without_a_published_plan_the_weights_are_unchanged() -> None:
    instance = read_instance(INSTANCES / "tiny")
    prepared = prepare(instance)
    plain = objective_module.build(prepared.space, prepared.fit)
    assert plain.keep_weight == plain.coverage_weight and plain.max_kept == 0
    assert not plain.keep.any()
    expected = plain.priority * plain.coverage_weight + plain.fit
    assert (plain.weights == expected).all()


# ---------------------------------------------------------------------- tiny instance


@pytest.mark.parametrize("dropped", ["C1", "C5"])
def test_tiny_drop_out_is_lexicographically_best_by_enumeration(dropped: str) -> None:
    instance = read_instance(INSTANCES / "tiny")
    published = published_plan(instance)  # C1→P1, C5→P2 (instances/tiny/README.md)
    changes = Changes(drop_out=(dropped,))
    result = replan(instance, published, changes, QUICK)
    changed = apply_changes(instance, changes)
    plan = ids(changed, result.result.assignments)
    report = check_plan(changed, plan)
    assert report.ok and result.result.status == OPTIMAL
    kept = len(set(published) & set(plan))
    assert (report.coverage, kept, report.fit) == best_by_enumeration(changed, published)
    assert result.result.kept == result.result.kept_bound == kept
    assert report.coverage == solve(changed, QUICK).coverage


def random_changes(seed: int) -> tuple[Instance, list[tuple[str, str]], Changes] | None:
    """A random instance's plan, and changes to it: add a strong newcomer, drop a placed
    cadre or close a post. None when the instance has no plan to re-plan."""
    instance = random_instance(seed, num_candidates=5, num_posts=3)
    result = solve(instance, QUICK)
    if not result.has_plan or not result.assignments:
        return None  # about two seeds in three
    published = ids(instance, result.assignments)
    rng = random.Random(seed)
    drop = rng.choice(published)[0]
    close = rng.choice(instance.posts).id if seed % 3 == 1 else None
    # a newcomer who fits every post better than anyone: fit alone would displace people
    newcomer = cadre(
        "C9", score=100, department="D0", home_region="青山县", reserve=True, party_member=True,
        preferences=tuple(p.id for p in instance.posts),
    )  # fmt: skip
    changes = Changes(
        drop_out=(drop,) if seed % 2 else (),
        close_posts=(close,) if close else (),
        add_candidates=(newcomer,),
    )
    return instance, published, changes


@pytest.mark.parametrize("seed", range(30))
def test_random_changes_are_lexicographically_best_by_enumeration(seed: int) -> None:
    case = random_changes(seed)
    if case is None:
        pytest.skip("the random instance has no plan to re-plan")
    instance, published, changes = case
    changed = apply_changes(instance, changes)
    outcome = replan(instance, published, changes, QUICK)
    if not outcome.result.has_plan:
        # the changes break a rule no plan can meet: enumeration must agree
        cadres, posts = changed.candidates, [None, *changed.posts]
        for choice in itertools.product(posts, repeat=len(cadres)):
            plan = [(c.id, p.id) for c, p in zip(cadres, choice, strict=True) if p is not None]
            assert not check_plan(changed, plan).ok
        return
    plan = ids(changed, outcome.result.assignments)
    report = check_plan(changed, plan)
    assert report.ok and outcome.result.status == OPTIMAL
    kept = len(set(published) & set(plan))
    assert (report.coverage, kept, report.fit) == best_by_enumeration(changed, published)


def test_keep_tier_never_trades_coverage_for_keeps() -> None:
    # A holds P (priority 1). A new post R (priority 5) only A can take: moving A loses
    # the one kept assignment but gains 4 coverage, so A must move.
    a = cadre("A", rank=Rank.COUNTY, age=44)
    instance = Instance(candidates=(a,), posts=(post("P"),))
    changes = Changes(add_posts=(post("R", priority=5, ranks=(Rank.COUNTY,)),))
    outcome = replan(instance, [("A", "P")], changes, QUICK)
    assert outcome.plan == [("A", "R")]
    assert (outcome.result.coverage, outcome.result.kept) == (5, 0)
    (move,) = describe_moves(outcome)
    assert (move.change, move.before, move.after) == (MOVED, "P", "R")
    assert "higher-priority" in move.reason and "added post R" in move.reason


def test_keep_tier_never_trades_keeps_for_fit() -> None:
    # A and B hold P and Q. Newcomer N fits either post far better (score 100 against 50),
    # so a fresh solve places N; the re-plan keeps both published assignments instead.
    a, b = cadre("A", score=50), cadre("B", score=50)
    instance = Instance(candidates=(a, b), posts=(post("P"), post("Q")))
    published = [("A", "P"), ("B", "Q")]
    changes = Changes(add_candidates=(cadre("N", score=100),))
    outcome = replan(instance, published, changes, QUICK)
    assert sorted(outcome.plan) == published
    assert (outcome.result.coverage, outcome.result.kept) == (2, 2)
    fresh = solve(apply_changes(instance, changes), QUICK)
    assert fresh.coverage == outcome.result.coverage and fresh.fit > outcome.result.fit
    assert "N" in {outcome.instance.candidates[c].id for c, _ in fresh.assignments}
    assert describe_moves(outcome) == []


def team_chain_instance() -> tuple[Instance, list[tuple[str, str]]]:
    """Team T (丙县) has 4 members, 1 local; M (a member, not local) is posted away to X.

    Published: M→X, L→Y (3 members, 1 local: exactly 1/3). When M drops out, M stays
    in T (4 members), so T needs a local posted in: only L is local, and only TP is
    in T. L moves Y→TP, and N (general rank, not allowed on TP) fills Y. Nobody else
    can take X (county rank only).
    """
    team = Team(id="T", region="丙县", incumbents=4, incumbent_locals=1)
    cadres = (
        cadre("M", rank=Rank.COUNTY, age=44, home_region="乙县", current_team="T"),
        cadre("L", home_region="丙县"),
        cadre("N", rank=Rank.GENERAL, age=30),
    )
    posts = (
        post("X", ranks=(Rank.COUNTY,)),
        post("Y"),
        post("TP", team="T", region="丙县", ranks=(Rank.SECTION,)),
    )
    instance = Instance(candidates=cadres, posts=posts, teams=(team,))
    published = [("M", "X"), ("L", "Y")]
    assert check_plan(instance, published).ok
    return instance, published


def test_team_chain_moves_are_minimal_and_explained() -> None:
    instance, published = team_chain_instance()
    changes = Changes(drop_out=("M",))
    outcome = replan(instance, published, changes, QUICK)
    changed = apply_changes(instance, changes)
    assert sorted(outcome.plan) == [("L", "TP"), ("N", "Y")]
    report = check_plan(changed, outcome.plan)
    assert report.ok
    assert (report.coverage, 0, report.fit) == best_by_enumeration(changed, published)
    moves = {move.candidate_id: move for move in describe_moves(outcome)}
    assert set(moves) == {"M", "L", "N"}
    assert moves["M"].change == "dropped_out"
    assert (moves["L"].change, moves["L"].before, moves["L"].after) == (MOVED, "Y", "TP")
    assert "team T (丙县)'s local ratio" in moves["L"].reason
    assert "free a seat on Y" in moves["L"].reason and "for N" in moves["L"].reason
    assert moves["N"].change == NEWLY_PLACED
    assert "vacated by L" in moves["N"].reason and "moved to TP" in moves["N"].reason
    zh = {move.candidate_id: move.reason for move in describe_moves(outcome, "zh")}
    assert "班子T（丙县）本地干部" in zh["L"] and "空出的Y" in zh["N"]
    counts = count(outcome, list(moves.values()))
    assert (counts.kept, counts.moved, counts.newly_placed, counts.dropped_out) == (0, 1, 1, 1)


# ---------------------------------------------------------------------- city instance


@pytest.fixture(scope="module")
def city() -> tuple[Instance, list[tuple[str, str]]]:
    instance = read_instance(INSTANCES / "city")
    return instance, published_plan(instance)


def test_city_drop_out_refills_only_the_vacated_seat(
    city: tuple[Instance, list[tuple[str, str]]],
) -> None:
    instance, published = city
    dropped, seat = published[0]
    changes = Changes(drop_out=(dropped,))
    changed = apply_changes(instance, changes)
    outcome = replan(instance, published, changes, QUICK)
    report = check_plan(changed, outcome.plan)
    assert report.ok and outcome.result.status == OPTIMAL
    assert report.coverage == solve(changed, QUICK).coverage
    rest = [pair for pair in published if pair[0] != dropped]
    placed = {c for c, _ in published}
    direct_refill_exists = any(
        c.id not in placed and check_plan(changed, [*rest, (c.id, seat)]).ok
        for c in changed.candidates
    )
    assert direct_refill_exists, "the test needs a seat a cadre at home can refill directly"
    # so one change is enough: the dropped cadre's seat refilled, nobody else touched
    moves = describe_moves(outcome)
    assert [(m.change, m.candidate_id) for m in moves][0] == ("dropped_out", dropped)
    (refill,) = moves[1:]
    assert (refill.change, refill.before, refill.after) == (NEWLY_PLACED, "", seat)
    assert sorted(outcome.plan) == sorted([*rest, (refill.candidate_id, seat)])
    assert f"vacated by {dropped}" in refill.reason
    assert outcome.result.kept == outcome.result.kept_bound == len(published) - 1


def test_city_example_changes_file_replans_to_a_checked_plan(
    city: tuple[Instance, list[tuple[str, str]]],
) -> None:
    instance, published = city
    changes = read_changes(INSTANCES / "city-changes.toml", instance, published)
    assert changes.drop_out and changes.close_posts and changes.add_posts and changes.add_candidates
    outcome = replan(instance, published, changes, QUICK)
    report = check_plan(outcome.instance, outcome.plan)
    assert report.ok and outcome.result.status == OPTIMAL
    assert report.coverage == solve(outcome.instance, QUICK).coverage
    moves = describe_moves(outcome)
    assert count(outcome, moves).kept == outcome.result.kept == outcome.result.kept_bound
    assert moves and all(move.reason for move in moves)


# ---------------------------------------------------------------------- warm start


def outcome_figures(outcome: Replan) -> tuple[object, ...]:
    result = outcome.result
    return (result.status, result.coverage, result.coverage_bound, result.kept,
            result.kept_bound, result.fit, result.fit_bound)  # fmt: skip


def test_warm_start_changes_nothing_but_the_start_on_the_city(
    city: tuple[Instance, list[tuple[str, str]]],
) -> None:
    instance, published = city
    placed = {c for c, _ in published}
    at_home = next(c.id for c in instance.candidates if c.id not in placed)
    for changes in (
        read_changes(INSTANCES / "city-changes.toml", instance, published),
        Changes(drop_out=(published[0][0],)),
        Changes(drop_out=(at_home,)),  # the published plan still breaks no rule
    ):
        warm = replan(instance, published, changes, QUICK)
        cold = replan(instance, published, changes, QUICK, warm_start=False)
        assert outcome_figures(warm) == outcome_figures(cold)
        assert warm.result.status == OPTIMAL


@pytest.mark.parametrize("seed", range(30))
def test_warm_start_changes_nothing_but_the_start_on_random_changes(seed: int) -> None:
    case = random_changes(seed)
    if case is None:
        pytest.skip("the random instance has no plan to re-plan")
    instance, published, changes = case
    warm = replan(instance, published, changes, QUICK)
    cold = replan(instance, published, changes, QUICK, warm_start=False)
    assert outcome_figures(warm) == outcome_figures(cold)
    if warm.result.has_plan:
        assert check_plan(warm.instance, warm.plan).ok


def test_a_published_plan_that_still_holds_is_the_first_plan() -> None:
    """Without the LP it is the only plan in hand when CP-SAT starts: the search's floor."""
    instance = read_instance(INSTANCES / "tiny")
    published = published_plan(instance)  # C1→P1, C5→P2 (instances/tiny/README.md)
    at_home = next(c.id for c in instance.candidates if c.id not in dict(published))
    params = SolveParams(time_limit=20, use_lp=False)
    for warm_start, expected in ((True, len(published)), (False, None)):
        events: list[ProgressEvent] = []
        replan(instance, published, Changes(drop_out=(at_home,)), params,
               progress=events.append, warm_start=warm_start)  # fmt: skip
        first_search = next(event for event in events if event.phase == CPSAT)
        assert first_search.kept == expected


# ---------------------------------------------------------------------- the command


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture
def tiny_plan(tmp_path: Path) -> Path:
    out = tmp_path / "published"
    assert run("solve", str(INSTANCES / "tiny"), "--out", str(out))[0] == 0
    return out


def test_replan_command_writes_a_checked_plan_with_changes(tiny_plan: Path, tmp_path: Path) -> None:
    changes = tmp_path / "changes.toml"
    changes.write_text('drop_out = ["C1"]\n', encoding="utf-8")
    out = tmp_path / "new"
    code, text = run(
        "replan", str(INSTANCES / "tiny"), str(tiny_plan), "--changes", str(changes),
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, text
    assert "kept 1 of 2, moved 0, newly placed 1" in text and "unfilled seats 2 of 4" in text
    assert "the fewest possible" in text
    table = pd.read_csv(out / "changes.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    rows = {row.candidate_id: row for row in table.itertuples()}
    assert (rows["C1"].before_post_id, rows["C1"].after_post_id) == ("P1", "")
    assert rows["C1"].change == "dropped_out"
    # C3 could not go while C1 used D1's only place (max_send 1): the reason says so
    assert rows["C3"].change == "newly_placed"
    assert "D1" in rows["C3"].reason and "C1" in rows["C3"].reason
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal"
    assert summary["replan"]["kept"] == summary["replan"]["kept_bound"] == 1
    # the changed instance is written beside the plan: check and explain read them together
    written = read_instance(out / "instance")
    changed = apply_changes(read_instance(INSTANCES / "tiny"), Changes(drop_out=("C1",)))
    assert written.candidates == changed.candidates and written.rules == changed.rules
    assert run("check", str(out / "instance"), str(out))[0] == 0
    code, text = run("explain", str(out / "instance"), str(out), "--cadre", "C3")
    assert code == 0 and "placed at P3" in text
    assert {"assignments.csv", "unassigned.csv", "alternates.csv"} <= {
        p.name for p in out.iterdir()
    }
    code, text = run(
        "replan", str(INSTANCES / "tiny"), str(tiny_plan), "--changes", str(changes),
        "--out", str(tmp_path / "zh"), "--lang", "zh",
    )  # fmt: skip
    assert code == 0 and "保留原安排 1/2 人" in text
    zh = pd.read_csv(tmp_path / "zh" / "changes.csv", encoding="utf-8-sig")
    assert {"干部编号", "原因"} <= set(zh.columns) and "退出" in set(zh["变动"])


def test_published_plan_naming_a_cadre_no_longer_there_is_accepted(
    tiny_plan: Path, tmp_path: Path
) -> None:
    # the planner's own copy of the plan: only the two required columns, and a cadre
    # the instance no longer has
    (tiny_plan / "assignments.csv").write_text(
        "candidate_id,post_id\nC1,P1\nC5,P2\nC99,P3\n", encoding="utf-8"
    )
    changes = tmp_path / "changes.toml"
    changes.write_text("", encoding="utf-8")
    out = tmp_path / "new"
    code, text = run(
        "replan", str(INSTANCES / "tiny"), str(tiny_plan), "--changes", str(changes),
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, text
    assert "kept 2 of 3" in text
    table = pd.read_csv(out / "changes.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    (row,) = table.itertuples()
    assert (row.candidate_id, row.reason) == ("C99", "no longer in the instance")


def test_added_cadre_is_read_like_a_csv_row_and_placed(tiny_plan: Path, tmp_path: Path) -> None:
    changes = tmp_path / "changes.toml"
    changes.write_text(
        """
close_posts = ["P3"]

[[add_posts]]
id = "P4"
kind = "upward"
unit = "省委组织部"
region = "省会"
ranks = ["general"]

[[add_candidates]]
"编号" = "C6"
"姓名" = "周新"
department = "D2"
"职级" = "一般干部"
age = 31
education = "本科"
birthplace = "外市"
home_region = "白水县"
party_member = "是"
""",
        encoding="utf-8",
    )
    out = tmp_path / "new"
    code, text = run(
        "replan", str(INSTANCES / "tiny"), str(tiny_plan), "--changes", str(changes),
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, text
    table = pd.read_csv(out / "changes.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    rows = {row.candidate_id: row for row in table.itertuples()}
    assert "kept 2 of 2" in text
    assert rows["C6"].change == "newly_placed"
    assert rows["C6"].reason.startswith("added cadre")
    assert run("check", str(out / "instance"), str(out))[0] == 0  # P4 and C6 are in it


BAD_CHANGES = [
    ('drop_out = "C1"\n', "changes.toml, key drop_out: input should be a valid list"),
    ('dropout = ["C1"]\n', "changes.toml, key dropout: is not a known key"),
    ('drop_out = ["C1", "C77"]\n', 'changes.toml, key drop_out #2: "C77" is not a cadre'),
    ('close_posts = ["P1", "P1"]\n', 'changes.toml, key close_posts #2: "P1" is given twice'),
    ("drop_out = [\n", "changes.toml: is not valid TOML"),
    (
        '[[add_candidates]]\nid = "C7"\ndepartment = "D1"\nrank = "section"\nage = "abc"\n'
        'education = "bachelor"\nbirthplace = "X"\nhome_region = "X"\n',
        'changes.toml, add_candidates #1 (id C7), key age: "abc" is not a whole number',
    ),
    (
        '[[add_candidates]]\nid = "C2"\ndepartment = "D1"\nrank = "section"\nage = 30\n'
        'education = "bachelor"\nbirthplace = "X"\nhome_region = "X"\n',
        'changes.toml, add_candidates #1 (id C2), key id: "C2" is already a cadre',
    ),
    (
        '[[add_candidates]]\nid = "C7"\ndepartment = "D9"\nrank = "section"\nage = 30\n'
        'education = "bachelor"\nbirthplace = "X"\nhome_region = "X"\n',
        'changes.toml, add_candidates #1 (id C7), key department: "D9" is not a department',
    ),
    (
        '[[add_posts]]\nid = "P9"\nkind = "grassroots"\nunit = "U"\nregion = "R"\nsets = 2\n',
        "changes.toml, add_posts, key sets: is not a known key",
    ),
    (
        '[[add_posts]]\nid = "P9"\nkind = "grassroots"\nunit = "U"\n',
        "changes.toml, add_posts, key region: is missing",
    ),
    (
        '[[add_posts]]\nid = "P9"\nkind = "grassroots"\nunit = "U"\nregion = "R"\n'
        "seats = {a = 1}\n",
        "changes.toml, add_posts #1, key seats: must be text, a number",
    ),
]


@pytest.mark.parametrize(("content", "expected"), BAD_CHANGES)
def test_bad_changes_file_exits_2_naming_the_key(
    tiny_plan: Path, tmp_path: Path, content: str, expected: str
) -> None:
    changes = tmp_path / "changes.toml"
    changes.write_text(content, encoding="utf-8")
    code, text = run(
        "replan", str(INSTANCES / "tiny"), str(tiny_plan), "--changes", str(changes),
        "--out", str(tmp_path / "new"),
    )  # fmt: skip
    assert code == 2, text
    assert expected in text
    assert len(text.strip().splitlines()) == 1 and "Traceback" not in text
    assert not (tmp_path / "new").exists()


def test_read_changes_reports_every_problem_at_once(tmp_path: Path) -> None:
    instance = read_instance(INSTANCES / "tiny")
    changes = tmp_path / "changes.toml"
    changes.write_text(
        'drop_out = ["C77"]\nclose_posts = ["P99"]\n\n[[add_posts]]\nid = "P1"\nkind = "x"\n'
        'unit = "U"\nregion = "R"\n',
        encoding="utf-8",
    )
    with pytest.raises(ChangesError) as caught:
        read_changes(changes, instance)
    keys = [problem.split(":")[0] for problem in caught.value.problems]
    assert keys == [
        "changes.toml, key drop_out #1",
        "changes.toml, key close_posts #1",
        "changes.toml, add_posts #1 (id P1), key kind",
    ]


def test_changes_no_plan_can_meet_exit_3_naming_the_rule(tiny_plan: Path, tmp_path: Path) -> None:
    # a new cadre who must be placed (12 years in post) but has a disciplinary record
    changes = tmp_path / "changes.toml"
    changes.write_text(
        '[[add_candidates]]\nid = "C8"\ndepartment = "D2"\nrank = "section"\nage = 35\n'
        'education = "master"\nbirthplace = "外市"\nhome_region = "外市"\ndisciplinary = true\n'
        "years_in_post = 12\n",
        encoding="utf-8",
    )
    code, text = run(
        "replan", str(INSTANCES / "tiny"), str(tiny_plan), "--changes", str(changes),
        "--out", str(tmp_path / "new"),
    )  # fmt: skip
    assert code == 3, text
    assert "must place" in text and "C8" in text
    assert not (tmp_path / "new").exists()


def test_replan_in_chinese_says_where_it_wrote_and_how_to_check(
    tiny_plan: Path, tmp_path: Path
) -> None:
    changes = tmp_path / "changes.toml"
    changes.write_text('drop_out = ["C1"]\n', encoding="utf-8")
    out = tmp_path / "new"
    code, text = run(
        "replan", str(INSTANCES / "tiny"), str(tiny_plan), "--changes", str(changes),
        "--out", str(out), "--lang", "zh",
    )  # fmt: skip
    assert code == 0, text
    assert "保留原安排 1/2 人" in text
    check = f"matcher check {out / 'instance'} {out}"
    assert f"已写入 {out}（变动见 changes.csv）；核对新安排：{check}" in text


# ---------------------------------------------------------------------- format v1.1
# instances/tiny-v11 (README there): G1 = P2 + P3 needs a party member once it has any
# member and takes at most one cadre per department; C2 (41) is eligible through her
# documented exception to the section-level age cap.

TINY_V11 = INSTANCES / "tiny-v11"


def test_v11_drop_out_keeps_rule_7_and_says_which_group_limit_sent_a_cadre_home() -> None:
    # published: C3 -> P3 (D1, party), C5 -> P2 (D2): G1 holds, coverage 2. C3 drops out:
    # C1 may now go (D1's quota freed) and takes P1; G1 needs a party member of D2, so C2
    # (through her exception) takes P2, and C5 (also D2) must go home.
    instance = read_instance(TINY_V11)
    published = [("C3", "P3"), ("C5", "P2")]
    assert check_plan(instance, published).ok
    outcome = replan(instance, published, Changes(drop_out=("C3",)), QUICK)
    changed = apply_changes(instance, Changes(drop_out=("C3",)))
    report = check_plan(changed, outcome.plan)
    assert report.ok and sorted(outcome.plan) == [("C1", "P1"), ("C2", "P2")]
    assert (report.coverage, 0, report.fit) == best_by_enumeration(changed, published)
    assert report.exceptions_by_assignment == {("C2", "P2"): ("age_cap",)}
    moves = {move.candidate_id: move for move in describe_moves(outcome)}
    assert moves["C5"].change == "sent_home"
    assert moves["C5"].reason == (
        "to keep group G1 (市直挂职工作组)'s rule 7 limit (at most 1 members from department D2)"
    )
    zh = {move.candidate_id: move.reason for move in describe_moves(outcome, "zh")}
    assert zh["C5"] == "以满足工作组G1（市直挂职工作组）同一单位至多1人（D2）"


def test_v11_move_needed_by_a_party_minimum_is_explained_by_it() -> None:
    # without the exception, C5 -> P2 kept alone would leave G1 with no party member:
    # C1 (D1, party) joins P2 to keep it (kept 1) rather than take P1 (kept 0)
    instance = read_instance(TINY_V11).model_copy(update={"exceptions": ()})
    published = [("C3", "P3"), ("C5", "P2")]
    outcome = replan(instance, published, Changes(drop_out=("C3",)), QUICK)
    changed = apply_changes(instance, Changes(drop_out=("C3",)))
    report = check_plan(changed, outcome.plan)
    assert report.ok and sorted(outcome.plan) == [("C1", "P2"), ("C5", "P2")]
    assert (report.coverage, 1, report.fit) == best_by_enumeration(changed, published)
    moves = {move.candidate_id: move for move in describe_moves(outcome)}
    assert set(moves) == {"C3", "C1"} and moves["C1"].change == NEWLY_PLACED
    reason = moves["C1"].reason
    assert reason.endswith(
        "to keep group G1 (市直挂职工作组)'s rule 7 limit"
        " (needs 1 party members once it has any member)"
    )
    assert "lifted by C3 李强 (dropped out)" in reason
    zh = {move.candidate_id: move.reason for move in describe_moves(outcome, "zh")}
    assert zh["C1"].endswith("以满足工作组G1（市直挂职工作组）一旦有成员，须有党员至少1人")


def test_v11_replan_command_keeps_groups_and_exceptions_in_the_written_instance(
    tmp_path: Path,
) -> None:
    published = tmp_path / "published"
    assert run("solve", str(TINY_V11), "--out", str(published))[0] == 0
    changes = tmp_path / "changes.toml"
    changes.write_text('close_posts = ["P2"]\n', encoding="utf-8")
    out = tmp_path / "new"
    code, text = run(
        "replan", str(TINY_V11), str(published), "--changes", str(changes), "--out", str(out)
    )
    assert code == 0, text
    # C2 moves to P3, still in G1 and still through her exception; C1 keeps P1
    table = pd.read_csv(out / "assignments.csv", encoding="utf-8-sig", dtype=str,
                        keep_default_na=False)  # fmt: skip
    assert sorted(zip(table.candidate_id, table.post_id, table.exceptions, strict=True)) == [
        ("C1", "P1", ""), ("C2", "P3", "age_cap")
    ]  # fmt: skip
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["exceptions_used"] == 1 and summary["replan"]["kept"] == 1
    written = read_instance(out / "instance")
    assert [g.id for g in written.groups] == ["G1"] and len(written.exceptions) == 1
    assert run("check", str(out / "instance"), str(out))[0] == 0
    code, text = run("explain", str(out / "instance"), str(out), "--group", "G1")
    assert code == 0 and "C2 王芳" in text
    moves = pd.read_csv(out / "changes.csv", encoding="utf-8-sig", dtype=str)
    assert list(moves.candidate_id) == ["C2"] and list(moves.change) == ["post_closed"]


def test_v11_dropping_a_cadre_drops_their_exceptions() -> None:
    changed = apply_changes(read_instance(TINY_V11), Changes(drop_out=("C2",)))
    assert changed.exceptions == () and [g.id for g in changed.groups] == ["G1"]


def test_a_seat_a_party_minimum_closes_is_not_offered_as_free() -> None:
    # A (not a party member) holds P; P closes. A's only other post, Q, is in group G
    # that needs a party member once it has any member: A alone there would break it,
    # so A is not placed, and the reason must not claim a post could still take them.
    instance = Instance(
        candidates=(cadre("A", 90),),
        posts=(post("P"), post("Q", groups=("G",))),
        groups=(Group(id="G", min_party_members=1),),
    )
    outcome = replan(instance, [("A", "P")], Changes(close_posts=("P",)), QUICK)
    assert outcome.plan == [] and outcome.result.status == OPTIMAL
    (move,) = describe_moves(outcome)
    assert move.change == "post_closed"
    assert move.reason.endswith(
        "not placed elsewhere: none of their 1 other eligible posts has a seat they could"
        " take without breaking a rule"
    )


@pytest.mark.parametrize("seed", [s for s in range(30) if s % 3 != 2][:12])
def test_restricted_replan_gives_a_plan_with_bounds_that_hold_over_all_pairs(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # above 20M cells a re-plan never lists every pair: its model holds the published
    # pairs, the LP's columns and the changed cadres' pairs; its plan must keep every
    # rule and its bounds must hold for the optimum over ALL pairs (found listed here)
    from matcher.solve import pipeline

    found = random_changes(seed)
    if found is None:
        pytest.skip("no changes for this seed")
    instance, published, changes = found
    listed = replan(instance, published, changes, QUICK)
    monkeypatch.setattr(pipeline, "IMPLICIT_ABOVE_CELLS", 0)
    restricted = replan(instance, published, changes, QUICK)
    assert restricted.prepared.universe is not None  # the restricted path ran
    assert listed.prepared.universe is None
    result, best = restricted.result, listed.result
    assert best.status == OPTIMAL and result.has_plan
    assert check_plan(restricted.instance, restricted.plan).ok
    assert result.coverage <= best.coverage <= result.coverage_bound
    if result.coverage == best.coverage:
        assert result.kept <= best.kept <= result.kept_bound
    if (result.coverage, result.kept) == (best.coverage, best.kept):
        assert result.fit <= best.fit <= result.fit_bound
    if result.status == OPTIMAL:  # only when the bound over all pairs is reached
        assert (result.coverage, result.kept, result.fit) == (best.coverage, best.kept, best.fit)
    describe_moves(restricted)  # every move explained from the restricted model


def test_restricted_infeasible_is_never_reported_as_the_problems() -> None:
    # a restricted model's "the rules cannot hold" is about its pairs only (exit 3 would
    # tell the planner their rules conflict): it becomes "unknown" (exit 4)
    from matcher.planning.replan import _honest
    from matcher.solve.pipeline import INFEASIBLE, UNKNOWN, Result

    instance = random_instance(1, num_candidates=5, num_posts=3)
    model = prepare(instance, implicit_pairs=True)
    infeasible = Result(INFEASIBLE, (), 0, 0, Fraction(0), Fraction(0), 0.0, {})
    assert _honest(infeasible, model, 0).status == UNKNOWN
