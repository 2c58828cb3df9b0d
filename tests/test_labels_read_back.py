"""Every Chinese label the tool writes is understood when fed back (issue 17, part 3).

Planners copy columns from the tool's output (``--lang zh`` plans, ``explain``)
into next year's spreadsheet. Each label table is walked: a label that names
instance data must be accepted by the reader as that column or value; a label
of something the tool computes (a fit term, an alternate's rank) is listed
here as such, so a new label fails this test until it is classified.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.instance import Education, ExceptionRule, PostKind, Rank
from matcher.io import labels
from matcher.io.aliases import (
    COLUMN_ALIASES,
    EDUCATION_ALIASES,
    EXCEPTION_RULE_ALIASES,
    KIND_ALIASES,
    RANK_ALIASES,
    header_key,
    value_key,
)
from matcher.io.labels import (
    CHANGES_HEADERS_ZH,
    EXCEPTION_ZH,
    HEADERS_ZH,
    SCENARIO_HEADERS_ZH,
    TERM_ZH,
    VALUES_ZH,
)
from matcher.io.plan_reader import read_plan
from matcher.io.reader import read_instance

# output header -> the instance columns its values are (table, field)
HEADER_FIELDS: dict[str, list[tuple[str, str]]] = {
    "candidate_id": [("candidates", "id"), ("affinities", "candidate_id")],
    "candidate_name": [("candidates", "name")],
    "department": [("candidates", "department")],
    "post_id": [("posts", "id"), ("affinities", "post_id")],
    "post_name": [("posts", "name")],
    "kind": [("posts", "kind")],
    "unit": [("posts", "unit")],
    "region": [("posts", "region"), ("teams", "region")],
    "team": [("posts", "team")],
    "priority": [("posts", "priority")],
    "id": [("candidates", "id"), ("posts", "id"), ("teams", "id"), ("departments", "id")],
    "name": [("posts", "name"), ("departments", "name")],
}
COMPUTED_HEADERS = {
    # figures of a plan, not data of an instance
    "fit", "fit_score", "fit_development", "fit_reserve", "fit_party", "fit_dept_priority",
    "fit_category_match", "fit_preference", "fit_affinity", "type", "empty_seats", "eligible",
    "rank",  # 顺位: an alternate's place in the shortlist, not a cadre's rank
    "alternate_id", "alternate_name", "alternate_fit", "fit_cost",
    "exceptions",  # the rules an assignment relies on an exception for (format v1.1)
}  # fmt: skip

# explain's fit term -> the instance column it is computed from
TERM_FIELDS = {
    "score": ("candidates", "score"),
    "reserve": ("candidates", "reserve"),
    "party": ("candidates", "party_member"),
    "dept_priority": ("departments", "priority"),
    "preference": ("candidates", "preferences"),
    "affinity": ("affinities", "bonus"),
}
COMPUTED_TERMS = {"development", "category_match"}  # from two tables each, no column

VALUE_LOOKUPS = [
    (KIND_ALIASES, {kind.value for kind in PostKind}),
    (RANK_ALIASES, {rank.value for rank in Rank}),
    (EDUCATION_ALIASES, {level.value for level in Education}),
]
COMPUTED_VALUES = {"cadre", "seat"}  # the type column of unassigned.csv

# the other header tables (changes.csv of a re-plan, the sweep's files): the columns that
# name instance data share HEADERS_ZH's column, and so its label
SHARED_HEADERS = {"candidate_id", "candidate_name"}
COMPUTED_CHANGE_HEADERS = {
    "before_post_id", "before_post_name", "after_post_id", "after_post_name", "change", "reason",
}  # fmt: skip
COMPUTED_SCENARIO_HEADERS = {
    "variant", "description", "status", "seats", "cadres", "coverage", "coverage_bound", "fit",
    "fit_bound", "gap", "proof", "seats_filled", "cadres_placed", "moved", "newly_placed",
    "no_longer_placed", "note", "change", "base_post", "base_post_name", "variant_post",
    "variant_post_name",
}  # fmt: skip
WALKED = {
    "HEADERS_ZH", "VALUES_ZH", "TERM_ZH", "EXCEPTION_ZH", "CHANGES_HEADERS_ZH",
    "SCENARIO_HEADERS_ZH",
}  # fmt: skip
"""The tables with labels a planner may copy back into an instance; walked below."""
NOT_READ_BACK = {"FAMILY_ZH", "TIER_ZH", "SCENARIO_PREFIXES_ZH"}
"""Labels of messages, the progress line and the sweep's per-value column prefixes (their
values come from VALUES_ZH): never instance columns or values."""


def test_every_label_table_is_walked_or_named_as_never_read_back() -> None:
    tables = {name for name, value in vars(labels).items() if name.endswith("_ZH")}
    assert tables == WALKED | NOT_READ_BACK
    assert all(isinstance(getattr(labels, name), dict) for name in tables)


def test_every_label_table_entry_is_classified() -> None:
    assert set(HEADERS_ZH) == set(HEADER_FIELDS) | COMPUTED_HEADERS
    assert set(TERM_ZH) == set(TERM_FIELDS) | COMPUTED_TERMS
    enum_values = set().union(*(values for _, values in VALUE_LOOKUPS))
    assert set(VALUES_ZH) == enum_values | COMPUTED_VALUES
    assert set(EXCEPTION_ZH) == {rule.value for rule in ExceptionRule}
    assert set(CHANGES_HEADERS_ZH) == SHARED_HEADERS | COMPUTED_CHANGE_HEADERS
    assert set(SCENARIO_HEADERS_ZH) == SHARED_HEADERS | COMPUTED_SCENARIO_HEADERS


@pytest.mark.parametrize("table", [CHANGES_HEADERS_ZH, SCENARIO_HEADERS_ZH])
def test_shared_headers_read_as_the_plan_files_do(table: dict[str, str]) -> None:
    for english in SHARED_HEADERS:
        assert table[english] == HEADERS_ZH[english]


def test_exception_labels_are_accepted_as_rules() -> None:
    for rule, label in EXCEPTION_ZH.items():
        assert EXCEPTION_RULE_ALIASES.get(value_key(label)) == rule, label


@pytest.mark.parametrize("english", sorted(HEADER_FIELDS))
def test_output_headers_are_accepted_as_instance_columns(english: str) -> None:
    for table, field in HEADER_FIELDS[english]:
        for label in (english, HEADERS_ZH[english]):
            assert COLUMN_ALIASES[table].get(header_key(label)) == field, (table, label)


@pytest.mark.parametrize("term", sorted(TERM_FIELDS))
def test_explain_terms_are_accepted_as_instance_columns(term: str) -> None:
    table, field = TERM_FIELDS[term]
    assert COLUMN_ALIASES[table].get(header_key(TERM_ZH[term])) == field


def test_enum_labels_are_accepted_as_values() -> None:
    for lookup, values in VALUE_LOOKUPS:
        for value in values:
            assert lookup.get(value_key(VALUES_ZH[value])) == value, VALUES_ZH[value]


def test_an_instance_headed_with_the_output_labels_reads_the_same(tmp_path: Path) -> None:
    """The reader itself, not only the tables: headers and values as the tool writes them."""
    folder = tmp_path / "inst"
    folder.mkdir()
    zh = HEADERS_ZH
    (folder / "candidates.csv").write_text(
        f"{zh['candidate_id']},{zh['candidate_name']},{zh['department']},rank,age,"
        f"education,birthplace,home_region,{TERM_ZH['score']},{TERM_ZH['preference']},"
        f"{TERM_ZH['reserve']},{TERM_ZH['party']}\n"
        f"C1,张伟,D1,{VALUES_ZH['section']},35,{VALUES_ZH['secondary']},甲,甲,93,P1,是,是\n",
        encoding="utf-8",
    )
    (folder / "posts.csv").write_text(
        f"{zh['post_id']},{zh['post_name']},{zh['kind']},{zh['unit']},{zh['region']},"
        f"{zh['priority']}\nP1,城关镇,{VALUES_ZH['petition']},U1,乙,3\n",
        encoding="utf-8",
    )
    (folder / "affinities.csv").write_text(
        f"{zh['candidate_id']},{zh['post_id']},{TERM_ZH['affinity']}\nC1,P1,-4\n",
        encoding="utf-8",
    )
    (folder / "departments.csv").write_text(
        f"{zh['id']},{zh['name']},{TERM_ZH['dept_priority']}\nD1,住建局,是\n", encoding="utf-8"
    )
    instance = read_instance(folder)
    assert instance.warnings == ()
    (cadre,) = instance.candidates
    assert (cadre.id, cadre.name, cadre.department, cadre.score) == ("C1", "张伟", "D1", 93)
    assert (cadre.education, cadre.preferences, cadre.reserve, cadre.party_member) == (
        Education.SECONDARY, ("P1",), True, True,
    )  # fmt: skip
    (post,) = instance.posts
    assert (post.name, post.kind, post.priority) == ("城关镇", PostKind.PETITION, 3)
    assert instance.affinities[0].bonus == -4
    assert instance.departments[0].priority is True


def test_a_misheaded_column_left_at_its_default_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "inst"
    folder.mkdir()
    (folder / "candidates.csv").write_text(
        "id,department,rank,age,education,birthplace,home_region,考核\n"
        "C1,D1,general,30,bachelor,A,A,95\n",
        encoding="utf-8",
    )
    (folder / "posts.csv").write_text("id,kind,unit,region\nP1,grassroots,U1,A\n", "utf-8")
    instance = read_instance(folder)
    (warning,) = instance.warnings
    assert warning.startswith("candidates.csv, column 考核: is not a known column (")
    assert warning.endswith(
        "; ignored; did you mean score (考核分数)? Without it every row takes the default"
        " score (60)"
    )
    assert instance.candidates[0].score == 60


def test_a_misheaded_column_beside_the_right_one_only_suggests(tmp_path: Path) -> None:
    folder = tmp_path / "inst"
    folder.mkdir()
    (folder / "candidates.csv").write_text(
        "id,department,rank,age,education,birthplace,home_region,score,考核\n"
        "C1,D1,general,30,bachelor,A,A,95,x\n",
        encoding="utf-8",
    )
    (folder / "posts.csv").write_text("id,kind,unit,region\nP1,grassroots,U1,A\n", "utf-8")
    (warning,) = read_instance(folder).warnings
    assert warning.endswith("; ignored; did you mean score (考核分数)?")


def test_a_plan_headed_in_chinese_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "edited.csv"
    path.write_text(
        f"{HEADERS_ZH['post_id']},{HEADERS_ZH['candidate_id']},备注\nP1,C1,x\n", "utf-8"
    )
    assert read_plan(path) == [("C1", "P1")]
