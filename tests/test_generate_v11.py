"""``matcher generate --v11``: format v1.1 additions on top of the unchanged v1 draw.

The v1 tables must not move by a byte (the shipped city and the benchmark records are
made by the generator): the additions come after, from their own random stream. The
shares come from the seeds (constants in ``matcher.synthetic.generate``); generated
v1.1 instances are solved and every plan is re-checked by the independent checker.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from matcher.check.checker import check_plan, group_composition
from matcher.cli.commands import main
from matcher.instance import DEFAULT_AGE_CAPS, RANK_FAMILY, Instance
from matcher.io.reader import read_instance
from matcher.solve.pipeline import SolveParams, solve
from matcher.synthetic.generate import (
    BATCH_PER_DEPARTMENT,
    BRANCH_MIN_SEATS,
    BRANCH_PARTY_MEMBERS,
    DEFAULT_RULES_TOML,
    add_v11,
    generate_tables,
    write_instance,
)

GRADES = {"section": {"section_deputy", "section_full", "section"},
          "county": {"county_deputy", "county_full"}, "general": {"general"}}  # fmt: skip


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_without_v11_the_files_are_byte_identical_to_the_v1_generator(tmp_path: Path) -> None:
    code, _ = run("generate", "city", str(tmp_path / "cli"), "--seed", "5")
    assert code == 0
    write_instance(generate_tables(520, 110, 5), tmp_path / "direct", DEFAULT_RULES_TOML)
    assert _digest(tmp_path / "cli") == _digest(tmp_path / "direct")
    assert not (tmp_path / "cli" / "groups.csv").exists()


def test_v11_changes_only_ranks_and_adds_groups_and_exceptions() -> None:
    v1 = generate_tables(520, 110, 2026)
    v11 = add_v11(v1, 2026)
    assert v1["candidates"].equals(generate_tables(520, 110, 2026)["candidates"])  # not mutated
    for name in ("teams", "departments", "affinities"):
        assert v11[name].equals(v1[name])
    before, after = v1["candidates"], v11["candidates"]
    assert after.drop(columns="rank").equals(before.drop(columns="rank"))
    assert all(grade in GRADES[family] for family, grade in zip(before["rank"], after["rank"],
                                                                strict=True))  # fmt: skip
    assert {"section_deputy", "section_full", "county_deputy", "county_full"} <= set(after["rank"])
    changed_posts = v11["posts"].drop(columns="groups").compare(v1["posts"])
    assert set(changed_posts.columns.get_level_values(0)) == {"ranks"}
    assert set(v11["posts"].loc[changed_posts.index, "kind"]) == {"upward"}


def test_groups_and_exceptions_follow_the_seeds() -> None:
    tables = add_v11(generate_tables(520, 110, 2026), 2026)
    posts, groups = tables["posts"], tables["groups"]
    members = {g: posts[posts["groups"].str.split(";").apply(lambda ids, g=g: g in ids)]
               for g in groups["id"]}  # fmt: skip
    for group in groups.itertuples():
        mine = members[group.id]
        assert len(mine) and "grassroots" not in set(mine["kind"]), group.id
        assert group.min_members == 0  # an empty group needs nothing: feasible as v1
        if group.id.startswith("U"):  # a receiving unit's temporary party branch
            assert mine["unit"].nunique() == 1 and mine["seats"].sum() >= BRANCH_MIN_SEATS
            assert group.min_party_members == BRANCH_PARTY_MEMBERS
            takes_county = mine["ranks"].str.contains("county").any()
            assert group.min_county_level == int(takes_county)
        else:  # a petition batch
            assert set(mine["kind"]) == {"petition"}
            assert group.max_per_department == BATCH_PER_DEPARTMENT
    petition = posts[posts["kind"] == "petition"]
    batches = [g for g in groups["id"] if g.startswith("B")]
    assert len(batches) == 3 and sum(len(members[b]) for b in batches) == len(petition)
    candidates = tables["candidates"].set_index("id")
    exceptions = tables["exceptions"]
    assert 0 < len(exceptions) <= 0.02 * len(candidates)
    for row in exceptions.itertuples():  # each for a cadre who needs it, with a reason
        cadre = candidates.loc[row.candidate_id]
        assert row.reason
        if row.rule == "age_cap":
            cap = DEFAULT_AGE_CAPS[RANK_FAMILY[cadre["rank"]]]
            assert cap < cadre["age"] <= cap + 2
        else:
            assert row.rule == "min_education" and cadre["education"] == "secondary"


def _solved(instance: Instance) -> list[tuple[str, str]]:
    result = solve(instance, SolveParams(time_limit=30))
    assert result.has_plan, result.status
    return [(instance.candidates[c].id, instance.posts[p].id) for c, p in result.assignments]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_small_generated_v11_instances_solve_to_checked_plans(seed: int, tmp_path: Path) -> None:
    folder = tmp_path / "v11"
    code, text = run("generate", "custom", str(folder), "--candidates", "120", "--posts", "40",
                     "--seed", str(seed), "--v11")  # fmt: skip
    assert code == 0 and "format v1.1" in text, text
    instance = read_instance(folder)
    assert instance.groups and instance.exceptions and not instance.warnings
    plan = _solved(instance)
    report = check_plan(instance, plan)
    assert report.ok, [v.message_en for v in report.violations]
    composition = group_composition(instance, [
        (next(c for c in instance.candidates if c.id == cid),
         next(p for p in instance.posts if p.id == pid)) for cid, pid in plan
    ])  # fmt: skip
    staffed = [g for g in instance.groups if composition[g.id].members]
    assert staffed  # the groups are used, not merely left empty
    for group in staffed:
        assert composition[group.id].party_members >= group.min_party_members
        assert composition[group.id].county_level >= group.min_county_level


def test_city_v11_tier_solves_with_every_group_rule(tmp_path: Path) -> None:
    folder = tmp_path / "city"
    assert run("generate", "city", str(folder), "--seed", "3", "--v11")[0] == 0
    instance = read_instance(folder)
    report = check_plan(instance, _solved(instance))
    assert report.ok and report.exceptions_used >= 1
    ranks = pd.read_csv(folder / "candidates.csv", dtype=str)["rank"]
    assert np.isin(ranks, [*GRADES["section"], *GRADES["county"], "general"]).all()
