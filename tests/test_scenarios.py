"""What-if scenarios: parsing, every rejection, each override kind, changes, engines.

Most tests use ``instances/tiny``, whose optimum is derived by hand in its
README: C1→P1 and C5→P2 (coverage 3, fit 290). D1 sends at most one cadre, so
C1 and C3 are never both placed; P1 (team T1) can only go to the local C1;
C3→P3 fits 150, C3→P2 145, C1→P2 145.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from matcher.check.checker import check_plan
from matcher.cli.commands import main
from matcher.instance import Education, Instance, Rank
from matcher.io.reader import read_instance
from matcher.planning.scenarios import (
    BASE,
    ScenarioError,
    instance_tables,
    load_scenarios,
    write_variant_instance,
)
from matcher.planning.sweep import COMPARISON_CSV, Job, finished_text, run_jobs
from matcher.solve.pipeline import SolveParams, solve
from matcher.synthetic.generate import DEFAULT_RULES_TOML, generate_tables, write_instance

TINY = Path(__file__).parent.parent / "instances" / "tiny"
REPO = Path(__file__).parent.parent
CITY_SCENARIOS = REPO / "instances" / "city-scenarios.toml"


def scenario_file(tmp_path: Path, body: str, base: Path = TINY) -> Path:
    path = tmp_path / "scenarios.toml"
    path.write_text(f'base = "{base.as_posix()}"\n{body}', encoding="utf-8")
    return path


def variant(tmp_path: Path, body: str, name: str = "v") -> Instance:
    """The instance of the single variant ``name`` of a scenario file on tiny."""
    loaded = load_scenarios(scenario_file(tmp_path, f"[variants.{name}]\n{body}"))
    return {v.name: v.instance for v in loaded.variants}[name]


def plan_of(instance: Instance) -> set[tuple[str, str]]:
    """The optimal plan by ids, checked by the independent checker."""
    result = solve(instance, SolveParams(time_limit=5))
    assert result.status == "optimal"
    plan = [(instance.candidates[c].id, instance.posts[p].id) for c, p in result.assignments]
    assert check_plan(instance, plan).ok
    return set(plan)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


# ----------------------------------------------------------------------------------------
# Parsing and applying each override kind


def test_base_is_unchanged_and_solves_to_the_hand_optimum(tmp_path: Path) -> None:
    loaded = load_scenarios(scenario_file(tmp_path, '[variants.v]\nrules.local_ratio = "1/2"'))
    assert [v.name for v in loaded.variants] == [BASE, "v"]
    base = loaded.variants[0].instance
    assert base.model_dump(exclude={"name", "warnings"}) == read_instance(TINY).model_dump(
        exclude={"name", "warnings"}
    )
    assert plan_of(base) == {("C1", "P1"), ("C5", "P2")}


def test_rules_and_weights_merge_into_the_base_rules(tmp_path: Path) -> None:
    instance = variant(
        tmp_path,
        'rules.local_ratio = "1/2"\nrules.min_education = "本科"\nrules.age_caps.section = 42\n'
        'rules.weights.development = 50\nrules.weights.party = 0.5\nrules.require_willing = "是"',
    )
    rules = instance.rules
    assert rules.local_ratio == Fraction(1, 2)
    assert rules.min_education == Education.BACHELOR
    assert rules.age_caps == {Rank.COUNTY: 45, Rank.SECTION: 42, Rank.GENERAL: 35}
    assert rules.weights.development == 50 and rules.weights.party == Fraction(1, 2)
    assert rules.weights.score == 1  # untouched weights keep the base's
    assert rules.require_willing is True


def test_weights_change_the_fit_but_not_the_plan(tmp_path: Path) -> None:
    # Both C1→P1 and C5→P2 are new experience for the cadre: fit 290 + 2·(50 − 30) = 330.
    instance = variant(tmp_path, "rules.weights.development = 50")
    result = solve(instance, SolveParams(time_limit=5))
    assert result.coverage == 3 and result.fit == 330


def test_higher_age_cap_makes_c2_eligible(tmp_path: Path) -> None:
    # C2 is 41 at section level (cap 40): no post in the base; with a cap of 41 C2 may go.
    instance = variant(tmp_path, "rules.age_caps.section = 41")
    assert instance.rules.age_caps[Rank.SECTION] == 41
    assert "C2" in {cand for cand, _ in plan_of(instance)}


def test_post_priority_changes_which_seat_is_filled(tmp_path: Path) -> None:
    # P3 at priority 5: C3→P3 (5) + C5→P2 (1) = 6 beats C1→P1 (2) + C5→P2 (1) = 3.
    instance = variant(tmp_path, "posts.P3 = { priority = 5 }\nposts.P2.seats = 1")
    posts = {p.id: p for p in instance.posts}
    assert posts["P3"].priority == 5 and posts["P2"].seats == 1
    assert plan_of(instance) == {("C3", "P3"), ("C5", "P2")}


def test_department_quota_override(tmp_path: Path) -> None:
    # D1 no longer capped at one: C3 joins C1; C3→P3 (150) beats C3→P2 (145).
    instance = variant(tmp_path, 'departments.D1 = { max_send = "unlimited", min_send = 2 }')
    d1 = {d.id: d for d in instance.departments}["D1"]
    assert (d1.min_send, d1.max_send) == (2, None)
    assert plan_of(instance) == {("C1", "P1"), ("C3", "P3"), ("C5", "P2")}


def test_team_ratio_override(tmp_path: Path) -> None:
    instance = variant(tmp_path, 'teams.T1.min_local_ratio = "60%"')
    assert instance.teams[0].min_local_ratio == Fraction(3, 5)
    # T1 starts at 1 local of 3, below 3/5, and the best repair (C1 in: 2 of 4) is not enough.
    result = solve(instance, SolveParams(time_limit=5))
    assert result.status == "infeasible"
    assert any("T1" in conflict.subject for conflict in result.conflicts)


def test_removals_drop_rows_and_their_affinities(tmp_path: Path) -> None:
    instance = variant(tmp_path, 'remove.candidates = ["C1", "C5"]\nremove.posts = "P3"')
    assert [c.id for c in instance.candidates] == ["C2", "C3", "C4"]
    assert [p.id for p in instance.posts] == ["P1", "P2"]
    assert instance.affinities == ()  # C5→P2 went with C5
    assert plan_of(instance) == {("C3", "P2")}


def test_added_rows_use_the_csv_columns_and_aliases(tmp_path: Path) -> None:
    body = """
[[variants.v.add.candidates]]
id = "C6"
"姓名" = "周敏"
department = "D2"
"职级" = "乡科级"
age = 36
education = "硕士"
birthplace = "外市"
home_region = "青山县"
party_member = "是"
preferences = ["P1"]

[[variants.v.add.posts]]
id = "P4"
kind = "下挂"
unit = "白水县某镇"
region = "白水县"
seats = 2
ranks = "section;county"
"""
    instance = variant(tmp_path, body)
    added = instance.candidates[-1]
    assert (added.id, added.name, added.rank, added.party_member) == ("C6", "周敏", "section", True)
    assert added.preferences == ("P1",)
    post = instance.posts[-1]
    assert (post.id, post.kind, post.seats, post.ranks) == (
        "P4",
        "grassroots",
        2,
        ("section", "county"),
    )
    # C6 is local to 青山县 and may take P1 in C1's place, freeing D1's quota for C3:
    # coverage 2 (P1) + 1 (P2) + P3/P4 seats for C3.
    assert ("C6", "P1") in plan_of(instance)


def test_must_pin_restricts_the_cadre_and_makes_them_must_place(tmp_path: Path) -> None:
    # C3 must go to P2: D1 has then used its one send, so C1 stays home and P1 is empty.
    instance = variant(tmp_path, 'pins.must = { C3 = "P2" }')
    forbidden = {(a.candidate_id, a.post_id) for a in instance.affinities if a.forbid}
    assert forbidden == {("C3", "P1"), ("C3", "P3")}
    c3 = {c.id: c for c in instance.candidates}["C3"]
    assert c3.years_in_post >= instance.rules.must_place_years > 0
    assert plan_of(instance) == {("C3", "P2"), ("C5", "P2")}


def test_must_pin_with_must_place_off_marks_only_the_pinned(tmp_path: Path) -> None:
    instance = variant(tmp_path, 'rules.must_place_years = 0\npins.must = { C5 = "P2" }')
    threshold = instance.rules.must_place_years
    years = {c.id: c.years_in_post for c in instance.candidates}
    assert threshold > 0 and years["C5"] >= threshold
    assert all(y < threshold for cand, y in years.items() if cand != "C5")


def test_never_pin_keeps_the_pairs_bonus_and_moves_the_cadre(tmp_path: Path) -> None:
    instance = variant(tmp_path, 'pins.never = { C5 = ["P2"], C1 = "P1" }')
    pairs = {(a.candidate_id, a.post_id): a for a in instance.affinities}
    assert pairs[("C5", "P2")].forbid and pairs[("C5", "P2")].bonus == 10
    assert pairs[("C1", "P1")].forbid
    plan = plan_of(instance)
    assert ("C5", "P2") not in plan and ("C1", "P1") not in plan


def test_a_pin_the_rules_cannot_honour_makes_the_variant_infeasible(tmp_path: Path) -> None:
    # C5 is not local to 青山县: posting C5 to P1 would leave team T1 at 1 local of 4.
    instance = variant(tmp_path, 'pins.must = { C5 = "P1" }')
    result = solve(instance, SolveParams(time_limit=5))
    assert result.status == "infeasible"
    assert {conflict.family for conflict in result.conflicts} >= {"must place"}


def test_variant_instance_round_trips_through_format_v1(tmp_path: Path) -> None:
    tables = generate_tables(12, 5, 7)
    write_instance(tables, tmp_path / "gen", DEFAULT_RULES_TOML)
    original = read_instance(tmp_path / "gen")
    original = original.model_copy(
        update={"rules": original.rules.model_copy(update={"local_ratio": Fraction(2, 5)})}
    )
    write_variant_instance(original, tmp_path / "copy")
    copy = read_instance(tmp_path / "copy")
    assert copy.model_dump(exclude={"name", "warnings"}) == original.model_dump(
        exclude={"name", "warnings"}
    )
    assert set(instance_tables(original)) <= {
        "candidates", "posts", "teams", "departments", "affinities"
    }  # fmt: skip


# ----------------------------------------------------------------------------------------
# Rejections: one line naming the file, the variant and the key


REJECTIONS = [
    (
        '[variants.tight-quota]\ndepartments.D1.min_send = "two"',
        'scenarios.toml: variant "tight-quota": departments.D1.min_send:'
        ' expected an integer ≥ 0, got "two"',
    ),
    (
        "[variants.v]\ndepartments.D9.min_send = 1",
        'scenarios.toml: variant "v": departments.D9: unknown id "D9":'
        " not a department of the base",
    ),
    (
        "[variants.v]\nposts.P9.seats = 2",
        'scenarios.toml: variant "v": posts.P9: unknown id "P9": not a post of this variant',
    ),
    (
        '[variants.v]\nremove.posts = ["P2"]\nposts.P2.seats = 2',
        'scenarios.toml: variant "v": posts.P2: unknown id "P2": not a post of this variant',
    ),
    (
        "[variants.v]\nteams.T9.min_local_ratio = 0.5",
        'scenarios.toml: variant "v": teams.T9: unknown id "T9": not a team of the base',
    ),
    (
        "[variants.v]\nposts.P1.seatz = 2",
        'scenarios.toml: variant "v": posts.P1.seatz: unknown key; use one of seats, priority',
    ),
    (
        "[variants.v]\ncolour = 1",
        'scenarios.toml: variant "v": colour: unknown key; use one of description, rules, posts,'
        " departments, teams, groups, remove, add, pins",
    ),
    (
        "[variants.v]\nrules.local_ratio = 2",
        'scenarios.toml: variant "v": rules.local_ratio: expected a ratio between 0 and 1 such as'
        ' "1/2", 0.5 or "50%", got 2',
    ),
    (
        '[variants.v]\nrules.weights.score = "high"',
        'scenarios.toml: variant "v": rules.weights.score: expected a number such as 30, 2.5 or'
        ' "1/3", got "high"',
    ),
    (
        "[variants.v]\nrules.age_caps.county = 99",
        'scenarios.toml: variant "v": rules.age_caps.county: expected an integer between 16 and'
        " 80, got 99",
    ),
    (
        "[variants.v]\nrules.veto_disciplinary = 3",
        'scenarios.toml: variant "v": rules.veto_disciplinary: expected true or false, got 3',
    ),
    (
        "[variants.v]\ndepartments.D1 = { min_send = 3, max_send = 2 }",
        'scenarios.toml: variant "v": departments.D1: min_send (3) exceeds max_send (2)',
    ),
    (
        "[variants.v]\nposts = 3",
        'scenarios.toml: variant "v": posts: expected a table, got 3',
    ),
    (
        '[variants.v]\nremove.candidates = ["C9"]',
        'scenarios.toml: variant "v": remove.candidates: "C9" is not a cadre of the base instance',
    ),
    (
        '[variants.v]\npins.must = { C1 = "P9" }',
        'scenarios.toml: variant "v": pins.must.C1: "P9" is not a post of this variant',
    ),
    (
        '[variants.v]\npins.must = { C9 = "P1" }',
        'scenarios.toml: variant "v": pins.must.C9: "C9" is not a cadre of this variant',
    ),
    (
        '[variants.v]\npins.must = { C1 = "P1" }\npins.never = { C1 = "P1" }',
        'scenarios.toml: variant "v": pins.never.C1: "P1" is also this cadre\'s pins.must post',
    ),
    (
        '[[variants.v.add.candidates]]\nid = "C1"\ndepartment = "D1"\nrank = "section"\n'
        'age = 30\neducation = "bachelor"\nbirthplace = "甲"\nhome_region = "乙"',
        'scenarios.toml: variant "v": add.candidates[0].id: "C1" is already an id of the instance',
    ),
    (
        '[[variants.v.add.candidates]]\nid = "C8"\ndepartment = "D1"\nrank = "section"\n'
        'age = 90\neducation = "bachelor"\nbirthplace = "甲"\nhome_region = "乙"',
        'scenarios.toml: variant "v": add.candidates[0].age: "90" is out of range: it must be'
        " between 16 and 80",
    ),
    (
        '[[variants.v.add.posts]]\nid = "P8"\nkind = "grassroots"\nunit = "U"\nregion = "R"\n'
        "colour = 1",
        'scenarios.toml: variant "v": add.posts[0].colour: unknown column; use one of id, name,'
        " kind, unit, region, team, seats, ranks, min_education, sensitive, new_experience_only,"
        " preferred_categories, priority, groups",
    ),
    (
        '[[variants.v.add.posts]]\nid = "P8"\nkind = "grassroots"\nunit = "U"\nregion = "R"\n'
        'team = "T9"',
        'scenarios.toml: variant "v": add.posts[0].team: "T9" is not a team of the base instance',
    ),
    (
        '[variants.base]\nrules.local_ratio = "1/2"',
        'scenarios.toml: variant "base": is not a usable variant name: "base" names the base'
        " instance",
    ),
    (
        '[variants."a/b"]\nrules.local_ratio = "1/2"',
        'scenarios.toml: variant "a/b": is not a usable variant name: use letters, digits, - and _'
        " (it becomes a folder name)",
    ),
    ("", "scenarios.toml: variants: is required"),
    ("variants = 3", "scenarios.toml: variants: expected a table, got 3"),
    ("[variants]", "scenarios.toml: variants: expected at least one variant"),
]


@pytest.mark.parametrize(("body", "message"), REJECTIONS)
def test_rejection_names_the_variant_and_key(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenarios(scenario_file(tmp_path, body))
    assert str(caught.value) == message


def test_invalid_toml_and_missing_base_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"^scenarios.toml: is not valid TOML \("):
        load_scenarios(scenario_file(tmp_path, '[variants.v]\nrules.local_ratio = "1/2'))
    with pytest.raises(ScenarioError, match=r'^scenarios.toml: base: "nowhere" does not exist'):
        load_scenarios(scenario_file(tmp_path, "[variants.v]", base=Path("nowhere")))


def test_cli_rejects_with_exit_2_one_line_and_writes_nothing(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, '[variants.tight-quota]\ndepartments.D1.min_send = "two"')
    out = tmp_path / "out"
    code, stdout, stderr = run("scenarios", str(path), "--out", str(out))
    assert code == 2
    assert stderr.strip().splitlines() == [
        'scenarios.toml: variant "tight-quota": departments.D1.min_send:'
        ' expected an integer ≥ 0, got "two"'
    ]
    assert "Traceback" not in stdout + stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [path]


# ----------------------------------------------------------------------------------------
# Format v1.1: group limits and documented exceptions (instances/tiny-v11, README there)

TINY_V11 = REPO / "instances" / "tiny-v11"


def v11_variants(tmp_path: Path, body: str) -> dict[str, Instance]:
    loaded = load_scenarios(scenario_file(tmp_path, body, base=TINY_V11))
    return {v.name: v.instance for v in loaded.variants}


def test_v11_base_keeps_its_groups_and_exceptions(tmp_path: Path) -> None:
    # the variant is written in the format and read back: groups.csv and exceptions.csv too
    base = v11_variants(tmp_path, '[variants.v]\nrules.local_ratio = "1/3"')[BASE]
    assert [(g.id, g.min_party_members, g.max_per_department) for g in base.groups] == [
        ("G1", 1, 1)
    ]
    assert [(e.candidate_id, e.rule.value) for e in base.exceptions] == [("C2", "age_cap")]
    assert plan_of(base) == {("C1", "P1"), ("C2", "P2")}  # the README's optimum


def test_group_limit_overrides_change_the_plan(tmp_path: Path) -> None:
    variants = v11_variants(
        tmp_path,
        "[variants.party2]\ngroups.G1.min_party_members = 2\n"
        '[variants.open]\ngroups.G1 = { max_per_department = "unlimited",'
        " min_party_members = 0, max_members = 3 }\n",
    )
    party2, opened = variants["party2"], variants["open"]
    assert party2.groups[0].min_party_members == 2 and party2.groups[0].max_per_department == 1
    # G1 needs two party members: C2 (D2) and C3 (D1), so C1 cannot also be placed
    assert plan_of(party2) == {("C2", "P2"), ("C3", "P3")}
    assert (opened.groups[0].max_per_department, opened.groups[0].max_members) == (None, 3)
    # without the group's limits C5 joins C2 on P2 (README: coverage 4, fit 465)
    assert plan_of(opened) == {("C1", "P1"), ("C2", "P2"), ("C5", "P2")}


def test_exceptions_are_withdrawn_and_added(tmp_path: Path) -> None:
    variants = v11_variants(
        tmp_path,
        '[variants.strict]\nremove.exceptions = { C2 = "年龄" }\n'
        "[[variants.strict.add.exceptions]]\n"
        'candidate_id = "C5"\n"规则" = "学历"\n"原因" = "特殊专长"\n'
        '[variants.gone]\nremove.candidates = ["C2"]\n',
    )
    strict = variants["strict"]
    assert [(e.candidate_id, e.rule.value, e.reason) for e in strict.exceptions] == [
        ("C5", "min_education", "特殊专长")
    ]
    # C2 over her age cap again: C3 (D1 party) and C5 fill G1 (README: fit 305)
    assert plan_of(strict) == {("C3", "P3"), ("C5", "P2")}
    assert variants["gone"].exceptions == ()  # a removed cadre's exceptions go with them


V11_REJECTIONS = [
    (
        '[variants.v]\ngroups.G1.min_party_members = "three"',
        'scenarios.toml: variant "v": groups.G1.min_party_members:'
        ' expected an integer ≥ 0, got "three"',
    ),
    (
        "[variants.v]\ngroups.G9.min_members = 1",
        'scenarios.toml: variant "v": groups.G9: unknown id "G9": not a group of the base',
    ),
    (
        "[variants.v]\ngroups.G1.leader = 1",
        'scenarios.toml: variant "v": groups.G1.leader: unknown key; use one of min_members,'
        " max_members, min_party_members, min_county_level, max_per_department",
    ),
    (
        "[variants.v]\ngroups.G1 = { min_members = 3, max_members = 2 }",
        'scenarios.toml: variant "v": groups.G1: min_members (3) exceeds max_members (2)',
    ),
    (
        '[variants.v]\nremove.exceptions = { C2 = "rank" }',
        'scenarios.toml: variant "v": remove.exceptions.C2: expected a rule or a list of rules'
        ' (age_cap (年龄), min_education (学历)), got "rank"',
    ),
    (
        '[variants.v]\nremove.exceptions = { C5 = "age_cap" }',
        'scenarios.toml: variant "v": remove.exceptions.C5: "C5" has no age_cap exception'
        " in the base",
    ),
    (
        '[[variants.v.add.exceptions]]\ncandidate_id = "C9"\nrule = "age_cap"\nreason = "x"',
        'scenarios.toml: variant "v": add.exceptions[0].candidate_id: "C9" is not a cadre'
        " of this variant",
    ),
    (
        '[[variants.v.add.exceptions]]\ncandidate_id = "C2"\nrule = "age_cap"\nreason = "x"',
        'scenarios.toml: variant "v": add.exceptions[0]: "C2" already has a age_cap exception',
    ),
]


@pytest.mark.parametrize(("body", "message"), V11_REJECTIONS)
def test_v11_rejection_names_the_variant_and_key(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenarios(scenario_file(tmp_path, body, base=TINY_V11))
    assert str(caught.value) == message


def test_added_exception_without_reason_is_rejected_naming_the_column(tmp_path: Path) -> None:
    body = '[[variants.v.add.exceptions]]\ncandidate_id = "C5"\nrule = "学历"\nreason = ""'
    with pytest.raises(ScenarioError, match=r'^scenarios.toml: variant "v": add.exceptions'):
        load_scenarios(scenario_file(tmp_path, body, base=TINY_V11))
    path = scenario_file(tmp_path, "[variants.v]\ngroups.G1.min_members = -1", base=TINY_V11)
    code, _, stderr = run("scenarios", str(path), "--out", str(tmp_path / "out"))
    assert code == 2 and "Traceback" not in stderr
    assert stderr.strip() == (
        'scenarios.toml: variant "v": groups.G1.min_members: expected an integer ≥ 0, got -1'
    )


def test_the_readme_v11_example_loads_from_the_top_folder(tmp_path: Path) -> None:
    """README, "Format v1.1": the scenario block on tiny-v11, as a planner would copy it."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Format v1.1") :]
    block = section[section.index('    base = "instances/tiny-v11"') :].split("\n\n")[0]
    (tmp_path / "instances").symlink_to(REPO / "instances")
    path = tmp_path / "whatif.toml"
    path.write_text("\n".join(line.removeprefix("    ") for line in block.splitlines()) + "\n",
                    encoding="utf-8")  # fmt: skip
    variant = {v.name: v.instance for v in load_scenarios(path).variants}["two-party"]
    assert (variant.groups[0].min_party_members, variant.groups[0].max_per_department) == (2, None)
    assert [(e.candidate_id, e.rule.value) for e in variant.exceptions] == [("C5", "min_education")]


# ----------------------------------------------------------------------------------------
# The sweep: folder layout, comparison, changes


CHANGES_TOML = """
[variants.p3-first]
description = "P3 matters most"
posts.P3.priority = 5

[variants.pin-c3]
pins.must = { C3 = "P2" }

[variants.no-c1]
remove.candidates = ["C1"]

[variants.c1-moves]
remove.posts = ["P3"]
pins.never = { C1 = "P1" }
rules.weights.preference = 2

[variants.impossible]
pins.must = { C5 = "P1" }
"""


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny sweep, solved once in this process for the tests that read its folder."""
    folder = tmp_path_factory.mktemp("sweep")
    path = scenario_file(folder, CHANGES_TOML)
    code, stdout, stderr = run(
        "scenarios", str(path), "--out", str(folder / "out"), "--workers-pool", "1",
        "--time-limit", "5",
    )  # fmt: skip
    assert code == 0, stdout + stderr
    return folder / "out"


def test_changes_csv_lists_each_cadre_change_against_the_base(sweep: Path) -> None:
    # p3-first: C3→P3 (priority 5) pushes C1 out (D1 sends one). pin-c3: likewise, C3 on P2.
    # no-c1: C1 removed, C3 takes D1's send to P3 (150 > 145 on P2). c1-moves: P3 gone and
    # C1 barred from P1; with preference weighing 2, C1→P2 (160) beats C3→P2 (145).
    changes = pd.read_csv(sweep / "changes.csv", dtype=str, keep_default_na=False,
                          encoding="utf-8-sig")  # fmt: skip
    rows = changes[["variant", "candidate_id", "change", "base_post", "variant_post", "note"]]
    assert rows.values.tolist() == [
        ["p3-first", "C1", "no_longer_placed", "P1", "", ""],
        ["p3-first", "C3", "newly_placed", "", "P3", ""],
        ["pin-c3", "C1", "no_longer_placed", "P1", "", ""],
        ["pin-c3", "C3", "newly_placed", "", "P2", ""],
        ["no-c1", "C1", "no_longer_placed", "P1", "", "removed by the variant"],
        ["no-c1", "C3", "newly_placed", "", "P3", ""],
        ["c1-moves", "C1", "moved", "P1", "P2", ""],
    ]
    assert changes["candidate_name"].tolist()[:2] == ["张伟", "李强"]


def test_comparison_has_one_row_per_variant_with_the_figures(sweep: Path) -> None:
    comparison = pd.read_csv(sweep / COMPARISON_CSV, dtype=str, keep_default_na=False,
                             encoding="utf-8-sig").set_index("variant")  # fmt: skip
    assert comparison.index.tolist() == [BASE, "p3-first", "pin-c3", "no-c1", "c1-moves",
                                         "impossible"]  # fmt: skip
    base = comparison.loc[BASE]
    assert (base["status"], base["coverage"], base["fit"], base["gap"]) == (
        "optimal",
        "3",
        "290",
        "0.0",
    )
    assert (base["seats_filled"], base["cadres_placed"]) == ("2", "2")
    assert (base["kind:grassroots"], base["kind:petition"], base["kind:upward"]) == ("1", "1", "0")
    assert (base["region:青山县"], base["region:白水县"]) == ("1", "1")
    assert (base["send:D1"], base["quota:D1"], base["send:D2"], base["quota:D2"]) == (
        "1", "0–1", "1", "≥0"
    )  # fmt: skip
    assert base["team:T1"] == "2 of 4 (min 1/3)"  # C1 (local) joins T1's 3 members
    p3 = comparison.loc["p3-first"]
    assert (p3["coverage"], p3["moved"], p3["newly_placed"], p3["no_longer_placed"]) == (
        "6", "0", "1", "1"
    )  # fmt: skip
    assert p3["description"] == "P3 matters most" and p3["team:T1"] == "1 of 3 (min 1/3)"
    impossible = comparison.loc["impossible"]
    assert impossible["status"] == "infeasible" and impossible["coverage"] == ""
    assert "rule 6 (must place): cadre C5" in impossible["note"]


def test_every_variant_folder_holds_a_v1_instance_and_a_checked_plan(sweep: Path) -> None:
    for name in (BASE, "p3-first", "pin-c3", "no-c1", "c1-moves"):
        instance = read_instance(sweep / name / "instance")
        assignments = pd.read_csv(sweep / name / "plan" / "assignments.csv", dtype=str,
                                  encoding="utf-8-sig")  # fmt: skip
        plan = list(zip(assignments["candidate_id"], assignments["post_id"], strict=True))
        assert plan and check_plan(instance, plan).ok
        summary = json.loads((sweep / name / "plan" / "summary.json").read_text("utf-8"))
        assert summary["status"] == "optimal" and summary["instance"] == name
        assert {"alternates.csv", "unassigned.csv"} <= {
            p.name for p in (sweep / name / "plan").iterdir()
        }
    assert not (sweep / "impossible" / "plan").exists()
    assert "rule 6" in (sweep / "impossible" / "why_no_plan.txt").read_text("utf-8")
    assert not [p for p in sweep.parent.iterdir() if p.name.startswith(".")]  # no staging left


def test_report_reads_the_sweep_folder(sweep: Path, tmp_path: Path) -> None:
    code, stdout, stderr = run("report", str(sweep), "--out", str(tmp_path / "r.html"))
    assert code == 0, stdout + stderr
    assert (tmp_path / "r.html").stat().st_size > 0


def test_plain_table_and_no_progress_when_not_a_terminal(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, '[variants.v]\nrules.local_ratio = "1/2"')
    code, stdout, _ = run("scenarios", str(path), "--out", str(tmp_path / "out"),
                          "--workers-pool", "1", "--time-limit", "5")  # fmt: skip
    assert code == 0
    lines = stdout.splitlines()
    header = ["variant", "status", "coverage", "fit", "gap", "seats", "moved", "new", "out"]
    assert lines[0].split() == header
    assert lines[1].split() == [BASE, "optimal", "3", "290", "0.00%", "2/4", "0", "0", "0"]
    assert not any(char in stdout for char in "━│┃╸\r\x1b")  # no box, bar or escape codes
    assert "moved, new, out: cadres moved, newly placed and no longer placed" in stdout


def test_out_folder_is_replaced_only_if_it_is_a_sweep(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, '[variants.v]\nrules.local_ratio = "1/2"')
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    code, _, stderr = run("scenarios", str(path), "--out", str(other), "--workers-pool", "1")
    assert code == 2 and "not a scenarios folder" in stderr
    assert [p.name for p in other.iterdir()] == ["keep.txt"]
    out = tmp_path / "out"
    for ratio in ("1/2", "2/5"):  # the second run replaces the first sweep whole
        path.write_text(path.read_text().replace("1/2", ratio), encoding="utf-8")
        assert run("scenarios", str(path), "--out", str(out), "--workers-pool", "1")[0] == 0
    assert 'local_ratio = "2/5"' in (out / "v" / "instance" / "rules.toml").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other", "out", "scenarios.toml"]


def test_the_shipped_city_example_parses(tmp_path: Path) -> None:
    loaded = load_scenarios(CITY_SCENARIOS)
    names = [v.name for v in loaded.variants]
    assert names == [BASE, "half-local", "petition-plus3", "construction-push"]
    by_name = {v.name: v.instance for v in loaded.variants}
    assert by_name["half-local"].rules.local_ratio == Fraction(1, 2)
    assert {p.id: p.seats for p in by_name["petition-plus3"].posts}["P00058"] == 6


def test_the_readme_example_loads_from_the_top_folder(tmp_path: Path) -> None:
    """The README's what-if example, copied into whatif.toml at the top of the checkout."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## What-if scenarios") :]
    block = section[section.index('    base = "') :].split("\n\n")[0]
    lines = [line.removeprefix("    ") for line in block.splitlines()]
    (tmp_path / "instances").symlink_to(REPO / "instances")
    path = tmp_path / "whatif.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load_scenarios(path)
    names = [v.name for v in loaded.variants]
    assert names == [BASE, "half-local", "petition-plus3", "more-development"]
    plus3 = {v.name: v.instance for v in loaded.variants}["petition-plus3"]
    assert "C09001" in {c.id for c in plus3.candidates}
    assert "C00017" not in {c.id for c in plus3.candidates}


# ----------------------------------------------------------------------------------------
# Engines: the local pool, this process and Dask give the same results


def test_pool_and_in_process_give_the_same_outcomes(tmp_path: Path) -> None:
    loaded = load_scenarios(scenario_file(tmp_path, CHANGES_TOML))
    jobs = [Job(v.name, v.instance, SolveParams(time_limit=5)) for v in loaded.variants]
    done: list[str] = []
    pooled = run_jobs(jobs, pool_size=2, on_done=lambda done_: done.append(finished_text(done_)))
    here = run_jobs(jobs, pool_size=1)
    assert sorted(line.split(":")[0] for line in done) == sorted(v.name for v in loaded.variants)
    assert all("gap" in line or "infeasible" in line for line in done), done
    assert [o.name for o in pooled] == [v.name for v in loaded.variants]  # in the file's order
    assert [(o.result.status, o.plan) for o in pooled] == [(o.result.status, o.plan) for o in here]


def test_dask_cluster_writes_the_same_sweep_as_the_local_pool(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    tables = generate_tables(12, 5, 11)  # matcher generate tiny-random
    write_instance(tables, tmp_path / "gen", DEFAULT_RULES_TOML)
    body = """
[variants.half-local]
rules.local_ratio = "1/2"
[variants.development]
rules.weights.development = 60
rules.must_place_years = 0
"""
    path = scenario_file(tmp_path, body, base=tmp_path / "gen")
    options = ["--time-limit", "5"]
    code, stdout, stderr = run("scenarios", str(path), "--out", str(tmp_path / "pool"),
                               "--workers-pool", "2", *options)  # fmt: skip
    assert code == 0, stdout + stderr
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp",
        host="127.0.0.1", dashboard_address=":0",
    ) as cluster:  # fmt: skip
        code, stdout, stderr = run("scenarios", str(path), "--out", str(tmp_path / "dask"),
                                   "--address", cluster.scheduler_address, *options)  # fmt: skip
    assert code == 0, stdout + stderr
    for name in (COMPARISON_CSV, "changes.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "pool" / name).read_bytes()
    for name in (BASE, "half-local", "development"):
        for table in ("assignments.csv", "alternates.csv"):
            dask_plan = (tmp_path / "dask" / name / "plan" / table).read_bytes()
            assert dask_plan == (tmp_path / "pool" / name / "plan" / table).read_bytes()


def test_unreachable_dask_scheduler_exits_2(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    from matcher.planning.sweep import SweepError

    loaded = load_scenarios(scenario_file(tmp_path, '[variants.v]\nrules.local_ratio = "1/2"'))
    jobs = [Job(v.name, v.instance, SolveParams(time_limit=5)) for v in loaded.variants]
    with pytest.raises(SweepError, match="Cannot reach the Dask scheduler") as caught:
        run_jobs(jobs, address="tcp://127.0.0.1:9", connect_seconds=1)
    assert caught.value.code == 2


def test_reading_and_preparing_count_against_each_variants_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # --time-limit runs from reading the input, as in solve: slow reading and a slow
    # prepare (simulated) leave each variant's solve only what is left
    import time

    from matcher.planning import sweep

    limits: list[float] = []
    real_load, real_prepare, real_solve = sweep.load_scenarios, sweep.prepare, sweep.solve

    def slow_load(path: Path) -> object:
        time.sleep(0.4)
        return real_load(path)

    def slow_prepare(instance: Instance) -> object:
        time.sleep(0.3)
        return real_prepare(instance)

    def recording_solve(instance: Instance, params: SolveParams, *args: object) -> object:
        limits.append(params.time_limit)
        return real_solve(instance, params, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(sweep, "load_scenarios", slow_load)
    monkeypatch.setattr(sweep, "prepare", slow_prepare)
    monkeypatch.setattr(sweep, "solve", recording_solve)
    sweep.run_scenarios(CITY_SCENARIOS, tmp_path / "out", SolveParams(time_limit=30),
                        pool_size=1)  # fmt: skip
    assert limits and all(limit <= 30 - 0.7 for limit in limits)


def test_a_sweep_that_cannot_fit_in_memory_stops_before_any_variant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matcher.solve import footprint

    monkeypatch.setattr(footprint, "available_bytes", lambda: 2**20)
    code, _, stderr = run("scenarios", str(CITY_SCENARIOS), "--out", str(tmp_path / "out"))
    assert code == 2 and "2 at once" in stderr and "--workers-pool" in stderr
    assert not (tmp_path / "out" / COMPARISON_CSV).exists()
